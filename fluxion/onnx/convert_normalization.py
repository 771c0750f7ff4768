"""ONNX for BatchNormalization (at inference), LayerNormalization, GroupNormalization and
UnitNormalization.

BatchNormalization is ``x * inv + shift`` along the layer's axis.

ONNX's BatchNormalization wants the channels on axis 1; Keras normalizes any axis (the
last by default).  The moving statistics fold into two per-feature constants, computed
as Fluxion's ``nn.batch_normalization`` computes them, broadcast along the Keras axis.
"""

from __future__ import annotations

import numpy as np

from fluxion.keras.layers.normalization.batch_normalization import BatchNormalization
from fluxion.keras.layers.normalization.group_normalization import GroupNormalization
from fluxion.keras.layers.normalization.layer_normalization import LayerNormalization
from fluxion.keras.layers.normalization.unit_normalization import _EPSILON as _UNIT_EPSILON
from fluxion.keras.layers.normalization.unit_normalization import UnitNormalization
from fluxion.onnx.registry import converts


def _array(variable) -> np.ndarray:
    return np.asarray(variable.numpy(), dtype=np.float32)


@converts(BatchNormalization)
def convert_batch_normalization(graph, layer, inputs, shapes):
    rank = len(shapes[0])
    axis = layer.axis % rank
    inv = np.float32(1) / np.sqrt(_array(layer.moving_variance) + np.float32(layer.epsilon))
    if layer.gamma is not None:
        inv = inv * _array(layer.gamma)
    shift = -(_array(layer.moving_mean) * inv)
    if layer.beta is not None:
        shift = shift + _array(layer.beta)
    broadcast = [1] * (rank - 1 - axis)  # trailing ones put the features on `axis`
    inv = inv.reshape(inv.shape + tuple(broadcast))
    shift = shift.reshape(shift.shape + tuple(broadcast))
    scaled = graph.node("Mul", [inputs[0], graph.constant(inv, f"{layer.name}/scale")],
                        layer.name)
    return graph.node("Add", [scaled, graph.constant(shift, f"{layer.name}/shift")],
                      layer.name)


@converts(LayerNormalization)
def convert_layer_normalization(graph, layer, inputs, shapes):
    """Composed as Fluxion computes it: ``x * inv + shift`` with the statistics of each
    sample over ``axis`` (``x * inv`` alone with ``rms_scaling``)."""
    x, hint, rank = inputs[0], layer.name, len(shapes[0])
    axes = sorted(int(a) % rank for a in layer._axes)
    # the parameters' shape along `axes`, ones elsewhere, so they broadcast onto x
    broadcast = [int(shapes[0][i]) if i in axes else 1 for i in range(rank)]
    mean = graph.reduce("ReduceMean", x, axes, hint, keepdims=True)
    centered = graph.node("Sub", [x, mean], hint)
    variance = graph.reduce("ReduceMean", graph.node("Mul", [centered, centered], hint), axes,
                            hint, keepdims=True)
    epsilon = graph.constant(np.float32(layer.epsilon), f"{hint}/epsilon")
    inv = graph.node("Reciprocal", [graph.node("Sqrt", [graph.node(
        "Add", [variance, epsilon], hint)], hint)], hint)
    if layer.gamma is not None:
        gamma = graph.constant(_array(layer.gamma).reshape(broadcast), f"{hint}/gamma")
        inv = graph.node("Mul", [inv, gamma], hint)
    scaled = graph.node("Mul", [x, inv], hint)
    if layer.rms_scaling:
        return scaled
    shift = graph.node("Neg", [graph.node("Mul", [mean, inv], hint)], hint)
    if layer.beta is not None:
        beta = graph.constant(_array(layer.beta).reshape(broadcast), f"{hint}/beta")
        shift = graph.node("Add", [shift, beta], hint)
    return graph.node("Add", [scaled, shift], hint)


def _group_average(graph, layer, per_channel: str, hint: str) -> str:
    """``[batch, channels]`` averaged within each group, spread back over the group's
    channels and shaped to broadcast onto the input (``[batch, 1.., channels, 1..]``)."""
    size = layer._channels // layer.groups
    grouped = graph.node("Reshape", [per_channel, graph.int64s([-1, layer.groups, size],
                                                                 f"{hint}/groups")], hint)
    averaged = graph.reduce("ReduceMean", grouped, [2], hint, keepdims=True)
    spread = graph.node("Mul", [averaged, graph.constant(
        np.ones((1, layer.groups, size), np.float32), f"{hint}/ones")], hint)
    return graph.node("Reshape", [spread, graph.int64s((-1,) + layer._channel_shape,
                                                       f"{hint}/channel_shape")], hint)


@converts(GroupNormalization)
def convert_group_normalization(graph, layer, inputs, shapes):
    """Composed as Fluxion computes it: per-channel means, averaged within each group."""
    x, hint = inputs[0], layer.name
    axes = list(layer._reduction_axes)
    mean = _group_average(graph, layer, graph.reduce("ReduceMean", x, axes, hint,
                                                     keepdims=False), hint)
    deviation = graph.node("Sub", [x, mean], hint)
    squares = graph.node("Mul", [deviation, deviation], hint)
    variance = _group_average(graph, layer, graph.reduce("ReduceMean", squares, axes, hint,
                                                         keepdims=False), hint)
    epsilon = graph.constant(np.float32(layer.epsilon), f"{hint}/epsilon")
    inv = graph.node("Reciprocal", [graph.node("Sqrt", [graph.node(
        "Add", [variance, epsilon], hint)], hint)], hint)
    channel_shape = (1,) + layer._channel_shape
    if layer.gamma is not None:
        gamma = graph.constant(_array(layer.gamma).reshape(channel_shape), f"{hint}/gamma")
        inv = graph.node("Mul", [inv, gamma], hint)
    outputs = graph.node("Mul", [deviation, inv], hint)
    if layer.beta is not None:
        beta = graph.constant(_array(layer.beta).reshape(channel_shape), f"{hint}/beta")
        outputs = graph.node("Add", [outputs, beta], hint)
    return outputs


@converts(UnitNormalization)
def convert_unit_normalization(graph, layer, inputs, shapes):
    """``x * min(rsqrt(sum(x^2, axis)), 1 / epsilon)``."""
    x, hint = inputs[0], layer.name
    axes = layer.axis if isinstance(layer.axis, list) else [layer.axis]
    square_sum = graph.reduce("ReduceSum", graph.node("Mul", [x, x], hint),
                              [int(a) for a in axes], hint, keepdims=True)
    inv = graph.node("Reciprocal", [graph.node("Sqrt", [square_sum], hint)], hint)
    cap = graph.constant(np.float32(1.0 / _UNIT_EPSILON), f"{hint}/cap")
    return graph.node("Mul", [x, graph.node("Min", [inv, cap], hint)], hint)
