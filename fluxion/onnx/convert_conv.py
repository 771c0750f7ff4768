"""ONNX for convolution and pooling layers (1D, 2D and 3D).

ONNX's Conv and pools are channels-first.  A channels-last Keras layer is exported as
Transpose (NH..C -> NCH..) -> op -> Transpose back; the builder memoises transposes and
their inverses, so a chain of convolutions and pools changes layout once at each end.
Keras's kernel ``(*window, in/groups, out)`` becomes ONNX's ``(out, in/groups, *window)``.
"""

from __future__ import annotations

import numpy as np

from fluxion.keras.layers.convolutional.base_conv import BaseConv
from fluxion.keras.layers.convolutional.base_conv_transpose import BaseConvTranspose
from fluxion.keras.layers.convolutional.depthwise_conv import BaseDepthwiseConv
from fluxion.keras.layers.convolutional.separable_conv import BaseSeparableConv
from fluxion.keras.layers.pooling.base_pooling import BasePooling
from fluxion.keras.layers.pooling.global_pooling import (
    BaseGlobalPooling,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
)
from fluxion.onnx.convert_activations import activation_nodes
from fluxion.onnx.errors import UnsupportedLayerError
from fluxion.onnx.registry import converts


def _to_channels_first(graph, x: str, rank: int, layer) -> str:
    if layer.data_format == "channels_first":
        return x
    return graph.transpose(x, [0, rank + 1] + list(range(1, rank + 1)), layer.name)


def _to_channels_last(graph, x: str, rank: int, layer) -> str:
    if layer.data_format == "channels_first":
        return x
    return graph.transpose(x, [0] + list(range(2, rank + 2)) + [1], layer.name)


