"""Algebraic simplification: nodes that compute nothing new are removed or shortened.

The pass knows no primitive: each primitive's record carries its rule (``simplify``,
see ``fluxion.core.primitives.algebra_rules``), which returns what to do with one
node: a value that already holds the result (the node goes away), a cheaper
``(primitive, inputs, attrs)`` to compute it, or None (keep the node).  A primitive
that is ``identity_when_same_shape`` (``reshape_like``, ``broadcast_to``...) is
dropped when the static shapes *prove* its result keeps its input's shape and dtype;
with unknown dimensions the node stays (the executor drops it at concrete shapes).
"""

from __future__ import annotations

from fluxion.graph.ir import Graph, Node, Value, is_stateful
from fluxion.graph.passes.rewrite import Rewriter


def simplify(graph: Graph) -> Graph:
    """Applies each node's simplification rule once, in order."""
    rewriter = Rewriter(graph)
    for node in graph.nodes:
        inputs = rewriter.inputs(node)
        result = None if is_stateful(node) else _simplified(node, inputs)
        if result is None:
            rewriter.keep(node)
        elif isinstance(result, Value):
            rewriter.replace(node.outputs[0], result)
        else:
            prim, new_inputs, attrs = result
            rewriter.emit(prim, new_inputs, attrs, replacing=node)
    return rewriter.finish()


def _simplified(node: Node, inputs: list):
    prim = node.prim
    if prim.identity_when_same_shape:
        return inputs[0] if _same_aval(inputs[0], node.outputs[0]) else None
    return prim.simplify(node, inputs) if prim.simplify is not None else None


def _same_aval(value: Value, out: Value) -> bool:
    """``value`` provably has ``out`` 's shape and dtype."""
    shape = tuple(value.aval.shape)
    return None not in shape and shape == tuple(out.aval.shape) \
        and value.aval.dtype is out.aval.dtype
