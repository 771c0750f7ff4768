"""TFLite for convolutions and pooling: CONV_2D (filter ``[out, h, w, in]``),
DEPTHWISE_CONV_2D (filter ``[1, h, w, channels * multiplier]``), MAX_POOL_2D and
AVERAGE_POOL_2D.  One-dimensional ones run as two-dimensional ones over a height of 1
(RESHAPE around them), as TF's converter does; explicit paddings become a PAD first."""

from __future__ import annotations

import numpy as np

from fluxion.lite.mappings import lowers

_PADDING = {"SAME": 0, "VALID": 1}


def _padding(ctx, x, padding, spatial: int):
    """(TFLite padding code, input) — a PAD operator first for explicit paddings."""
    if isinstance(padding, str):
        if padding.upper() not in _PADDING:
            raise ctx.unsupported(f"has padding {padding!r}; TFLite takes SAME or VALID")
        return _PADDING[padding.upper()], x
    pairs = [list(p) for p in padding]
    pairs = [[0, 0]] + [[0, 0]] * (spatial - len(pairs)) + pairs + [[0, 0]]
    shape = list(x.shape)
    for axis, (lo, hi) in enumerate(pairs):
        if shape[axis] is not None:
            shape[axis] += lo + hi
    padded = ctx.graph.tensor(ctx.hint("pad"), shape, x.dtype)
    ctx.emit("PAD", [x, ctx.graph.constant(ctx.hint("paddings"), pairs, np.int32)], [padded])
    return _PADDING["VALID"], padded


def _as_2d(ctx, x):
    """A rank-3 ``[batch, width, channels]`` tensor as ``[batch, 1, width, channels]``."""
    shape = (x.shape[0], 1) + tuple(x.shape[1:])
    out = ctx.graph.tensor(ctx.hint("expand"), shape, x.dtype)
    ctx.emit("RESHAPE", [x, ctx.graph.constant(
        ctx.hint("shape"), [-1 if d is None else d for d in shape], np.int32)], [out])
    return out


def _back_to_1d(ctx, result, out):
    ctx.emit("RESHAPE", [result, ctx.graph.constant(
        ctx.hint("shape"), [-1 if d is None else d for d in out.shape], np.int32)], [out])
    return out


def _spatial_rank(ctx, node) -> int:
    rank = len(node.inputs[0].aval.shape) - 2
    if rank not in (1, 2):
        raise ctx.unsupported(f"is {rank}-dimensional; TFLite has 1- and 2-D ones here")
    return rank


@lowers("conv")
def lower_conv(ctx, node):
    spatial = _spatial_rank(ctx, node)
    kernel = ctx.array(node.inputs[1])
    if kernel is None:
        raise ctx.unsupported("has a filter computed at run time; TFLite's CONV_2D takes "
                              "a constant filter")
    attrs = node.attrs
    strides, dilations, groups = list(attrs["strides"]), list(attrs["dilations"]), \
        attrs["groups"]
    x = ctx.tensor(node.inputs[0])
    if spatial == 1:
        x, kernel = _as_2d(ctx, x), kernel[None]
        strides, dilations = [1] + strides, [1] + dilations
    padding, x = _padding(ctx, x, attrs["padding"], 2)
    out = ctx.output()
    result = out if spatial == 2 else ctx.graph.tensor(
        ctx.hint("conv2d"), (out.shape[0], 1) + out.shape[1:], out.dtype)
    channels_in, channels_out = x.shape[-1], kernel.shape[-1]
    options = {"Padding": padding, "StrideH": strides[0], "StrideW": strides[1],
               "DilationHFactor": dilations[0], "DilationWFactor": dilations[1],
               "FusedActivationFunction": 0}
    bias = ctx.graph.constant(ctx.hint("bias"), np.zeros(channels_out, np.float32))
    if groups == 1:
        weights = ctx.graph.constant(ctx.hint("filter"),
                                     np.transpose(kernel, (3, 0, 1, 2)).astype(np.float32))
        ctx.emit("CONV_2D", [x, weights, bias], [result], ("Conv2DOptions", options))
    elif groups == channels_in and kernel.shape[2] == 1:
        weights = ctx.graph.constant(ctx.hint("filter"),
                                     kernel.reshape((1,) + kernel.shape[:2] + (-1,)))
        options["DepthMultiplier"] = channels_out // channels_in
        ctx.emit("DEPTHWISE_CONV_2D", [x, weights, bias], [result],
                 ("DepthwiseConv2DOptions", options))
    else:
        raise ctx.unsupported(f"is a grouped convolution ({groups} groups of "
                              f"{channels_in} channels); TFLite has plain and depthwise ones")
    return out if spatial == 2 else _back_to_1d(ctx, result, out)


