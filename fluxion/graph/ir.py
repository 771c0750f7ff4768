"""The graph IR: plain data.

A ``Graph`` is a list of ``Node`` s in execution order.  A node is (primitive, input
values, attributes, output values); every ``Value`` carries its static ``Aval`` (shape
with ``None`` for unknown dimensions, dtype).  Values come from graph inputs (the
function's arguments), constants (arrays captured at trace time), or node outputs.
Reading and writing variables are nodes of the stateful primitives ``read_variable``
and ``assign_variable``, so side effects keep their order in the node list.

Passes are functions from graph to graph (``fluxion.graph.passes``); the executor turns
a graph into Python source (``fluxion.graph.executor``).
"""

from __future__ import annotations

import itertools

import numpy as np

from fluxion.core.primitive import Aval, Primitive

_ids = itertools.count()


class Value:
    """One symbolic value: its aval, and where it comes from."""

    __slots__ = ("id", "aval", "producer", "constant", "name")

    def __init__(self, aval: Aval, producer: Node | None = None, constant=None,
                 name: str | None = None):
        self.id = next(_ids)
        self.aval = aval
        self.producer = producer
        self.constant = constant  # an np.ndarray for constants, else None
        self.name = name

    @property
    def is_constant(self) -> bool:
        return self.constant is not None

    def __repr__(self) -> str:
        return f"%{self.id}"


class Node:
    """One primitive application: ``outputs = prim(*inputs, **attrs)``.

    ``origin`` is ``(name scope, "file:line" of the user's code)`` for traced nodes (what
    TensorBoard's graph view and error messages show), None for nodes made by passes.
    """

    __slots__ = ("prim", "inputs", "attrs", "outputs", "origin")

    def __init__(self, prim: Primitive, inputs: list, attrs: dict, outputs: list,
                 origin: tuple | None = None):
        self.prim = prim
        self.inputs = inputs
        self.attrs = attrs
        self.outputs = outputs
        self.origin = origin

    def __repr__(self) -> str:
        return format_node(self)


class Graph:
    """Inputs, nodes in execution order, and outputs."""

    def __init__(self, inputs: list | None = None, nodes: list | None = None,
                 outputs: list | None = None, name: str = "graph"):
        self.inputs: list[Value] = inputs or []
        self.nodes: list[Node] = nodes or []
        self.outputs: list[Value] = outputs or []
        self.name = name

    def copy_with(self, nodes: list | None = None, outputs: list | None = None) -> Graph:
        return Graph(list(self.inputs), list(self.nodes if nodes is None else nodes),
                     list(self.outputs if outputs is None else outputs), self.name)

    def __str__(self) -> str:
        return dump(self)

    def to_dot(self) -> str:
        return to_dot(self)


def constant_value(array, name: str | None = None) -> Value:
    from fluxion.core import dtypes

    array = np.asarray(array)
    return Value(Aval(tuple(array.shape), dtypes.from_numpy(array.dtype)), constant=array,
                 name=name)


def is_stateful(node: Node) -> bool:
    """Nodes with side effects or hidden inputs are never folded, merged or dropped early."""
    return node.prim.stateful


# --- text and DOT views ------------------------------------------------------------------------
def _aval_text(aval: Aval) -> str:
    dims = ", ".join("?" if d is None else str(d) for d in aval.shape)
    return f"{aval.dtype.name}[{dims}]"


def _operand_text(value: Value) -> str:
    if value.is_constant:
        array = value.constant
        if array.size <= 4:
            return f"const({array.tolist()!r})"
        return f"const<{_aval_text(value.aval)}>"
    return repr(value)


def _attr_text(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def format_node(node: Node) -> str:
    outs = ", ".join(f"{o!r}:{_aval_text(o.aval)}" for o in node.outputs)
    args = ", ".join(_operand_text(v) for v in node.inputs)
    attrs = ", ".join(f"{k}={_attr_text(v)}" for k, v in node.attrs.items()
                      if not k.startswith("_"))
    inner = ", ".join(part for part in (args, attrs) if part)
    return f"{outs} = {node.prim.name}({inner})"


def dump(graph: Graph) -> str:
    """A readable listing: inputs, one line per node, outputs."""
    lines = [f"graph {graph.name}(" + ", ".join(
        f"{v!r}:{_aval_text(v.aval)}" for v in graph.inputs) + ")"]
    lines += ["  " + format_node(node) for node in graph.nodes]
    lines.append("  return " + ", ".join(_operand_text(v) for v in graph.outputs))
    return "\n".join(lines)


def to_dot(graph: Graph) -> str:
    """The graph in Graphviz DOT: inputs as ellipses, nodes as boxes, values as edges."""
    lines = [f'digraph "{graph.name}" {{', "  rankdir=TB;", '  node [fontname="monospace"];']
    for value in graph.inputs:
        label = f"{value!r}\\n{_aval_text(value.aval)}"
        lines.append(f'  v{value.id} [shape=ellipse, label="{label}"];')
    for index, node in enumerate(graph.nodes):
        lines.append(f'  n{index} [shape=box, label="{node.prim.name}"];')
        for value in node.inputs:
            source = f"n{graph.nodes.index(value.producer)}" if value.producer is not None \
                else f"v{value.id}"
            if value.is_constant:
                lines.append(f'  v{value.id} [shape=plaintext, label="{_operand_text(value)}"];')
            lines.append(f'  {source} -> n{index} [label="{_aval_text(value.aval)}"];')
    for position, value in enumerate(graph.outputs):
        lines.append(f'  out{position} [shape=doublecircle, label="out {position}"];')
        source = f"n{graph.nodes.index(value.producer)}" if value.producer is not None \
            else f"v{value.id}"
        lines.append(f"  {source} -> out{position};")
    lines.append("}")
    return "\n".join(lines)
