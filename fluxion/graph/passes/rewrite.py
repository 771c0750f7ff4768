"""Rebuilding a graph node by node, the way every rewriting pass does it.

A pass walks the old graph in order and, for each node, either keeps it, drops it and
names another value in its place (``replace``), or emits a new node.  The
``Rewriter`` renames inputs as it goes: a node whose inputs were replaced is rebuilt
with fresh output values, so the old graph is never touched (its nodes and values
keep their producers, and ``raw_graph`` stays valid) and every value of the new graph
names its producer in the new graph, which is what passes that look one node
upstream (``transpose`` of ``transpose``) rely on.
"""

from __future__ import annotations

from fluxion.core.primitive import Primitive
from fluxion.graph.ir import Graph, Node, Value, constant_value


class Rewriter:
    """Collects the nodes of a new graph built from ``graph``."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.nodes: list[Node] = []
        self.changed = False
        self._replaced: dict[int, Value] = {}  # old value id -> its value in the new graph

    def value(self, value: Value) -> Value:
        """The new graph's value for an old graph's ``value``."""
        return self._replaced.get(value.id, value)

    def inputs(self, node: Node) -> list[Value]:
        return [self._replaced.get(v.id, v) for v in node.inputs]

    def replace(self, old: Value, new: Value) -> None:
        """Every later use of ``old`` reads ``new`` instead."""
        self._replaced[old.id] = self.value(new)
        self.changed = True

    def keep(self, node: Node) -> Node:
        """Keeps ``node``, rebuilt only if one of its inputs was replaced."""
        inputs = self.inputs(node)
        if all(new is old for new, old in zip(inputs, node.inputs)):
            self.nodes.append(node)
            return node
        return self.emit(node.prim, inputs, node.attrs, replacing=node)

    def emit(self, prim: Primitive, inputs: list[Value], attrs: dict, replacing: Node) -> Node:
        """Adds a new node computing what ``replacing`` computed (same avals, fresh values)."""
        outputs = [Value(old.aval, name=old.name) for old in replacing.outputs]
        node = Node(prim, list(inputs), dict(attrs), outputs)
        for old, new in zip(replacing.outputs, outputs):
            new.producer = node
            self._replaced[old.id] = new
        self.nodes.append(node)
        self.changed = True
        return node

    def add(self, prim: Primitive, inputs: list[Value], attrs: dict) -> list[Value]:
        """Adds a new node that replaces nothing; its avals come from the shape rule."""
        avals = prim.shape_rule(*(v.aval for v in inputs), **attrs)
        outputs = [Value(aval) for aval in (avals if prim.multiple_results else [avals])]
        node = Node(prim, list(inputs), dict(attrs), outputs)
        for value in outputs:
            value.producer = node
        self.nodes.append(node)
        self.changed = True
        return outputs

    def constant(self, array) -> Value:
        """A constant value of the new graph holding ``array``."""
        return constant_value(array)

    def finish(self) -> Graph:
        """The new graph (the old one itself when nothing changed)."""
        if not self.changed:
            return self.graph
        outputs = [self.value(v) for v in self.graph.outputs]
        return self.graph.copy_with(nodes=self.nodes, outputs=outputs)
