"""Elementwise fusion: a chain of ufunc nodes becomes one node writing one buffer.

A chain is a run of nodes whose primitives are plain NumPy ufuncs (the record's
``elementwise_ufunc``; no attributes, one output),
each feeding the next and used by nothing else: ``tanh(x * w + b)`` is
``multiply -> add -> tanh``.  The chain becomes one node of the ``fused_elementwise``
primitive whose ``program`` attribute lists the steps, each a ufunc name and its
operands (an input position, or ``ACCUMULATOR``: the previous step's result).  It runs
with a single output buffer, every step computing into it with ``out=``, so no
intermediate array is ever allocated (``fluxion.core.primitives.fused_elementwise``).

Only links that keep the shape and dtype are fused: a step whose result a later
step broadcasts (``exp(a[n]) + b[m, n]``) would otherwise be computed ``m`` times
over.  Fusion runs after differentiation, so the primitive needs no gradient.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitives.fused_elementwise import ACCUMULATOR, fused_elementwise_p
from fluxion.graph.ir import Graph, Node, Value, is_stateful
from fluxion.graph.passes.rewrite import Rewriter


# --- the pass --------------------------------------------------------------------------------
def fusion(graph: Graph) -> Graph:
    """Replaces every chain of two or more fusable nodes with one ``fused_elementwise``."""
    chains = find_chains(graph)
    if not chains:
        return graph
    tails = {chain[-1]: chain for chain in chains}
    inner = {index for chain in chains for index in chain[:-1]}
    rewriter = Rewriter(graph)
    for index, node in enumerate(graph.nodes):
        if index in inner:
            continue  # computed by the fused node at the chain's tail
        chain = tails.get(index)
        if chain is None:
            rewriter.keep(node)
            continue
        inputs, program = chain_program([graph.nodes[i] for i in chain])
        attrs = {"program": program, "dtype": node.outputs[0].aval.dtype}
        rewriter.emit(fused_elementwise_p, [rewriter.value(v) for v in inputs], attrs,
                      replacing=node)
    return rewriter.finish()


def is_fusable(node: Node) -> bool:
    """A plain NumPy ufunc application: no attributes, one output, reachable as ``np.<name>``."""
    ufunc = node.prim.elementwise_ufunc
    return (ufunc is not None and node.prim.impl is ufunc and not node.attrs
            and getattr(np, ufunc.__name__, None) is ufunc
            and not node.prim.multiple_results and not is_stateful(node)
            and len(node.inputs) == ufunc.nin and len(node.outputs) == 1)


def find_chains(graph: Graph) -> list[list[int]]:
    """Node indices of each chain (two nodes or more), in execution order."""
    nodes = graph.nodes
    users: dict[int, set[int]] = {}
    for index, node in enumerate(nodes):
        for value in node.inputs:
            users.setdefault(value.id, set()).add(index)
    for value in graph.outputs:
        users.setdefault(value.id, set()).add(-1)  # a graph output is a use of its own
    fusable = [is_fusable(node) for node in nodes]
    next_of: dict[int, int] = {}
    has_previous: set[int] = set()
    for index, node in enumerate(nodes):
        if not fusable[index]:
            continue
        consumers = users.get(node.outputs[0].id, ())
        if len(consumers) != 1:
            continue
        (consumer,) = consumers
        if consumer < 0 or not fusable[consumer] or consumer in has_previous:
            continue
        if node.outputs[0].aval != nodes[consumer].outputs[0].aval:
            continue  # a dtype change, or a broadcast that would repeat work
        next_of[index] = consumer
        has_previous.add(consumer)
    chains = []
    for index in range(len(nodes)):
        if index in next_of and index not in has_previous:
            chain = [index]
            while chain[-1] in next_of:
                chain.append(next_of[chain[-1]])
            chains.append(chain)
    return chains


def chain_program(chain: list[Node]) -> tuple[list[Value], tuple]:
    """The fused node's inputs (each value once) and its program."""
    inputs: list[Value] = []
    position: dict[int, int] = {}
    steps = []
    previous = None
    for node in chain:
        operands = []
        for value in node.inputs:
            if value is previous:
                operands.append(ACCUMULATOR)
                continue
            if value.id not in position:
                position[value.id] = len(inputs)
                inputs.append(value)
            operands.append(position[value.id])
        steps.append((node.prim.elementwise_ufunc.__name__, tuple(operands)))
        previous = node.outputs[0]
    return inputs, tuple(steps)
