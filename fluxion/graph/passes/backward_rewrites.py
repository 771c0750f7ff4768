"""Rewrites that need the forward and the backward pass in one graph.

A traced training step holds both, and some work of the backward pass is cheaper when
it reuses what the forward pass computed or moves to a smaller array.  Each such
rewrite is declared by the primitive family it concerns, on the record of the
primitive it starts from (``Primitive.rewrites``: the convolution family shares one
patch matrix between a conv and its filter gradient, the pooling family routes
gradients by the forward pass's winners, the LSTM skips an input gradient nobody
reads; see ``fluxion.core.primitives.conv_rewrites``, ``pool_rewrites``, ``lstm``).

This pass knows none of them: it applies every declared rewrite, in increasing
``order``, whose primitive has a node in the graph at that point (a rewrite may
introduce the primitive a later one starts from), and prunes what a rewrite left
dead.  All are exact (the same values) and leave graphs without their pattern
untouched.
"""

from __future__ import annotations

from fluxion.core.primitive import REGISTRY, GraphRewrite, Primitive
from fluxion.graph.ir import Graph
from fluxion.graph.passes.prune import prune
from fluxion.graph.passes.rewrite import Rewriter

_declared: tuple[int, dict[str, list[tuple[GraphRewrite, Primitive]]]] = (-1, {})


def declared_rewrites(stage: str = "backward") -> list[tuple[GraphRewrite, Primitive]]:
    """Every primitive's declared rewrites of ``stage`` with their primitive, in order."""
    global _declared
    size = sum(len(prim.rewrites) for prim in REGISTRY.values())
    if _declared[0] != size:  # a family declared more since the last look
        found = [(rewrite, prim) for prim in REGISTRY.values() for rewrite in prim.rewrites]
        found.sort(key=lambda pair: pair[0].order)
        by_stage: dict[str, list] = {}
        for rewrite, prim in found:
            by_stage.setdefault(rewrite.stage, []).append((rewrite, prim))
        _declared = (size, by_stage)
    return _declared[1].get(stage, [])


def apply_declared_rewrites(graph: Graph, stage: str) -> Graph:
    """Applies the declared rewrites of ``stage``, in order, where their primitive occurs."""
    for rewrite, prim in declared_rewrites(stage):
        if not any(node.prim is prim for node in graph.nodes):
            continue
        rewritten = rewrite.apply(graph, Rewriter)
        if rewritten is not graph:
            graph = prune(rewritten)  # drop what the rewrite replaced
    return graph


def backward_rewrites(graph: Graph) -> Graph:
    """Applies the declared rewrites of stage ``"backward"`` where their primitive occurs."""
    return apply_declared_rewrites(graph, "backward")
