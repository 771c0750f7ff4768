"""ONNX for reductions (ReduceSum/Max/Min/Prod; any/all through an integer cast, which
every opset's ReduceMax/ReduceMin take), ArgMax/ArgMin and CumSum."""

from __future__ import annotations

import numpy as np

from fluxion.onnx.mappings import lowers

_REDUCERS = {"reduce_sum": "ReduceSum", "reduce_max": "ReduceMax",
             "reduce_min": "ReduceMin", "reduce_prod": "ReduceProd"}


def _axes(node) -> list[int]:
    axes = node.attrs["axes"]
    rank = len(node.inputs[0].aval.shape)
    return list(range(rank)) if axes is None else [int(a) % max(rank, 1) for a in axes]


@lowers(*_REDUCERS, "reduce_any", "reduce_all")
def lower_reduce(ctx, node):
    axes, keepdims = _axes(node), bool(node.attrs["keepdims"])
    x = ctx.name(node.inputs[0])
    if not axes:  # ONNX would read an empty axes list as "all of them"
        return ctx.emit("Identity", [x])
    name = node.prim.name
    if name in _REDUCERS:
        if ctx.dtype() != node.inputs[0].aval.dtype.np_dtype:  # a wider accumulator
            x = ctx.cast(x, ctx.dtype())
        return ctx.reduce(_REDUCERS[name], x, axes, keepdims)
    as_int = ctx.cast(x, np.int32)
    op_type = "ReduceMax" if name == "reduce_any" else "ReduceMin"
    return ctx.cast(ctx.reduce(op_type, as_int, axes, keepdims), np.bool_)


@lowers("argmax", "argmin")
def lower_arg_extremum(ctx, node):
    op_type = "ArgMax" if node.prim.name == "argmax" else "ArgMin"
    index = ctx.emit(op_type, ctx.inputs(), axis=int(node.attrs["axis"]), keepdims=0)
    return index if ctx.dtype() == np.int64 else ctx.cast(index, ctx.dtype())


@lowers("cumsum")
def lower_cumsum(ctx, node):
    axis = ctx.constant(np.asarray(int(node.attrs["axis"]), np.int64), "axis")
    return ctx.emit("CumSum", [ctx.name(node.inputs[0]), axis],
                    exclusive=int(bool(node.attrs["exclusive"])),
                    reverse=int(bool(node.attrs["reverse"])))
