"""ONNX for the core layers: Dense, Embedding, and the inference-time identities (Dropout
and the noise layers)."""

from __future__ import annotations

from fluxion.keras.layers.core.dense import Dense
from fluxion.keras.layers.core.embedding import Embedding
from fluxion.keras.layers.core.identity import Identity
from fluxion.keras.layers.regularization.activity_regularization import (
    ActivityRegularization,
)
from fluxion.keras.layers.regularization.dropout import Dropout
from fluxion.keras.layers.regularization.gaussian_noise import GaussianDropout, GaussianNoise
from fluxion.onnx.convert_activations import activation_nodes
from fluxion.onnx.errors import UnsupportedLayerError
from fluxion.onnx.registry import converts


@converts(Dense)
def convert_dense(graph, layer, inputs, shapes):
    x, hint = inputs[0], layer.name
    kernel = graph.constant(layer.kernel, f"{hint}/kernel")
    bias = graph.constant(layer.bias, f"{hint}/bias") if layer.use_bias else None
    if len(shapes[0]) == 2:  # Gemm: x @ kernel + bias in one node
        y = graph.node("Gemm", [x, kernel] + ([bias] if bias else []), hint)
    else:  # MatMul broadcasts over the leading axes
        y = graph.node("MatMul", [x, kernel], hint)
        if bias:
            y = graph.node("Add", [y, bias], hint)
    return activation_nodes(graph, y, layer.activation, hint, layer)


@converts(Embedding)
def convert_embedding(graph, layer, inputs, shapes):
    if layer.mask_zero:
        raise UnsupportedLayerError(layer, "mask_zero=True makes a Keras mask, which ONNX "
                                           "graphs do not carry; export with mask_zero=False")
    indices = inputs[0]
    if graph.dtype_of(indices) not in ("int32", "int64"):
        indices = graph.node("Cast", [indices], layer.name, to=7)  # 7: INT64
    return graph.node("Gather", [graph.constant(layer.embeddings, f"{layer.name}/embeddings"),
                                 indices], layer.name, axis=0)


@converts(Dropout, GaussianNoise, GaussianDropout, ActivityRegularization, Identity)
def convert_inference_identity(graph, layer, inputs, shapes):
    """These layers pass their input through unchanged at inference."""
    return inputs[0]
