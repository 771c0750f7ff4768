"""A traced Fluxion graph as TensorBoard's ``GraphDef``, so its graph dashboard draws it.

Each IR node becomes a ``NodeDef`` named ``<name scope>/<primitive>[_n]`` (the name
scope is the Keras layer or ``name_scope`` the node was traced in, so TensorBoard
groups a model's nodes by layer), with its primitive as the op, its inputs as
``producer[:output]`` names, its output dtype (``T``) and shapes
(``_output_shapes``), and, beyond TensorFlow, ``_source``: the line of user code that
created it.  Graph inputs become ``Placeholder`` nodes, captured constants ``Const``
nodes (their value is kept when small).
"""

from __future__ import annotations

import numpy as np

from fluxion.io import tensorboard_package

_SMALL_CONSTANT = 16
_DTYPE_ENUM = {"float32": "DT_FLOAT", "float64": "DT_DOUBLE", "float16": "DT_HALF",
               "bfloat16": "DT_BFLOAT16", "string": "DT_STRING"}


def _dtype_enum(dtype, types_pb2) -> int:
    name = _DTYPE_ENUM.get(dtype.name, "DT_" + dtype.name.upper())
    return types_pb2.DataType.Value(name) if name in types_pb2.DataType.keys() else 0


class _Names:
    """TF-style unique node names: ``op``, ``op_1``, ``op_2``... within a scope."""

    def __init__(self):
        self._used: set[str] = set()

    def unique(self, base: str) -> str:
        name, count = base, 0
        while name in self._used:
            count += 1
            name = f"{base}_{count}"
        self._used.add(name)
        return name


def to_graph_def(graph):
    """Converts a ``fluxion.graph.ir.Graph`` into a ``GraphDef`` proto."""
    proto = tensorboard_package.protos()
    graph_def = proto.graph_pb2.GraphDef()
    names, value_names = _Names(), {}

    def shape_proto(aval):
        dims = [proto.tensor_shape_pb2.TensorShapeProto.Dim(size=-1 if d is None else int(d))
                for d in aval.shape]
        return proto.tensor_shape_pb2.TensorShapeProto(dim=dims)

    def add_node(name: str, op: str, inputs: list, outputs: list, extra: dict) -> None:
        node = graph_def.node.add(name=name, op=op, input=inputs)
        if outputs:
            node.attr["T"].type = _dtype_enum(outputs[0].dtype, proto.types_pb2)
            node.attr["_output_shapes"].list.shape.extend(shape_proto(a) for a in outputs)
        for key, text in extra.items():
            node.attr[key].s = text.encode("utf-8", "replace")

    def name_of(value) -> str:
        if id(value) not in value_names:  # a constant captured at trace time
            name = names.unique("Const")
            extra = {}
            if value.constant is not None and value.constant.size <= _SMALL_CONSTANT:
                extra["value"] = np.array2string(np.asarray(value.constant))
            add_node(name, "Const", [], [value.aval], extra)
            value_names[id(value)] = name
        return value_names[id(value)]

    for index, value in enumerate(graph.inputs):
        name = names.unique(value.name or f"input_{index}")
        add_node(name, "Placeholder", [], [value.aval], {})
        value_names[id(value)] = name
    for node in graph.nodes:
        scope, source = getattr(node, "origin", None) or ("", "")
        base = f"{scope}/{node.prim.name}" if scope else node.prim.name
        name = names.unique(base)
        inputs = [name_of(v) for v in node.inputs]
        extra = {key: _attr_text(val) for key, val in node.attrs.items()
                 if not key.startswith("_")}
        if source:
            extra["_source"] = source
        add_node(name, node.prim.name, inputs, [o.aval for o in node.outputs], extra)
        for position, output in enumerate(node.outputs):
            value_names[id(output)] = name if position == 0 else f"{name}:{position}"
    return graph_def


def _attr_text(value) -> str:
    deref = getattr(value, "deref", None)
    if deref is not None:  # a variable reference: its name says what it is
        target = deref()
        return str(getattr(target, "path", None) or getattr(target, "name", target))
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."
