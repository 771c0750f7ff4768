"""Shared helpers of the pass tests: trace a function to its raw graph, build nodes by hand,
run a graph, and check that a pass left its input untouched."""

import numpy as np

import fluxion as tf
from fluxion.core import dtypes
from fluxion.core.primitive import Aval
from fluxion.graph.executor import CompiledGraph
from fluxion.graph.ir import Graph, Node, Value, dump
from fluxion.graph.tracer import Tracer, tracing


def trace_graph(fn, *specs) -> Graph:
    """The raw (unoptimised) graph of ``fn`` on inputs of ``specs``: arrays or (shape, dtype)."""
    tracer = Tracer(Graph(name=getattr(fn, "__name__", "fn")))
    inputs = []
    for spec in specs:
        shape, dtype = (spec.shape, spec.dtype) if isinstance(spec, np.ndarray) else spec
        inputs.append(tracer.add_input(Aval(tuple(shape), dtypes.from_numpy(np.dtype(dtype)))))
    with tracing(tracer):
        result = fn(*inputs)
    results = result if isinstance(result, (tuple, list)) else [result]
    tracer.graph.outputs = [tracer.value_of(tf.convert_to_tensor(r)) for r in results]
    return tracer.graph


def apply_node(graph: Graph, prim, *inputs: Value, **attrs) -> list[Value]:
    """Appends ``prim(*inputs, **attrs)`` to ``graph`` by hand (any inputs, even constants)."""
    avals = prim.shape_rule(*[v.aval for v in inputs], **attrs)
    avals = avals if prim.multiple_results else (avals,)
    outputs = [Value(aval) for aval in avals]
    node = Node(prim, list(inputs), attrs, outputs)
    for value in outputs:
        value.producer = node
    graph.nodes.append(node)
    return outputs


def run_graph(graph: Graph, *arrays) -> list[np.ndarray]:
    return [np.asarray(out) for out in CompiledGraph(graph)(*arrays)]


def prim_names(graph: Graph) -> list[str]:
    return [node.prim.name for node in graph.nodes]


class Unchanged:
    """Remembers a graph's nodes, outputs and text, to check a pass did not mutate it."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.nodes = list(graph.nodes)
        self.outputs = list(graph.outputs)
        self.text = dump(graph)

    def check(self) -> None:
        assert all(a is b for a, b in zip(self.graph.nodes, self.nodes))
        assert len(self.graph.nodes) == len(self.nodes)
        assert self.graph.outputs == self.outputs
        assert dump(self.graph) == self.text
        for node in self.graph.nodes:
            assert all(value.producer is node for value in node.outputs)
