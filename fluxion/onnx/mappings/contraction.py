"""ONNX for the products and matrix functions: ``matmul`` (MatMul, which broadcasts
batch dimensions as Fluxion's does), ``einsum`` (ONNX's Einsum takes the same
equation, so the products inside MultiHeadAttention and EinsumDense are one node
each), ``matrix_determinant`` (Det) and ``matrix_band_part`` (Trilu)."""

from __future__ import annotations

import numpy as np

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


@lowers("matrix_determinant")
def lower_matrix_determinant(ctx, node):
    return ctx.emit("Det", ctx.inputs())


@lowers("matrix_band_part")
def lower_matrix_band_part(ctx, node):
    """Keeps ``num_lower`` diagonals below the main one and ``num_upper`` above (-1: all
    of them): one Trilu for each side that is cut."""
    if ctx.opset < 14:
        raise ctx.unsupported("needs ONNX's Trilu, from opset 14 (export with opset=14 or "
                              "later)")
    lower, upper = int(node.attrs["num_lower"]), int(node.attrs["num_upper"])
    x = ctx.name(node.inputs[0])
    if lower >= 0:  # keep j - i >= -lower: the upper triangle from diagonal -lower
        x = ctx.emit("Trilu", [x, ctx.constant(np.asarray(-lower, np.int64), "lower")],
                     upper=1)
    if upper >= 0:  # keep j - i <= upper: the lower triangle up to diagonal upper
        x = ctx.emit("Trilu", [x, ctx.constant(np.asarray(upper, np.int64), "upper")],
                     upper=0)
    return x if x != ctx.name(node.inputs[0]) else ctx.emit("Identity", [x])
