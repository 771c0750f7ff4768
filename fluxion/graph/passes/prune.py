"""Pruning: keep only the nodes the outputs or a side effect depend on."""

from __future__ import annotations

from fluxion.graph.ir import Graph

LASTING_EFFECTS = ("writes_state", "io")


def prune(graph: Graph) -> Graph:
    """Drops every node whose outputs reach neither a graph output nor a stateful node.

    Nodes with a lasting effect (writing state, I/O: a variable assignment, a print) are
    kept, with their inputs, and keep their order; a read of state nobody uses is dropped.
    """
    needed = {value.id for value in graph.outputs}
    kept = []
    for node in reversed(graph.nodes):
        used = any(value.id in needed for value in node.outputs)
        effect = node.prim.effect in LASTING_EFFECTS
        if used or effect:
            kept.append(node)
            needed.update(value.id for value in node.inputs)
    kept.reverse()
    return graph.copy_with(nodes=kept)
