"""ONNX for BatchNormalization at inference: ``x * inv + shift`` along the layer's axis.

ONNX's BatchNormalization wants the channels on axis 1; Keras normalizes any axis (the
last by default).  The moving statistics fold into two per-feature constants, computed
as Fluxion's ``nn.batch_normalization`` computes them, broadcast along the Keras axis.
"""

from __future__ import annotations

import numpy as np

from fluxion.keras.layers.normalization.batch_normalization import BatchNormalization
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