def _padding_attributes(layer, rank: int) -> dict:
    padding = layer.padding.lower()
    if padding == "same" and any(d > 1 for d in layer.dilation_rate):
        # onnxruntime refuses SAME_* with dilation; Keras allows dilation only with stride
        # 1, where the padding, d (k - 1) an axis, does not depend on the input size
        totals = [d * (k - 1) for d, k in zip(layer.dilation_rate, layer.kernel_size)]
        return {"pads": [t // 2 for t in totals] + [t - t // 2 for t in totals]}
    if padding == "same":  # TF puts the odd padding element at the end, as SAME_UPPER does
        return {"auto_pad": "SAME_UPPER"}
    if padding == "causal":  # all padding before the (single) axis
        return {"pads": [layer.dilation_rate[0] * (layer.kernel_size[0] - 1), 0]}
    return {"pads": [0] * (2 * rank)}


def _onnx_kernel(kernel) -> np.ndarray:
    """Keras's ``(*window, a, b)`` kernel as ONNX's ``(b, a, *window)``."""
    kernel = np.asarray(kernel.numpy() if hasattr(kernel, "numpy") else kernel)
    rank = kernel.ndim - 2
    return kernel.transpose([rank + 1, rank] + list(range(rank)))


def _depthwise_weight(kernel) -> np.ndarray:
    """A ``(*window, in, multiplier)`` depthwise kernel as a grouped Conv's weight: output
    channel ``c * multiplier + m`` filters input channel ``c`` (one group a channel)."""
    kernel = np.asarray(kernel.numpy())
    rank, channels = kernel.ndim - 2, kernel.shape[-2]
    return _onnx_kernel(kernel.reshape(kernel.shape[:rank] + (1, channels * kernel.shape[-1])))


def _conv(graph, layer, x: str, weight: np.ndarray, group: int, bias=None, **window) -> str:
    """A channels-first Conv node (``window``: padding, strides and dilations)."""
    inputs = [x, graph.constant(weight, f"{layer.name}/kernel")]
    if bias is not None:
        inputs.append(graph.constant(bias, f"{layer.name}/bias"))
    return graph.node("Conv", inputs, layer.name, kernel_shape=list(weight.shape[2:]),
                      group=group, **window)


def _window(layer) -> dict:
    return {"strides": list(layer.strides), "dilations": list(layer.dilation_rate),
            **_padding_attributes(layer, layer.rank)}


def _conv_nodes(graph, layer, x: str, weight: np.ndarray, group: int) -> str:
    rank = layer.rank
    y = _conv(graph, layer, _to_channels_first(graph, x, rank, layer), weight, group,
              layer.bias if layer.use_bias else None, **_window(layer))
    y = activation_nodes(graph, y, layer.activation, layer.name, layer)  # any layout
    return _to_channels_last(graph, y, rank, layer)


@converts(BaseConv)
def convert_conv(graph, layer, inputs, shapes):
    return _conv_nodes(graph, layer, inputs[0], _onnx_kernel(layer.kernel),
                       group=int(layer.groups))


@converts(BaseDepthwiseConv)
def convert_depthwise_conv(graph, layer, inputs, shapes):
    return _conv_nodes(graph, layer, inputs[0], _depthwise_weight(layer.kernel),
                       group=int(layer.kernel.shape[-2]))


@converts(BaseSeparableConv)
def convert_separable_conv(graph, layer, inputs, shapes):
    """A depthwise Conv, then a pointwise (1x1) Conv with the bias, then the activation."""
    rank = layer.rank
    x = _to_channels_first(graph, inputs[0], rank, layer)
    hidden = _conv(graph, layer, x, _depthwise_weight(layer.depthwise_kernel),
                   int(layer.depthwise_kernel.shape[-2]), **_window(layer))
    y = _conv(graph, layer, hidden, _onnx_kernel(layer.pointwise_kernel), 1,
              layer.bias if layer.use_bias else None, pads=[0] * (2 * rank))
    y = activation_nodes(graph, y, layer.activation, layer.name, layer)
    return _to_channels_last(graph, y, rank, layer)


@converts(BaseConvTranspose)
def convert_conv_transpose(graph, layer, inputs, shapes):
    """ConvTranspose with explicit pads.  The full transposed output, ``(n - 1) s + k``
    long, is cropped as TF crops it (by the forward convolution's leading pad) to Keras's
    output size, zero-extended at the end (``output_padding``) where that is longer.  All
    three amounts are the same for every input length n, so n = 1 is used."""
    rank = layer.rank
    begins, ends, extra = [], [], []
    for axis in range(rank):
        kernel = (layer.kernel_size[axis] - 1) * layer.dilation_rate[axis] + 1
        full, wanted = kernel, layer._output_size(1, axis)
        before = 0 if layer.padding == "valid" else max(full - wanted, 0) // 2
        begins.append(before)
        ends.append(max(full - before - wanted, 0))
        extra.append(max(wanted - (full - before), 0))
    x = _to_channels_first(graph, inputs[0], rank, layer)
    node_inputs = [x, graph.constant(_onnx_kernel(layer.kernel), f"{layer.name}/kernel")]
    if layer.use_bias:
        node_inputs.append(graph.constant(layer.bias, f"{layer.name}/bias"))
    y = graph.node("ConvTranspose", node_inputs, layer.name,
                   kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
                   dilations=list(layer.dilation_rate), pads=begins + ends,
                   output_padding=extra)
    y = activation_nodes(graph, y, layer.activation, layer.name, layer)
    return _to_channels_last(graph, y, rank, layer)


@converts(BasePooling)
def convert_pooling(graph, layer, inputs, shapes):
    rank = len(layer.pool_size)
    op_type = {"max": "MaxPool", "average": "AveragePool"}.get(layer.pool_mode)
    if op_type is None:
        raise UnsupportedLayerError(layer, f"pool mode {layer.pool_mode!r} has no ONNX pool")
    padding = layer.padding.lower()
    attributes = {"auto_pad": "SAME_UPPER"} if padding == "same" else {"pads": [0] * 2 * rank}
    # AveragePool's default count_include_pad=0 divides by the window's valid cells, as TF
    y = graph.node(op_type, [_to_channels_first(graph, inputs[0], rank, layer)], layer.name,
                   kernel_shape=list(layer.pool_size), strides=list(layer.strides),
                   **attributes)
    return _to_channels_last(graph, y, rank, layer)


@converts(BaseGlobalPooling, GlobalAveragePooling1D)  # masks never reach it: no exported
# layer makes one (Embedding with mask_zero=True is refused)
def convert_global_pooling(graph, layer, inputs, shapes):
    average = isinstance(layer, (GlobalAveragePooling1D, GlobalAveragePooling2D,
                                 GlobalAveragePooling3D))
    return graph.reduce("ReduceMean" if average else "ReduceMax", inputs[0],
                        [int(a) for a in layer._axes], layer.name, keepdims=layer.keepdims)
