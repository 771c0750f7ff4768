"""ONNX for the shape primitives: reshape (static and dynamic), transpose, concat, split,
broadcasts (Expand), tile, pad and shape.

Sizes unknown when traced (the batch) stay dynamic: a reshape copies them from its
input with ONNX's ``0``, and the dynamic primitives read their shape operand at run
time.
"""

from __future__ import annotations

import numpy as np

from fluxion.onnx.mappings import lowers


def reshape_target(ctx, input_shape, target) -> tuple[list[int], dict]:
    """ONNX's Reshape shape vector (and attributes) for Fluxion's ``target`` (``-1`` for
    one inferred size; a None in the output shape when traced).

    More than one unknown size is expressed with ``0`` ("the input's size on this axis")
    where input and output share the unknown axis, as the batch does."""
    target = [-1 if d is None else int(d) for d in target]
    if 0 in target:
        if -1 in target or ctx.opset < 14:
            raise ctx.unsupported(f"reshapes to {target}, with a zero-sized axis next to "
                                  f"an inferred one (ONNX cannot say both)")
        return target, {"allowzero": 1}
    if target.count(-1) <= 1:
        return target, {}
    spec = list(target)
    for axis, size in enumerate(target):
        if spec.count(-1) <= 1:
            break
        if size == -1 and axis < len(input_shape) and input_shape[axis] is None:
            spec[axis] = 0  # copy the input's size (the dynamic batch)
    if spec.count(-1) > 1:
        raise ctx.unsupported(f"reshapes to {target}, with more than one size unknown "
                              f"when traced")
    return spec, {}


def reshape(ctx, name: str, input_shape, target) -> str:
    spec, attributes = reshape_target(ctx, input_shape, target)
    return ctx.emit("Reshape", [name, ctx.int64s(spec, "shape")], **attributes)


@lowers("reshape")
def lower_reshape(ctx, node):
    x = node.inputs[0]
    target = list(node.attrs["shape"])
    if target.count(-1) > 1:
        target = list(node.outputs[0].aval.shape)
    return reshape(ctx, ctx.name(x), x.aval.shape, target)


@lowers("reshape_dynamic")
def lower_reshape_dynamic(ctx, node):
    x, shape = node.inputs[:2]
    static = node.attrs["static"]
    if sum(1 for d in static if d is None) <= 1:  # a constant shape holds it (-1 for None)
        return reshape(ctx, ctx.name(x), x.aval.shape, static)
    return ctx.emit("Reshape", [ctx.name(x), ctx.name(shape, np.int64)])


@lowers("reshape_like")
def lower_reshape_like(ctx, node):
    x, like = node.inputs
    return ctx.emit("Reshape", [ctx.name(x), ctx.emit("Shape", [ctx.name(like)])])


@lowers("transpose")
def lower_transpose(ctx, node):
    return ctx.emit("Transpose", ctx.inputs(), perm=[int(p) for p in node.attrs["perm"]])


@lowers("concat")
def lower_concat(ctx, node):
    return ctx.emit("Concat", ctx.inputs(ctx.dtype()), axis=int(node.attrs["axis"]))


@lowers("split")
def lower_split(ctx, node):
    sizes = [int(s) for s in node.attrs["sizes"]]
    if len(sizes) == 1:
        return (ctx.emit("Identity", ctx.inputs()),)
    outputs = ctx.emit("Split", [ctx.name(node.inputs[0]), ctx.int64s(sizes, "sizes")],
                       outputs=len(sizes), axis=int(node.attrs["axis"]))
    return tuple(outputs)


@lowers("broadcast_to")
def lower_broadcast_to(ctx, node):
    shape = [int(d) for d in node.attrs["shape"]]
    if any(d < 0 for d in shape):
        raise ctx.unsupported(f"broadcasts to {shape}, a shape with unknown sizes")
    return ctx.emit("Expand", [ctx.name(node.inputs[0]), ctx.int64s(shape, "shape")])


@lowers("broadcast_to_dynamic")
def lower_broadcast_to_dynamic(ctx, node):
    x, shape = node.inputs
    return ctx.emit("Expand", [ctx.name(x), ctx.name(shape, np.int64)])


@lowers("broadcast_like")
def lower_broadcast_like(ctx, node):
    x, like = node.inputs
    # Expand broadcasts both ways, as broadcast_like's shape rule does
    return ctx.emit("Expand", [ctx.name(x), ctx.emit("Shape", [ctx.name(like)])])


@lowers("tile")
def lower_tile(ctx, node):
    return ctx.emit("Tile", [ctx.name(node.inputs[0]),
                             ctx.int64s(node.attrs["multiples"], "multiples")])


@lowers("pad")
def lower_pad(ctx, node):
    pairs = np.asarray(node.attrs["paddings"], np.int64).reshape(-1, 2)
    pads = ctx.int64s(list(pairs[:, 0]) + list(pairs[:, 1]), "pads")
    value = ctx.constant(np.asarray(node.attrs["constant_values"], ctx.dtype()), "value")
    return ctx.emit("Pad", [ctx.name(node.inputs[0]), pads, value], mode="constant")


@lowers("shape")
def lower_shape(ctx, node):
    shape = ctx.emit("Shape", ctx.inputs())
    return shape if ctx.dtype() == np.int64 else ctx.cast(shape, ctx.dtype())
