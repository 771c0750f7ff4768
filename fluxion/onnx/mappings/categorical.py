"""ONNX for the categorical preprocessing primitives: ``bucketize`` (Discretization:
the number of boundaries at or below each value) and ``bincount`` (CategoryEncoding's
multi-hot and count modes: ids compared with every category, then summed or maxed
over the ids; ids outside ``[0, depth)`` match nothing and drop out, as in Fluxion)."""

from __future__ import annotations

import numpy as np

from fluxion.onnx.mappings import lowers


@lowers("bucketize")
def lower_bucketize(ctx, node):
    x_value = node.inputs[0]
    dtype = x_value.aval.dtype.np_dtype
    boundaries = ctx.constant(np.asarray(node.attrs["boundaries"], dtype), "boundaries")
    x = ctx.emit("Unsqueeze", [ctx.name(x_value), ctx.int64s([-1], "last")])
    at_or_above = ctx.cast(ctx.emit("GreaterOrEqual", [x, boundaries]), np.int32)
    rank = len(x_value.aval.shape)
    return ctx.reduce("ReduceSum", at_or_above, [rank], keepdims=False)


@lowers("bincount")
def lower_bincount(ctx, node):
    x_value = node.inputs[0]
    ids_dtype = x_value.aval.dtype.np_dtype
    categories = ctx.constant(np.arange(int(node.attrs["depth"]), dtype=ids_dtype),
                              "categories")
    x = ctx.name(x_value)
    if not x_value.aval.shape:  # one id: a row of one
        x = ctx.emit("Unsqueeze", [x, ctx.int64s([0], "row")])
    x = ctx.emit("Unsqueeze", [x, ctx.int64s([-1], "last")])
    hits = ctx.cast(ctx.emit("Equal", [x, categories]), ctx.dtype())
    op_type = "ReduceMax" if node.attrs["binary"] else "ReduceSum"
    return ctx.reduce(op_type, hits, [-2], keepdims=False)
