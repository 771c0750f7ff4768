"""The layout pass: moves Transpose nodes down the ONNX graph and cancels inverse pairs.

Channels-last convolutions and pools are exported as Transpose -> op -> Transpose
back, so two neighbouring convolutions leave ``Transpose(p)`` then ``Transpose(p⁻¹)``
between them, usually with a bias add and an activation in the middle.  The pass
pushes a Transpose whose result has one reader past that reader when the reader
does not care about layout:

- elementwise operators with one run-time operand (the others constants, which are
  stored permuted), or whose run-time operands are all Transposes by the same
  permutation (a residual add of two convolution branches);
- Pad, Slice and reductions (their axes are renumbered; after a reduction a Transpose
  of the kept axes follows when their order changes);
- another Transpose: the two become one, or nothing when they cancel.

A Transpose of a Reshape's result that moves only axes of size 1 becomes part of the
Reshape.

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
    _merge_equal_transposes(graph)
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
        perm = list(transpose.attributes["perm"])
        if _fold_into_reshape(graph, transpose, perm, readers, producers):
            return True
        chained = [r for r in readers.get(result, []) if r.op_type == "Transpose"]
        if chained:  # each reader that transposes again reads x, by one combined perm
            for reader in chained:
                _merge(transpose, reader, perm)
            if len(chained) == len(readers[result]) and result not in outputs:
                graph.nodes.remove(transpose)  # no reader left
            return True
        distinct = list({id(r): r for r in readers.get(result, [])}.values())
        if result in outputs or not distinct:
            continue
        if len(distinct) > 1:  # one copy a reader: each sinks on its own path
            _split_readers(graph, transpose, distinct)
            return True
        reader = distinct[0]
        if reader.op_type in _UNARY and reader.inputs[0] == result and \
                len(reader.inputs) == 1:
            _swap(graph, transpose, reader, perm, {0: transpose})
            return True
        if reader.op_type in _ELEMENTWISE | {"Concat"} and \
                _sink_elementwise(graph, reader, perm, readers, producers):
            return True
        if reader.op_type in _REDUCERS and _sink_reduce(graph, transpose, reader, perm):
            return True
        if reader.op_type == "Pad" and reader.inputs[0] == result and \
                _sink_pad(graph, transpose, reader, perm):
            return True
        if reader.op_type == "Slice" and reader.inputs[0] == result and \
                _sink_slice(graph, transpose, reader, perm):
            return True
    return False


def _fold_into_reshape(graph, transpose, perm, readers, producers) -> bool:
    """``Transpose(Reshape(y, shape), p)`` that moves only axes of size 1 is a Reshape to
    the permuted shape (a squeeze-excite block's ``[N, 1, 1, C]`` going channels-first)."""
    reshape = producers.get(transpose.inputs[0])
    if reshape is None or reshape.op_type != "Reshape" or \
            len(readers.get(reshape.outputs[0], [])) != 1 or \
            reshape.outputs[0] in {name for name, _, _ in graph.outputs}:
        return False
    target = graph.initializers.get(reshape.inputs[1])
    if target is None or target.size != len(perm):
        return False
    target = [int(t) for t in target]
    moved = [axis for axis in perm if target[axis] != 1]  # the axes that hold data
    if moved != sorted(moved) or any(target[p] == 0 and p != i for i, p in enumerate(perm)):
        return False
    reshape.inputs[1] = graph.int64s([target[p] for p in perm], f"{reshape.name}/shape")
    reshape.outputs[0] = transpose.outputs[0]
    graph.nodes.remove(transpose)
    return True


def _split_readers(graph, transpose: OnnxNode, readers: list) -> None:
    """Gives every reader but the first its own copy of ``transpose``."""
    at = graph.nodes.index(transpose) + 1
    for reader in readers[1:]:
        copy = graph.fresh(f"{transpose.outputs[0]}/copy")
        graph.nodes.insert(at, OnnxNode("Transpose", list(transpose.inputs), [copy],
                                        graph.fresh(f"{transpose.name}/copy"),
                                        dict(transpose.attributes)))
        reader.inputs = [copy if name == transpose.outputs[0] else name
                         for name in reader.inputs]


def _merge_equal_transposes(graph) -> None:
    """The copies that found nothing to cancel against become one Transpose again."""
    seen: dict[tuple, str] = {}
    renamed: dict[str, str] = {}
    outputs = {name for name, _, _ in graph.outputs}
    for node in list(graph.nodes):
        node.inputs = [renamed.get(name, name) for name in node.inputs]
        if node.op_type != "Transpose":
            continue
        key = (node.inputs[0], tuple(node.attributes["perm"]))
        if key in seen and node.outputs[0] not in outputs:
            renamed[node.outputs[0]] = seen[key]
            graph.nodes.remove(node)
        else:
            seen.setdefault(key, node.outputs[0])


def _merge(first: OnnxNode, second: OnnxNode, perm) -> None:
    """Transpose(Transpose(x, p), q) is Transpose(x, p[q]) — or x itself; the first
    Transpose stays for its other readers (pruning drops it when none is left)."""
    combined = [perm[q] for q in second.attributes["perm"]]
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
    for node in {id(n): n for n in moved.values()}.values():  # x * x moves one Transpose
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
                list(producer.attributes["perm"]) == perm and \
                all(r is reader for r in readers[name]):
            moved[position] = producer
        else:
            return False
    if not moved:
        return False
    if reader.op_type == "Concat":  # joined along the same data axis, now numbered p[axis]
        reader.attributes["axis"] = int(perm[reader.attributes["axis"] % rank])
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


def _sink_pad(graph, transpose, reader, perm) -> bool:
    """``Pad(Transpose(x, p), pads)`` is ``Transpose(Pad(x, pads'), p)``, each axis's
    pair of pads moved to the axis of x it is."""
    pads = graph.initializers.get(reader.inputs[1])
    if pads is None or (len(reader.inputs) > 3 and reader.inputs[3]):
        return False  # run-time pads, or an axes input
    rank = len(perm)
    begins, ends = [0] * rank, [0] * rank
    for axis in range(rank):
        begins[perm[axis]], ends[perm[axis]] = int(pads[axis]), int(pads[rank + axis])
    reader.inputs[1] = graph.int64s(begins + ends, f"{reader.name}/pads")
    _swap(graph, transpose, reader, perm, {0: transpose})
    return True


def _sink_slice(graph, transpose, reader, perm) -> bool:
    """``Slice(Transpose(x, p), axes)`` is ``Transpose(Slice(x, p[axes]), p)``."""
    starts = graph.initializers.get(reader.inputs[1])
    if starts is None:
        return False
    if len(reader.inputs) > 3 and reader.inputs[3]:
        axes = graph.initializers.get(reader.inputs[3])
        if axes is None:
            return False
    else:
        axes = np.arange(starts.size)
    rank = len(perm)
    moved = [perm[int(a) % rank] for a in axes.reshape(-1)]
    inputs = list(reader.inputs) + [""] * (4 - len(reader.inputs))
    inputs[3] = graph.int64s(moved, f"{reader.name}/axes")
    reader.inputs = inputs
    _swap(graph, transpose, reader, perm, {0: transpose})
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
