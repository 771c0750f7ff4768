"""ONNX for indexing: basic indexing (``x[1:, ::2, None, ..., 0]``: Slice, Squeeze and
Unsqueeze), gather (Gather), ``take_along_axis`` (GatherElements), ``gather_nd``
(GatherND) and its scatters (ScatterND), ``where`` with one argument (NonZero),
``range``, ``top_k`` and ``argsort`` (TopK over the whole axis)."""

from __future__ import annotations

import numpy as np

from fluxion.onnx.mappings import lowers

_END = np.iinfo(np.int64).max  # Slice's "to the end of the axis"
_BEFORE_START = np.iinfo(np.int64).min  # ... and "past the start", stepping backwards


def _expanded(key: tuple, rank: int) -> list:
    """The key with its Ellipsis replaced by full slices."""
    items = list(key)
    if Ellipsis in items:
        at = items.index(Ellipsis)
        explicit = sum(1 for item in items if item is not None and item is not Ellipsis)
        items[at:at + 1] = [("slice", None, None, None)] * (rank - explicit)
    explicit = sum(1 for item in items if item is not None)
    return items + [("slice", None, None, None)] * (rank - explicit)


@lowers("getitem")
def lower_getitem(ctx, node):
    x_value = node.inputs[0]
    items = _expanded(node.attrs["key"], len(x_value.aval.shape))
    starts, ends, axes, steps, squeezed, inserted = [], [], [], [], [], []
    axis = position = 0
    for item in items:
        if item is None:  # a new axis of size 1 at this position of the result
            inserted.append(position)
            position += 1
            continue
        if isinstance(item, tuple):
            _, start, stop, step = item
            step = 1 if step is None else int(step)
            if (start, stop, step) != (None, None, 1):
                backwards = step < 0
                starts.append((_END if backwards else 0) if start is None else int(start))
                ends.append((_BEFORE_START if backwards else _END) if stop is None
                            else int(stop))
                axes.append(axis), steps.append(step)
            position += 1
        elif isinstance(item, (int, np.integer)):
            index = int(item)
            starts.append(index), axes.append(axis), steps.append(1)
            ends.append(_END if index == -1 else index + 1)
            squeezed.append(axis)
        else:
            raise ctx.unsupported(f"indexes with {item!r}; basic indexing takes ints, "
                                  f"slices, None and ...")
        axis += 1
    y = ctx.name(x_value)
    if axes:
        y = ctx.emit("Slice", [y, ctx.int64s(starts, "starts"), ctx.int64s(ends, "ends"),
                               ctx.int64s(axes, "axes"), ctx.int64s(steps, "steps")])
    if squeezed:
        y = ctx.emit("Squeeze", [y, ctx.int64s(squeezed, "squeezed")])
    if inserted:
        y = ctx.emit("Unsqueeze", [y, ctx.int64s(inserted, "inserted")])
    return y if y != ctx.name(x_value) else ctx.emit("Identity", [y])


@lowers("gather")
def lower_gather(ctx, node):
    params, indices = node.inputs
    if node.attrs["batch_dims"]:
        raise ctx.unsupported(f"gathers with batch_dims={node.attrs['batch_dims']}; the "
                              f"ONNX export takes batch_dims=0")
    index_dtype = indices.aval.dtype.np_dtype
    if index_dtype not in (np.int32, np.int64):
        index_dtype = np.int64  # float or narrow ids (an Embedding on float input)
    return ctx.emit("Gather", [ctx.name(params), ctx.name(indices, index_dtype)],
                    axis=int(node.attrs["axis"]))


@lowers("take_along_axis")
def lower_take_along_axis(ctx, node):
    x, indices = node.inputs
    return ctx.emit("GatherElements", [ctx.name(x), ctx.name(indices, np.int64)],
                    axis=int(node.attrs["axis"]))


@lowers("gather_nd")
def lower_gather_nd(ctx, node):
    params, indices = node.inputs
    if indices.aval.shape[-1] != node.attrs["index_depth"]:
        raise ctx.unsupported("gathers with an index depth other than the indices' last "
                              "size")
    return ctx.emit("GatherND", [ctx.name(params), ctx.name(indices, np.int64)])


@lowers("where")
def lower_where(ctx, node):
    """The coordinates of the true elements: NonZero gives them as ``[rank, n]``."""
    x = ctx.name(node.inputs[0])
    if node.inputs[0].aval.dtype.np_dtype != np.bool_:
        x = ctx.cast(x, np.bool_)
    return ctx.emit("Transpose", [ctx.emit("NonZero", [x])], perm=[1, 0])


@lowers("range")
def lower_range(ctx, node):
    return ctx.emit("Range", ctx.inputs(ctx.dtype()))


@lowers("top_k")
def lower_top_k(ctx, node):
    k = ctx.int64s([int(node.attrs["k"])], "k")
    values, indices = ctx.emit("TopK", [ctx.name(node.inputs[0]), k], outputs=2, axis=-1,
                               largest=1, sorted=1)
    if ctx.dtype(1) != np.int64:
        indices = ctx.cast(indices, ctx.dtype(1))
    return values, indices


@lowers("argsort")
def lower_argsort(ctx, node):
    """TopK over the whole axis: its indices, largest first for a descending sort.
    (Ties: Fluxion's sort is stable; onnxruntime's TopK also keeps the lower index
    first among equal values.)"""
    x_value = node.inputs[0]
    axis = int(node.attrs["axis"]) % len(x_value.aval.shape)
    x = ctx.name(x_value)
    size = x_value.aval.shape[axis]
    if size is None:
        count = ctx.emit("Slice", [ctx.emit("Shape", [x]), ctx.int64s([axis], "start"),
                                   ctx.int64s([axis + 1], "end")], "count")
    else:
        count = ctx.int64s([int(size)], "count")
    _, indices = ctx.emit("TopK", [x, count], outputs=2, axis=axis,
                          largest=int(bool(node.attrs["descending"])), sorted=1)
    return ctx.cast(indices, ctx.dtype())


@lowers("tensor_scatter_nd_update", "tensor_scatter_nd_add")
def lower_scatter_nd(ctx, node):
    tensor, indices, updates = node.inputs
    if indices.aval.shape[-1] != node.attrs["index_depth"]:
        raise ctx.unsupported("scatters with an index depth other than the indices' last "
                              "size")
    attributes = {}
    if node.prim.name == "tensor_scatter_nd_add":
        if ctx.opset < 16:
            raise ctx.unsupported("adds at indices, which ONNX's ScatterND does from "
                                  "opset 16 (export with opset=16 or later)")
        attributes["reduction"] = "add"
    return ctx.emit("ScatterND", [ctx.name(tensor), ctx.name(indices, np.int64),
                                  ctx.name(updates, ctx.dtype())], **attributes)
