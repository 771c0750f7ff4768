"""ONNX for the core layers: Dense, Embedding, the inference-time identities (Dropout and
the noise layers), and the reshaping layers Flatten, Reshape and Permute."""

from __future__ import annotations

from fluxion.keras.layers.core.dense import Dense
from fluxion.keras.layers.core.embedding import Embedding
from fluxion.keras.layers.core.identity import Identity
from fluxion.keras.layers.regularization.activity_regularization import (
    ActivityRegularization,
)
from fluxion.keras.layers.regularization.dropout import Dropout
from fluxion.keras.layers.regularization.gaussian_noise import GaussianDropout, GaussianNoise
from fluxion.keras.layers.reshaping.flatten import Flatten
from fluxion.keras.layers.reshaping.permute import Permute
from fluxion.keras.layers.reshaping.reshape import Reshape
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


@converts(Flatten)
def convert_flatten(graph, layer, inputs, shapes):
    x, rank = inputs[0], len(shapes[0])
    if rank == 1:
        return graph.node("Reshape", [x, graph.int64s([-1, 1], f"{layer.name}/shape")],
                          layer.name)
    if layer.data_format == "channels_first" and rank > 2:  # Keras flattens channels-last
        x = graph.transpose(x, [0] + list(range(2, rank)) + [1], layer.name)
    return graph.node("Flatten", [x], layer.name, axis=1)


@converts(Reshape)
def convert_reshape(graph, layer, inputs, shapes):
    # 0 copies the batch dimension from the input, so the batch stays dynamic.
    target = [0] + [int(d) for d in layer.target_shape]
    return graph.node("Reshape", [inputs[0], graph.int64s(target, f"{layer.name}/shape")],
                      layer.name)


@converts(Permute)
def convert_permute(graph, layer, inputs, shapes):
    return graph.transpose(inputs[0], [0] + [int(d) for d in layer.dims], layer.name)


