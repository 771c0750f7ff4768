"""TFLite for the shape primitives: reshape, transpose, concat, split, basic indexing
(STRIDED_SLICE), shape, broadcasts, pad, tile."""

from __future__ import annotations

import numpy as np

from fluxion.lite.mappings import lowers


def _int32(ctx, hint: str, values):
    return ctx.graph.constant(ctx.hint(hint), np.asarray(values, np.int32).reshape(-1))


def _shape_vector(shape) -> list[int]:
    return [-1 if d is None else int(d) for d in shape]


def reshape_to(ctx, x, shape, out):
    ctx.emit("RESHAPE", [x, _int32(ctx, "shape", _shape_vector(shape))], [out])
    return out


@lowers("reshape")
def lower_reshape(ctx, node):
    target = list(node.attrs["shape"])
    if sum(1 for d in target if d == -1) > 1:
        target = _shape_vector(node.outputs[0].aval.shape)
    return reshape_to(ctx, ctx.tensor(node.inputs[0]), target, ctx.output())


@lowers("transpose")
def lower_transpose(ctx, node):
    out = ctx.output()
    ctx.emit("TRANSPOSE", [ctx.tensor(node.inputs[0]), _int32(ctx, "perm",
                                                               node.attrs["perm"])], [out])
    return out


@lowers("concat")
def lower_concat(ctx, node):
    out = ctx.output()
    ctx.emit("CONCATENATION", ctx.inputs(), [out], ("ConcatenationOptions", {
        "Axis": node.attrs["axis"], "FusedActivationFunction": 0}))
    return out


@lowers("split")
def lower_split(ctx, node):
    sizes = node.attrs["sizes"]
    outs = [ctx.output(i) for i in range(len(sizes))]
    ctx.emit("SPLIT_V", [ctx.tensor(node.inputs[0]), _int32(ctx, "sizes", sizes),
                         ctx.graph.constant(ctx.hint("axis"), np.int32(node.attrs["axis"]))],
             outs, ("SplitVOptions", {"NumSplits": len(sizes)}))
    return tuple(outs)


def _slice_spec(ctx, key: tuple, rank: int):
    """begin, end, strides and masks of STRIDED_SLICE for a basic-indexing key."""
    items = list(key)
    if Ellipsis in items:
        at = items.index(Ellipsis)
        explicit = sum(1 for item in items if item is not None and item is not Ellipsis)
        items[at:at + 1] = [("slice", None, None, None)] * (rank - explicit)
    begin, end, strides = [], [], []
    masks = {"BeginMask": 0, "EndMask": 0, "ShrinkAxisMask": 0, "NewAxisMask": 0}
    for axis, item in enumerate(items):
        bit = 1 << axis
        if item is None:
            masks["NewAxisMask"] |= bit
            begin.append(0), end.append(0), strides.append(1)
        elif isinstance(item, tuple):
            _, start, stop, step = item
            begin.append(0 if start is None else start)
            end.append(0 if stop is None else stop)
            strides.append(1 if step is None else step)
            if start is None:
                masks["BeginMask"] |= bit
            if stop is None:
                masks["EndMask"] |= bit
        elif isinstance(item, int):
            masks["ShrinkAxisMask"] |= bit
            begin.append(item), end.append(item + 1 if item != -1 else 0), strides.append(1)
            if item == -1:
                masks["EndMask"] |= bit
        else:
            raise ctx.unsupported(f"indexes with {item!r}; TFLite's STRIDED_SLICE takes "
                                  f"ints, slices, None and ...")
    return begin, end, strides, masks


@lowers("getitem")
def lower_getitem(ctx, node):
    key = node.attrs["key"]
    x = ctx.tensor(node.inputs[0])
    packed = ctx.producer(x)
    if packed is not None and packed.opcode == "PACK" and packed.option("Axis") == 0 \
            and len(key) == 1 and isinstance(key[0], int):
        return packed.inputs[key[0]]  # one step of an unrolled sequence: no slice needed
    begin, end, strides, masks = _slice_spec(ctx, key, len(x.shape))
    out = ctx.output()
    ctx.emit("STRIDED_SLICE", [x, _int32(ctx, "begin", begin), _int32(ctx, "end", end),
                               _int32(ctx, "strides", strides)], [out],
             ("StridedSliceOptions", {**masks, "EllipsisMask": 0}))
    return out


@lowers("shape")
def lower_shape(ctx, node):
    out = ctx.output()
    out_type = 4 if out.dtype == np.int64 else 2  # TensorType INT64 / INT32
    ctx.emit("SHAPE", ctx.inputs(), [out], ("ShapeOptions", {"OutType": out_type}))
    return out


@lowers("broadcast_to_dynamic")
def lower_broadcast_to_dynamic(ctx, node):
    out = ctx.output()
    ctx.emit("BROADCAST_TO", ctx.inputs(), [out])
    return out


@lowers("broadcast_to")
def lower_broadcast_to(ctx, node):
    shape = node.attrs["shape"]
    if any(d is None or d < 0 for d in shape):
        raise ctx.unsupported(f"broadcasts to {list(shape)}, a shape with unknown sizes")
    out = ctx.output()
    ctx.emit("BROADCAST_TO", [ctx.tensor(node.inputs[0]), _int32(ctx, "shape", shape)], [out])
    return out


@lowers("pad")
def lower_pad(ctx, node):
    pairs = _int32(ctx, "paddings", node.attrs["paddings"]).data.reshape(-1, 2)
    paddings = ctx.graph.constant(ctx.hint("paddings"), pairs)
    out = ctx.output()
    value = float(node.attrs["constant_values"])
    if value == 0.0:
        ctx.emit("PAD", [ctx.tensor(node.inputs[0]), paddings], [out])
    else:
        fill = ctx.graph.constant(ctx.hint("value"), np.asarray(value, out.dtype))
        ctx.emit("PADV2", [ctx.tensor(node.inputs[0]), paddings, fill], [out])
    return out


@lowers("tile")
def lower_tile(ctx, node):
    out = ctx.output()
    ctx.emit("TILE", [ctx.tensor(node.inputs[0]),
                      _int32(ctx, "multiples", node.attrs["multiples"])], [out])
    return out


@lowers("reshape_dynamic")
def lower_reshape_dynamic(ctx, node):
    static = node.attrs["static"]
    x, out = ctx.tensor(node.inputs[0]), ctx.output()
    if sum(1 for d in static if d is None) <= 1:  # a constant shape holds it (-1 for None)
        return reshape_to(ctx, x, static, out)
    shape = ctx.tensor(node.inputs[1])
    if shape.dtype != np.int32:  # RESHAPE reads an int32 shape
        narrow = ctx.graph.tensor(ctx.hint("shape"), shape.shape, np.int32)
        ctx.emit("CAST", [shape], [narrow])
        shape = narrow
    ctx.emit("RESHAPE", [x, shape], [out])
    return out


@lowers("gather")
def lower_gather(ctx, node):
    out = ctx.output()
    ctx.emit("GATHER", ctx.inputs(), [out], ("GatherOptions", {
        "Axis": node.attrs["axis"], "BatchDims": node.attrs["batch_dims"]}))
    return out
