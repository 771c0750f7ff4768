"""Folds constant scale and shift nodes into the weights before them.

Fluxion traces a convolution's bias and an inference batch norm as their own nodes
(``conv -> add bias -> mul scale -> add shift``).  After the layout pass they read the
channels-first Conv output with ``[1, C, 1, ...]`` constants, and this pass stores them
in the Conv's weight and bias instead, as TF's and Keras's exporters do:

- ``Add``/``Sub`` of a per-channel constant after a Conv goes into its bias input;
- ``Mul`` by a per-channel constant after a Conv or a MatMul with a constant 2-D
  weight scales the weight's output channels (and the Conv's bias);
- ``Mul(Add(y, a), c)`` becomes ``Add(Mul(y, c), a * c)``, so a Dense layer's batch
  norm folds too, and two constant Adds in a row become one.
"""

from __future__ import annotations

import numpy as np

from fluxion.onnx.builder import OnnxGraph, OnnxNode


def fold_constants_into_weights(graph: OnnxGraph) -> None:
    while _one_fold(graph):
        pass


def _one_fold(graph: OnnxGraph) -> bool:
    readers: dict[str, list[OnnxNode]] = {}
    for node in graph.nodes:
        for name in node.inputs:
            readers.setdefault(name, []).append(node)
    producers = {name: node for node in graph.nodes for name in node.outputs}
    outputs = {name for name, _, _ in graph.outputs}
    for node in graph.nodes:
        result = node.outputs[0]
        if result in outputs or len(readers.get(result, [])) != 1:
            continue
        reader = readers[result][0]
        constant = _other_constant(graph, reader, result)
        if constant is None:
            continue
        if node.op_type == "Conv" and _fold_into_conv(graph, node, reader, constant):
            return True
        if node.op_type == "MatMul" and reader.op_type == "Mul" and \
                _fold_into_matmul(graph, node, reader, constant):
            return True
        weighted = producers.get(node.inputs[0])
        if node.op_type == "Add" and reader.op_type in ("Add", "Mul") and \
                weighted is not None and weighted.op_type in ("MatMul", "Conv") and \
                _distribute(graph, node, reader, constant):
            return True
    return False


def _other_constant(graph, reader: OnnxNode, result: str):
    """The constant other operand of a binary Add/Sub/Mul reading ``result`` first."""
    if reader.op_type not in ("Add", "Sub", "Mul") or len(reader.inputs) != 2:
        return None
    if reader.inputs[0] != result or reader.inputs[1] == result:
        return None
    return graph.initializers.get(reader.inputs[1])


def _channel_vector(constant: np.ndarray, rank: int, axis: int, channels: int):
    """``constant`` as a vector of ``channels`` when it varies along ``axis`` of a
    rank-``rank`` result only (or not at all), else None."""
    if constant.ndim > rank:
        return None
    shape = (1,) * (rank - constant.ndim) + constant.shape
    if any(size != 1 for i, size in enumerate(shape) if i != axis % rank) or \
            shape[axis % rank] not in (1, channels):
        return None
    return np.broadcast_to(constant.reshape(-1), (channels,))


def _bypass(graph, node: OnnxNode, reader: OnnxNode) -> None:
    """``reader`` goes: ``node`` computes its output."""
    node.outputs[0] = reader.outputs[0]
    graph.nodes.remove(reader)


def _fold_into_conv(graph, conv: OnnxNode, reader: OnnxNode, constant) -> bool:
    weight = graph.initializers.get(conv.inputs[1])
    if weight is None or (len(conv.inputs) > 2 and conv.inputs[2] not in graph.initializers):
        return False
    channels = weight.shape[0]
    vector = _channel_vector(constant, weight.ndim, 1, channels)
    if vector is None or np.result_type(vector, weight) != weight.dtype:
        return False
    bias = graph.initializers[conv.inputs[2]] if len(conv.inputs) > 2 else \
        np.zeros(channels, weight.dtype)
    if reader.op_type == "Mul":
        weight = weight * vector.reshape((-1,) + (1,) * (weight.ndim - 1))
        bias = bias * vector
        conv.inputs[1] = graph.constant(weight.astype(weight.dtype), f"{conv.name}/W")
    else:
        bias = bias + vector if reader.op_type == "Add" else bias - vector
    bias_name = graph.constant(bias.astype(weight.dtype), f"{conv.name}/B")
    conv.inputs = conv.inputs[:2] + [bias_name]
    _bypass(graph, conv, reader)
    return True


def _fold_into_matmul(graph, matmul: OnnxNode, reader: OnnxNode, constant) -> bool:
    weight = graph.initializers.get(matmul.inputs[1])
    if weight is None or weight.ndim != 2:
        return False
    vector = _channel_vector(constant, 2, -1, weight.shape[1])
    if vector is None or constant.ndim > 2 or np.result_type(vector, weight) != weight.dtype:
        return False  # a constant of higher rank would also broadcast the result up
    matmul.inputs[1] = graph.constant((weight * vector).astype(weight.dtype),
                                      f"{matmul.name}/W")
    _bypass(graph, matmul, reader)
    return True


def _distribute(graph, add: OnnxNode, reader: OnnxNode, constant) -> bool:
    """``(y + a) * c`` as ``y * c + a * c``; ``(y + a) + b`` as ``y + (a + b)``."""
    shift = graph.initializers.get(add.inputs[1])
    if shift is None or add.inputs[0] == add.inputs[1]:
        return False
    combined = shift * constant if reader.op_type == "Mul" else shift + constant
    if combined.dtype != shift.dtype:
        return False
    if reader.op_type == "Mul":  # the Mul now reads y, the Add reads the Mul
        y = add.inputs[0]
        scaled = graph.fresh(f"{reader.outputs[0]}/scaled")
        reader.inputs[0], add.inputs[0] = y, scaled
        reader.outputs[0], add.outputs[0] = scaled, reader.outputs[0]
        add.inputs[1] = graph.constant(combined, f"{add.name}/shift")
        graph.nodes.remove(reader)
        graph.nodes.insert(graph.nodes.index(add), reader)
        return True
    add.inputs[1] = graph.constant(combined, f"{add.name}/shift")
    _bypass(graph, add, reader)
    return True
