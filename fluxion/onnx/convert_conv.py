"""ONNX for convolution and pooling layers (1D, 2D and 3D).

ONNX's Conv and pools are channels-first.  A channels-last Keras layer is exported as
Transpose (NH..C -> NCH..) -> op -> Transpose back; the builder memoises transposes and
their inverses, so a chain of convolutions and pools changes layout once at each end.
Keras's kernel ``(*window, in/groups, out)`` becomes ONNX's ``(out, in/groups, *window)``.
"""

from __future__ import annotations

import numpy as np

from fluxion.keras.layers.convolutional.base_conv import BaseConv
from fluxion.keras.layers.convolutional.depthwise_conv import BaseDepthwiseConv
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


def _conv_nodes(graph, layer, x: str, weight: np.ndarray, group: int) -> str:
    rank, hint = layer.rank, layer.name
    inputs = [_to_channels_first(graph, x, rank, layer), graph.constant(weight, f"{hint}/kernel")]
    if layer.use_bias:
        inputs.append(graph.constant(layer.bias, f"{hint}/bias"))
    y = graph.node("Conv", inputs, hint, kernel_shape=list(layer.kernel_size),
                   strides=list(layer.strides), dilations=list(layer.dilation_rate),
                   group=group, **_padding_attributes(layer, rank))
    y = activation_nodes(graph, y, layer.activation, hint, layer)  # elementwise: any layout
    return _to_channels_last(graph, y, rank, layer)


@converts(BaseConv)
def convert_conv(graph, layer, inputs, shapes):
    kernel = np.asarray(layer.kernel.numpy())
    rank = layer.rank
    weight = kernel.transpose([rank + 1, rank] + list(range(rank)))
    return _conv_nodes(graph, layer, inputs[0], weight, group=int(layer.groups))


@converts(BaseDepthwiseConv)
def convert_depthwise_conv(graph, layer, inputs, shapes):
    kernel = np.asarray(layer.kernel.numpy())  # (*window, in, multiplier)
    rank, channels = layer.rank, kernel.shape[-2]
    # output channel c * multiplier + m filters input channel c: ONNX grouped conv, one
    # group per input channel
    merged = kernel.reshape(kernel.shape[:rank] + (1, channels * kernel.shape[-1]))
    weight = merged.transpose([rank + 1, rank] + list(range(rank)))
    return _conv_nodes(graph, layer, inputs[0], weight, group=int(channels))


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
