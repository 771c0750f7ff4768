"""Graph-to-graph optimisation passes, and the pipeline ``fluxion.function`` runs.

Each pass is a function ``Graph -> Graph`` in its own module with its own tests.
"""

from __future__ import annotations

from fluxion.graph.ir import Graph
from fluxion.graph.passes.prune import prune

PIPELINE = [prune]


def optimize(graph: Graph) -> Graph:
    """Runs the pipeline: pruning, then the simplifying passes, then pruning again."""
    for optimization in PIPELINE:
        graph = optimization(graph)
    return graph