@lowers("max_pool", "avg_pool")
def lower_pool(ctx, node):
    spatial = _spatial_rank(ctx, node)
    attrs = node.attrs
    window, strides = list(attrs["window"]), list(attrs["strides"])
    if any(d != 1 for d in attrs.get("dilations", ())):
        raise ctx.unsupported("is dilated; TFLite's pools are not")
    if not isinstance(attrs["padding"], str):
        raise ctx.unsupported("has explicit paddings; TFLite's pools take SAME or VALID")
    x = ctx.tensor(node.inputs[0])
    if spatial == 1:
        x, window, strides = _as_2d(ctx, x), [1] + window, [1] + strides
    padding, x = _padding(ctx, x, attrs["padding"], 2)
    out = ctx.output()
    result = out if spatial == 2 else ctx.graph.tensor(
        ctx.hint("pool2d"), (out.shape[0], 1) + out.shape[1:], out.dtype)
    opcode = "MAX_POOL_2D" if node.prim.name == "max_pool" else "AVERAGE_POOL_2D"
    ctx.emit(opcode, [x], [result], ("Pool2DOptions", {
        "Padding": padding, "StrideH": strides[0], "StrideW": strides[1],
        "FilterHeight": window[0], "FilterWidth": window[1], "FusedActivationFunction": 0}))
    return out if spatial == 2 else _back_to_1d(ctx, result, out)


def _output_shape_tensor(ctx, x, out):
    """An int32 tensor of ``out``'s shape: constant, or the batch read from ``x`` by SHAPE
    and STRIDED_SLICE when it is dynamic."""
    dims = [d for d in out.shape[1:]]
    if out.shape[0] is not None:
        return ctx.graph.constant(ctx.hint("output_shape"), np.asarray(out.shape, np.int32))
    shape = ctx.graph.tensor(ctx.hint("input_shape"), (len(x.shape),), np.int32)
    ctx.emit("SHAPE", [x], [shape], ("ShapeOptions", {"OutType": 2}))
    batch = ctx.graph.tensor(ctx.hint("batch"), (1,), np.int32)
    ctx.emit("STRIDED_SLICE", [shape] + [ctx.graph.constant(ctx.hint(n), np.asarray([v], np.int32))
                                         for n, v in (("begin", 0), ("end", 1), ("strides", 1))],
             [batch], ("StridedSliceOptions", {"BeginMask": 0, "EndMask": 0,
                                               "ShrinkAxisMask": 0, "NewAxisMask": 0,
                                               "EllipsisMask": 0}))
    result = ctx.graph.tensor(ctx.hint("output_shape"), (len(out.shape),), np.int32)
    ctx.emit("CONCATENATION", [batch, ctx.graph.constant(ctx.hint("dims"),
                                                         np.asarray(dims, np.int32))],
             [result], ("ConcatenationOptions", {"Axis": 0, "FusedActivationFunction": 0}))
    return result


@lowers("conv_input_grad")
def lower_transposed_conv(ctx, node):
    """A transposed convolution (Conv2DTranspose): TRANSPOSE_CONV, filter ``[out, h, w,
    in]``; the third input only carries the output's shape."""
    if len(node.inputs[0].aval.shape) != 4:
        raise ctx.unsupported("is not two-dimensional; TFLite's TRANSPOSE_CONV is")
    kernel = ctx.array(node.inputs[1])
    attrs = node.attrs
    if kernel is None or attrs["groups"] != 1 or any(d != 1 for d in attrs["dilations"]) \
            or not isinstance(attrs["padding"], str):
        raise ctx.unsupported("has a run-time filter, groups, dilations or explicit "
                              "paddings; TFLite's TRANSPOSE_CONV has none of these")
    x, out = ctx.tensor(node.inputs[0]), ctx.output()
    weights = ctx.graph.constant(ctx.hint("filter"),
                                 np.transpose(kernel, (2, 0, 1, 3)).astype(np.float32))
    bias = ctx.graph.constant(ctx.hint("bias"), np.zeros(kernel.shape[2], np.float32))
    padding, _ = _padding(ctx, x, attrs["padding"], 2)
    ctx.emit("TRANSPOSE_CONV", [_output_shape_tensor(ctx, x, out), weights, x, bias], [out],
             ("TransposeConvOptions", {"Padding": padding, "StrideH": attrs["strides"][0],
                                       "StrideW": attrs["strides"][1],
                                       "FusedActivationFunction": 0}))
    return out
