"""ONNX for the products: ``matmul`` (MatMul, which broadcasts batch dimensions as
Fluxion's does) and ``einsum`` (ONNX's Einsum takes the same equation, so the products
inside MultiHeadAttention and EinsumDense are one node each)."""

from __future__ import annotations

from fluxion.onnx.mappings import lowers


@lowers("matmul")
def lower_matmul(ctx, node):
    return ctx.emit("MatMul", ctx.inputs(ctx.dtype()))


@lowers("einsum")
def lower_einsum(ctx, node):
    equation = node.attrs["subscripts"].replace(" ", "")
    if "->" not in equation:
        raise ctx.unsupported(f"has the implicit-output equation {equation!r}; Fluxion "
                              f"traces explicit ones")
    return ctx.emit("Einsum", ctx.inputs(ctx.dtype()), equation=equation)
