"""ONNX for the numeric preprocessing layers a model may start with: Rescaling and
Normalization (given or adapted statistics), computed with Fluxion's arithmetic."""

from __future__ import annotations

import numpy as np

from fluxion.keras.layers.preprocessing.normalization import _EPSILON, Normalization
from fluxion.keras.layers.preprocessing.rescaling import Rescaling
from fluxion.onnx.registry import converts

_FLOAT = 1  # onnx.TensorProto.FLOAT


def _as_float(graph, x: str, hint: str) -> str:
    """Integer images (uint8...) cast to float32, as the layers cast them."""
    return x if graph.dtype_of(x) == "float32" else graph.node("Cast", [x], hint, to=_FLOAT)


@converts(Rescaling)
def convert_rescaling(graph, layer, inputs, shapes):
    from fluxion.keras import config

    scale = np.asarray(layer.scale, np.float32)
    if scale.ndim and config.image_data_format() == "channels_first":
        scale = scale.reshape(scale.shape + (1,) * (3 - scale.ndim))
    x = _as_float(graph, inputs[0], layer.name)
    scaled = graph.node("Mul", [x, graph.constant(scale, f"{layer.name}/scale")], layer.name)
    offset = graph.constant(np.asarray(layer.offset, np.float32), f"{layer.name}/offset")
    return graph.node("Add", [scaled, offset], layer.name)


@converts(Normalization)
def convert_normalization(graph, layer, inputs, shapes):
    if layer.input_mean is None:  # adapted: the statistics are weights
        mean = np.asarray(layer.adapt_mean.numpy(), np.float32).reshape(layer._broadcast_shape)
        variance = np.asarray(layer.adapt_variance.numpy(),
                              np.float32).reshape(layer._broadcast_shape)
    else:
        mean = np.asarray(layer.mean, np.float32)
        variance = np.asarray(layer.variance, np.float32)
    scale = np.maximum(np.sqrt(variance), np.float32(_EPSILON))
    hint = layer.name
    x = _as_float(graph, inputs[0], hint)
    mean, scale = graph.constant(mean, f"{hint}/mean"), graph.constant(scale, f"{hint}/scale")
    if layer.invert:
        return graph.node("Add", [mean, graph.node("Mul", [x, scale], hint)], hint)
    return graph.node("Div", [graph.node("Sub", [x, mean], hint), scale], hint)
