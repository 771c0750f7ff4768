"""TFLite for reductions: SUM, REDUCE_MAX/MIN/PROD/ANY, ARG_MAX/MIN, CUMSUM, and MEAN, which
Fluxion composes as ``reduce_sum(x) / count`` and this module fuses back into one
operator (the ``div`` mapping asks ``mean_from_sum``)."""

from __future__ import annotations

import numpy as np

from fluxion.lite.mappings import lowers

_REDUCERS = {"reduce_sum": "SUM", "reduce_max": "REDUCE_MAX", "reduce_min": "REDUCE_MIN",
             "reduce_prod": "REDUCE_PROD", "reduce_any": "REDUCE_ANY"}


def _axes(node) -> list[int]:
    axes = node.attrs["axes"]
    return list(range(len(node.inputs[0].aval.shape))) if axes is None else list(axes)


@lowers(*_REDUCERS)
def lower_reduce(ctx, node):
    out = ctx.output()
    axes = ctx.graph.constant(ctx.hint("axes"), np.asarray(_axes(node), np.int32))
    ctx.emit(_REDUCERS[node.prim.name], [ctx.tensor(node.inputs[0]), axes], [out],
             ("ReducerOptions", {"KeepDims": bool(node.attrs["keepdims"])}))
    return out


def mean_from_sum(ctx, node):
    """The MEAN that ``div(reduce_sum(x, axes), count)`` computes, or None."""
    total, divisor = node.inputs
    count = ctx.array(divisor)
    op = ctx.fusable_producer(total, "SUM")
    summed = total.producer
    if op is None or count is None or count.size != 1 or summed is None:
        return None
    shape = summed.inputs[0].aval.shape
    axes = _axes(summed)
    if any(shape[a] is None for a in axes) or \
            float(count.reshape(())) != float(np.prod([shape[a] for a in axes])):
        return None
    op.opcode = "MEAN"
    return op.outputs[0]


@lowers("cumsum")
def lower_cumsum(ctx, node):
    out = ctx.output()
    axis = ctx.graph.constant(ctx.hint("axis"), np.int32(node.attrs["axis"]))
    ctx.emit("CUMSUM", [ctx.tensor(node.inputs[0]), axis], [out], ("CumsumOptions", {
        "Exclusive": bool(node.attrs["exclusive"]), "Reverse": bool(node.attrs["reverse"])}))
    return out


@lowers("argmax", "argmin")
def lower_arg_extremum(ctx, node):
    out = ctx.output()
    axis = ctx.graph.constant(ctx.hint("axis"), np.asarray([node.attrs["axis"]], np.int32))
    out_type = 4 if out.dtype == np.int64 else 2  # TensorType INT64 / INT32
    opcode, table = ("ARG_MAX", "ArgMaxOptions") if node.prim.name == "argmax" else \
        ("ARG_MIN", "ArgMinOptions")
    ctx.emit(opcode, [ctx.tensor(node.inputs[0]), axis], [out], (table, {"OutputType": out_type}))
    return out
