"""Pruning: keep only the nodes the outputs or a side effect depend on."""

from __future__ import annotations

from fluxion.graph.ir import Graph, is_stateful


def prune(graph: Graph) -> Graph:
    """Drops every node whose outputs reach neither a graph output nor a stateful node.

    Stateful nodes (variable reads and writes, print) are kept, with their inputs, and
    keep their order; a ``read_variable`` nobody uses is dropped.
    """
    needed = {value.id for value in graph.outputs}
    kept = []
    for node in reversed(graph.nodes):
        used = any(value.id in needed for value in node.outputs)
        effect = is_stateful(node) and node.prim.name != "read_variable"
        if used or effect:
            kept.append(node)
            needed.update(value.id for value in node.inputs)
    kept.reverse()
    return graph.copy_with(nodes=kept)
