"""Fusion rewrites declared by primitive families, run after simplification.

Some producers can absorb the work of the nodes that consume them: a convolution takes
in the per-channel scale an inference-mode batch normalization applies after it (by
scaling its filter instead), the bias, a residual sum and a ReLU, and a backend with a
fused kernel (oneDNN's post-ops) then computes them in one pass over the output.  Each
such rewrite is declared by its family on the record of the primitive it starts from,
with stage ``"fusion"`` (``fluxion.core.primitives.conv_fusion`` for convolutions).

They run after the simplifying passes, which leave the patterns in their plainest form
(constants folded, reshapes of per-channel vectors gone), and before elementwise fusion,
which would otherwise swallow the bias and activation nodes into fused chains.  This
pass knows none of the rewrites: it applies them as ``backward_rewrites`` applies the
rewrites of its stage.
"""

from __future__ import annotations

from fluxion.graph.ir import Graph
from fluxion.graph.passes.backward_rewrites import apply_declared_rewrites


def family_fusion(graph: Graph) -> Graph:
    """Applies the declared rewrites of stage ``"fusion"`` where their primitive occurs."""
    return apply_declared_rewrites(graph, "fusion")
