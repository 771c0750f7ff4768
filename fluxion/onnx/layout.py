"""The layout pass: moves Transpose nodes down the ONNX graph and cancels inverse pairs.

Channels-last convolutions and pools are exported as Transpose -> op -> Transpose
back, so two neighbouring convolutions leave ``Transpose(p)`` then ``Transpose(p⁻¹)``
between them, usually with a bias add and an activation in the middle.  The pass
pushes a Transpose whose result has one reader past that reader when the reader
does not care about layout:

- elementwise operators with one run-time operand (the others constants, which are
  stored permuted), or whose run-time operands are all Transposes by the same
  permutation (a residual add of two convolution branches);
- reductions (their axes are renumbered; a Transpose of the kept axes follows when
  their order changes);
- another Transpose: the two become one, or nothing when they cancel.

It stops at everything else (a Flatten's Reshape, the graph's outputs), so a chain of
convolutions changes layout once at each end.
"""

from __future__ import annotations

import numpy as np

from fluxion.onnx.builder import OnnxGraph, OnnxNode

_UNARY = {"Relu", "Tanh", "Sigmoid", "Exp", "Log", "Neg", "Abs", "Sqrt", "Reciprocal",
          "Erf", "Softplus", "Softsign", "Elu", "LeakyRelu", "Selu", "HardSigmoid",
          "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Cast", "Not", "IsNaN", "IsInf",
          "Identity"}
_ELEMENTWISE = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Equal", "Less",
                "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Where"}
_REDUCERS = {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd"}


def optimize_layout(graph: OnnxGraph) -> None:
    """Rewrites ``graph`` in place until no Transpose can move further."""
    while _one_rewrite(graph):
        pass
    _drop_identities(graph)


def _one_rewrite(graph: OnnxGraph) -> bool:
    readers: dict[str, list[OnnxNode]] = {}
    producers: dict[str, OnnxNode] = {}
    for node in graph.nodes:
        for name in node.inputs:
            readers.setdefault(name, []).append(node)
        for name in node.outputs:
            producers[name] = node
    outputs = {name for name, _, _ in graph.outputs}
    for transpose in graph.nodes:
        if transpose.op_type != "Transpose":
            continue
        result = transpose.outputs[0]
        if result in outputs or len(readers.get(result, [])) != 1:
            continue
        reader = readers[result][0]
        perm = list(transpose.attributes["perm"])
        if reader.op_type == "Transpose":
            _merge(graph, transpose, reader, perm, readers)
            return True
        if reader.op_type in _UNARY and reader.inputs[0] == result and \
                len(reader.inputs) == 1:
            _swap(graph, transpose, reader, perm, {0: transpose})
            return True
        if reader.op_type in _ELEMENTWISE and _sink_elementwise(graph, reader, perm,
                                                                readers, producers):
            return True
        if reader.op_type in _REDUCERS and _sink_reduce(graph, transpose, reader, perm):
            return True
    return False


def _merge(graph, first: OnnxNode, second: OnnxNode, perm, readers) -> None:
    """Transpose(Transpose(x, p), q) is Transpose(x, p[q]) — or x itself."""
    combined = [perm[q] for q in second.attributes["perm"]]
    graph.nodes.remove(first)
    second.inputs[0] = first.inputs[0]
    if combined == sorted(combined):
        second.op_type, second.attributes = "Identity", {}
    else:
        second.attributes = {"perm": combined}


def _swap(graph, transpose: OnnxNode, reader: OnnxNode, perm, moved: dict) -> None:
    """``reader(Transpose(x))`` becomes ``Transpose(reader(x))``; ``moved`` maps the
    reader's input positions to the Transposes (all by ``perm``) it now reads past."""
    for position, node in moved.items():
        reader.inputs[position] = node.inputs[0]
        graph.nodes.remove(node)
    result = reader.outputs[0]
    inner = graph.fresh(f"{result}/channels_first")
    reader.outputs[0] = inner
    at = graph.nodes.index(reader) + 1
    graph.nodes.insert(at, OnnxNode("Transpose", [inner], [result],
                                    graph.fresh(f"{result}/Transpose"), {"perm": perm}))


def _sink_elementwise(graph, reader, perm, readers, producers) -> bool:
    rank = len(perm)
    inverse = list(np.argsort(perm))
    moved, constants = {}, {}
    for position, name in enumerate(reader.inputs):
        producer = producers.get(name)
        if name in graph.initializers:
            array = graph.initializers[name]
            if array.ndim > rank:
                return False
            constants[position] = array
        elif producer is not None and producer.op_type == "Transpose" and \
                list(producer.attributes["perm"]) == perm and len(readers[name]) == 1:
            moved[position] = producer
        else:
            return False
    if not moved:
        return False
    for position, array in constants.items():
        expanded = array.reshape((1,) * (rank - array.ndim) + array.shape)
        reader.inputs[position] = graph.constant(np.transpose(expanded, inverse),
                                                 f"{reader.inputs[position]}/permuted")
    _swap(graph, None, reader, perm, moved)
    return True


def _sink_reduce(graph, transpose, reader, perm) -> bool:
    """``Reduce(Transpose(x, p), axes)`` is ``Reduce(x, p[axes])``, then a Transpose of
    the kept axes when reducing changed their order."""
    axes = _reduce_axes(graph, reader)
    if axes is None:
        return False
    rank = len(perm)
    axes = [a % rank for a in axes]
    keepdims = reader.attributes.get("keepdims", 1)
    new_axes = sorted(perm[a] for a in axes)
    if len(reader.inputs) > 1:
        reader.inputs[1] = graph.int64s(new_axes, f"{reader.name}/axes")
    else:
        reader.attributes["axes"] = new_axes
    if keepdims:
        _swap(graph, transpose, reader, perm, {0: transpose})
        return True
    kept = [perm[i] for i in range(rank) if i not in axes]  # x's axes, in the result's order
    order = [sorted(kept).index(axis) for axis in kept]
    reader.inputs[0] = transpose.inputs[0]
    graph.nodes.remove(transpose)
    if order != sorted(order):
        _swap(graph, transpose, reader, order, {})
    return True


def _reduce_axes(graph, node) -> list[int] | None:
    if len(node.inputs) > 1:
        axes = graph.initializers.get(node.inputs[1])
        return None if axes is None else [int(a) for a in axes.reshape(-1)]
    return node.attributes.get("axes")


def _drop_identities(graph: OnnxGraph) -> None:
    """Identity nodes go: readers read the Identity's input, and an output Identity
    renames the node computing its input when nothing else reads that."""
    outputs = {name for name, _, _ in graph.outputs}
    inputs = {name for name, _, _ in graph.inputs}
    renamed: dict[str, str] = {}
    for node in list(graph.nodes):
        node.inputs = [renamed.get(name, name) for name in node.inputs]
        if node.op_type == "Identity" and node.outputs[0] not in outputs:
            renamed[node.outputs[0]] = node.inputs[0]
            graph.nodes.remove(node)
    readers: dict[str, int] = {}
    for node in graph.nodes:
        for name in node.inputs:
            readers[name] = readers.get(name, 0) + 1
    producers = {name: node for node in graph.nodes for name in node.outputs}
    for node in list(graph.nodes):
        source = node.inputs[0] if node.op_type == "Identity" else None
        producer = producers.get(source)
        if producer is None or source in outputs or source in inputs or \
                readers.get(source, 0) != 1:
            continue
        producer.outputs[producer.outputs.index(source)] = node.outputs[0]
        producers[node.outputs[0]] = producer
        graph.nodes.remove(node)
