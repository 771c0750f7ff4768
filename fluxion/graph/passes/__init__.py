"""Graph-to-graph optimisation passes, and the pipeline ``fluxion.function`` runs.

Each pass is a pure function ``Graph -> Graph`` in its own module with its own tests:
it builds a new node list (reusing the nodes it leaves alone), keeps stateful nodes
in their order, and renames graph outputs whose values it replaces.

The pipeline prunes, applies the rewrites that pair forward and backward work
(``backward_rewrites``), then repeats folding, simplification and common-subexpression
elimination while they still find something (each can expose work for the others:
a folded ``ones_like`` makes ``g * 1`` simplifiable, a simplified reshape makes two
nodes equal), prunes what they left dead, lets producers absorb their consumers
where a family declares how (``family_fusion``: a convolution taking in the scale,
bias and activation after it), and fuses elementwise chains last, once no other pass
needs to see the individual nodes.
"""

from __future__ import annotations

from fluxion.graph.ir import Graph
from fluxion.graph.passes.backward_rewrites import backward_rewrites
from fluxion.graph.passes.constant_folding import constant_folding
from fluxion.graph.passes.cse import cse
from fluxion.graph.passes.family_fusion import family_fusion
from fluxion.graph.passes.fusion import fusion
from fluxion.graph.passes.prune import prune
from fluxion.graph.passes.simplify import simplify

SIMPLIFYING = [constant_folding, simplify, cse]
MAX_ROUNDS = 4


def simplify_to_fixed_point(graph: Graph, max_rounds: int = MAX_ROUNDS) -> Graph:
    """Runs the simplifying passes, then pruning, until a round changes nothing."""
    for _ in range(max_rounds):
        before = graph
        for optimization in SIMPLIFYING:
            graph = optimization(graph)
        graph = prune(graph)
        if _same_nodes(before, graph):
            break
    return graph


PIPELINE = [prune, backward_rewrites, simplify_to_fixed_point, family_fusion, fusion]


def optimize(graph: Graph) -> Graph:
    """Runs the pipeline: pruning, the simplifying passes to a fixed point, then fusion."""
    for optimization in PIPELINE:
        graph = optimization(graph)
    return graph


def _same_nodes(a: Graph, b: Graph) -> bool:
    return (len(a.nodes) == len(b.nodes) and all(x is y for x, y in zip(a.nodes, b.nodes))
            and all(x is y for x, y in zip(a.outputs, b.outputs)))
