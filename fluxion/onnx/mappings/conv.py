"""ONNX for convolutions and pooling (1-, 2- and 3-D): Conv, ConvTranspose (the
``conv_input_grad`` a transposed convolution traces to), MaxPool and AveragePool.

Fluxion is channels-last, ONNX's operators channels-first: each node is exported as
Transpose (NH..C -> NCH..) -> op -> Transpose back, and the layout pass
(``fluxion.onnx.layout``) cancels the inverse pairs this leaves between neighbours.
The kernel ``(*window, in/groups, out)`` is stored as ONNX's ``(out, in/groups,
*window)``.  Paddings are written out per axis from Fluxion's own window geometry
(spatial sizes are known when traced), so SAME with dilation needs no ``auto_pad``.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitives.conv import window_geometry
from fluxion.onnx.mappings import lowers


def to_channels_first(ctx, name: str, rank: int) -> str:
    return ctx.transpose(name, [0, rank - 1] + list(range(1, rank - 1)))


def to_channels_last(ctx, name: str, rank: int) -> str:
    return ctx.transpose(name, [0] + list(range(2, rank)) + [1])


def _pads(ctx, sizes, window, strides, dilations, padding) -> dict:
    """ONNX's ``pads`` (all begins, then all ends) from Fluxion's window geometry."""
    if isinstance(padding, str) and padding == "VALID":
        return {"pads": [0] * (2 * len(window))}
    pairs, _ = window_geometry(sizes, window, strides, dilations, padding)
    if any(lo is None for lo, _ in pairs):  # SAME over a size unknown when traced
        if any(d != 1 for d in dilations):
            raise ctx.unsupported("pads SAME with dilation over a spatial size unknown when "
                                  "traced; give the spatial sizes in keras.Input")
        return {"auto_pad": "SAME_UPPER"}  # TF puts the odd padding element at the end
    return {"pads": [int(lo) for lo, _ in pairs] + [int(hi) for _, hi in pairs]}


def _onnx_kernel(ctx, value) -> str:
    """The kernel ``(*window, a, b)`` as ONNX's ``(b, a, *window)``."""
    rank = len(value.aval.shape) - 2
    perm = [rank + 1, rank] + list(range(rank))
    array = ctx.array(value)
    if array is not None:
        return ctx.constant(np.ascontiguousarray(array.transpose(perm)), "kernel",
                            ctx.dtype())
    return ctx.transpose(ctx.name(value), perm)


@lowers("conv")
def lower_conv(ctx, node):
    x_value, kernel_value = node.inputs
    attrs = node.attrs
    rank = len(x_value.aval.shape)
    window = tuple(kernel_value.aval.shape[:-2])
    x = to_channels_first(ctx, ctx.name(x_value), rank)
    pads = _pads(ctx, x_value.aval.shape[1:-1], window, attrs["strides"],
                 attrs["dilations"], attrs["padding"])
    y = ctx.emit("Conv", [x, _onnx_kernel(ctx, kernel_value)], group=int(attrs["groups"]),
                 strides=[int(s) for s in attrs["strides"]],
                 dilations=[int(d) for d in attrs["dilations"]],
                 kernel_shape=[int(k) for k in window], **pads)
    return to_channels_last(ctx, y, rank)


@lowers("conv_input_grad")
def lower_transposed_conv(ctx, node):
    """The input gradient of a convolution is a transposed convolution: ConvTranspose
    with the forward convolution's pads, and ``output_padding`` giving back the rows a
    strided forward convolution dropped (the third input, ``like``, holds the size)."""
    g_value, kernel_value, like = node.inputs
    attrs = node.attrs
    rank = len(g_value.aval.shape)
    window = tuple(kernel_value.aval.shape[:-2])
    sizes = like.aval.shape[1:-1]
    if any(s is None for s in sizes):
        raise ctx.unsupported("has an output size unknown when traced; give the spatial "
                              "sizes in keras.Input")
    strides, dilations = list(attrs["strides"]), list(attrs["dilations"])
    pairs, outs = window_geometry(sizes, window, strides, dilations, attrs["padding"])
    extra = [size + lo + hi - (d * (k - 1) + 1) - s * (n - 1)
             for size, (lo, hi), d, k, s, n in zip(sizes, pairs, dilations, window, strides,
                                                   outs)]
    g = to_channels_first(ctx, ctx.name(g_value), rank)
    y = ctx.emit("ConvTranspose", [g, _onnx_kernel(ctx, kernel_value)],
                 group=int(attrs["groups"]), strides=[int(s) for s in strides],
                 dilations=[int(d) for d in dilations], kernel_shape=[int(k) for k in window],
                 pads=[int(lo) for lo, _ in pairs] + [int(hi) for _, hi in pairs],
                 output_padding=[int(e) for e in extra])
    return to_channels_last(ctx, y, rank)


@lowers("max_pool", "avg_pool")
def lower_pool(ctx, node):
    attrs = node.attrs
    x_value = node.inputs[0]
    rank = len(x_value.aval.shape)
    window, strides = list(attrs["window"]), list(attrs["strides"])
    dilations = list(attrs.get("dilations") or [1] * len(window))
    pads = _pads(ctx, x_value.aval.shape[1:-1], window, strides, dilations, attrs["padding"])
    x = to_channels_first(ctx, ctx.name(x_value), rank)
    common = dict(kernel_shape=[int(k) for k in window], strides=[int(s) for s in strides],
                  **pads)
    if node.prim.name == "max_pool":
        y = ctx.emit("MaxPool", [x], dilations=[int(d) for d in dilations], **common)
    else:
        if any(d != 1 for d in dilations) and ctx.opset < 19:
            raise ctx.unsupported("is a dilated average pool; ONNX's AveragePool takes "
                                  "dilations from opset 19 (export with opset=19)")
        extra = {"dilations": [int(d) for d in dilations]} if ctx.opset >= 19 else {}
        # padded cells do not count in TF's average, as with count_include_pad=0
        y = ctx.emit("AveragePool", [x], count_include_pad=0, **common, **extra)
    return to_channels_last(ctx, y, rank)
