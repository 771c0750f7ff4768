"""The rewrites of the pooling family that need the forward and backward pass together.

A traced training step holds both, and some backward work is cheaper when it reuses
what the forward pass computed or moves to a smaller array (applied in this order by
``fluxion.graph.passes.backward_rewrites``, each declared on the record of the
primitive it starts from):

- ``relu_grad_before_max_pool_grad`` (on ``relu_grad``): ``relu_grad(max_pool_grad(r,
  g), r)`` masks the routed gradient at full size, but the routed cells are each
  window's maximum, so the mask ``r > 0`` there is the pooled output's mask
  ``max_pool(r) > 0``: ``max_pool_grad(r, relu_grad(g, max_pool(r)))`` masks the pooled
  gradient instead (a quarter of the size for 2x2 windows).  The new ``max_pool(r)``
  is the forward pass's own, found again by common-subexpression elimination;
- ``max_pool_by_index`` (on ``max_pool``): ``max_pool(x)`` and ``max_pool_grad(x, g)``
  both find each window's first maximum.  With windows that tile ``x``, the forward
  pass becomes ``max_pool_with_index(x) -> (y, winner)`` and the backward pass
  ``max_pool_grad_from_index(winner, g, x)``, which routes ``g`` by one byte per cell;
- ``relu_after_max_pool`` (on ``max_pool_with_index``): once the two above have run,
  the full-size relu output feeds only the pooling, so ``max_pool(relu(z))`` becomes
  ``relu(max_pool(z))`` (equal: relu keeps order), a relu over the pooled quarter,
  which ``max_pool_with_index(z, activation="relu")`` applies as it writes the pooled
  output (a oneDNN post-op; NumPy rectifies the fresh output in place).  Windows whose
  winner changes are the ones whose maximum is not positive, where the routed gradient
  is already masked to 0.

All are exact (the same values, not approximations) and leave graphs without such
pairs untouched.
"""

from __future__ import annotations

from fluxion.core.primitive import declare_rewrite
from fluxion.core.primitives.activation import relu_grad_p, relu_p
from fluxion.core.primitives.broadcast import sum_to_like_p
from fluxion.core.primitives.graph_readers import readers
from fluxion.core.primitives.pool import (
    max_pool_grad_from_index_p,
    max_pool_grad_p,
    max_pool_p,
    max_pool_with_index_p,
    tiles,
)


@declare_rewrite(relu_grad_p, order=20)
def relu_grad_before_max_pool_grad(graph, rewriter_class):
    """``relu_grad(max_pool_grad(r, g), r)`` -> ``max_pool_grad(r, relu_grad(g, max_pool(r)))``."""
    users = readers(graph)
    rewriter = rewriter_class(graph)
    for node in graph.nodes:
        pool = _routing_pool(node, users) if node.prim is relu_grad_p else None
        if pool is None:
            rewriter.keep(node)
            continue
        r, g = rewriter.inputs(pool)
        (pooled,) = rewriter.add(max_pool_p, [r], pool.attrs)
        (masked,) = rewriter.add(relu_grad_p, [g, pooled], {})
        rewriter.emit(max_pool_grad_p, [r, masked], pool.attrs, replacing=node)
    return rewriter.finish()


def _routing_pool(relu_grad, users: dict):
    """The ``max_pool_grad(r, g)`` node whose result (only) ``relu_grad(., r)`` masks.

    The autodiff walker may put a ``sum_to_like(., r)`` between them, which changes
    nothing there (the routed gradient has ``r`` 's shape) but hides it from the trace
    when the batch size is unknown.
    """
    routed, r = relu_grad.inputs
    producer = routed.producer
    if (producer is not None and producer.prim is sum_to_like_p
            and producer.inputs[1] is r and len(users.get(routed.id, ())) == 1):
        routed = producer.inputs[0]
        producer = routed.producer
    if (producer is None or producer.prim is not max_pool_grad_p or producer.prim.stateful
            or len(users.get(routed.id, ())) != 1 or producer.inputs[0] is not r):
        return None
    return producer


# --- the forward pass remembers each window's winner -------------------------------------------
_POOL_ATTRS = ("window", "strides", "padding", "dilations")


def _pool_key(node) -> tuple | None:
    if node.prim.stateful or node.prim not in (max_pool_p, max_pool_grad_p):
        return None
    x = node.inputs[0]
    attrs = [node.attrs[name] for name in _POOL_ATTRS]
    if not tiles(x.aval.shape, *attrs):
        return None
    return (x.id,) + tuple(repr(a) for a in attrs)


@declare_rewrite(max_pool_p, order=30)
def max_pool_by_index(graph, rewriter_class):
    """``max_pool`` + ``max_pool_grad`` of one input -> ``max_pool_with_index`` + routing."""
    pooled = {_pool_key(n) for n in graph.nodes if n.prim is max_pool_p} - {None}
    routed = {_pool_key(n) for n in graph.nodes if n.prim is max_pool_grad_p} - {None}
    shared = pooled & routed
    if not shared:
        return graph
    rewriter = rewriter_class(graph)
    forward: dict[tuple, tuple] = {}  # key -> (pooled output, winners)
    for node in graph.nodes:
        key = _pool_key(node)
        if key not in shared or (node.prim is max_pool_grad_p and key not in forward):
            rewriter.keep(node)
            continue
        inputs = rewriter.inputs(node)
        if node.prim is max_pool_p:
            if key in forward:  # the same pooling again: the first one's output
                rewriter.replace(node.outputs[0], forward[key][0])
                continue
            y, winner = rewriter.add(max_pool_with_index_p, [inputs[0]], node.attrs)
            rewriter.replace(node.outputs[0], y)
            forward[key] = (y, winner)
        else:
            x, g = inputs
            rewriter.emit(max_pool_grad_from_index_p, [forward[key][1], g, x], node.attrs,
                          replacing=node)
    return rewriter.finish()


# --- relu over the pooled output ----------------------------------------------------------------
@declare_rewrite(max_pool_with_index_p, order=40)
def relu_after_max_pool(graph, rewriter_class):
    """``max_pool_with_index(relu(z))`` -> ``max_pool_with_index(z, activation="relu")``,
    when the relu's output is read by nothing else and every routing of the winners is
    masked by the pooled output (``relu_grad_before_max_pool_grad`` has run)."""
    users = readers(graph)
    rewriter = rewriter_class(graph)
    for node in graph.nodes:
        if node.prim is not max_pool_with_index_p or not _relu_feeds_only(node, users):
            rewriter.keep(node)
            continue
        (z,) = rewriter.inputs(node.inputs[0].producer)
        rewriter.replace(node.inputs[0], z)  # shape-only readers of relu(z) read z
        activated, winner = rewriter.add(max_pool_with_index_p, [z],
                                         {**node.attrs, "activation": "relu"})
        rewriter.replace(node.outputs[0], activated)
        rewriter.replace(node.outputs[1], winner)
    return rewriter.finish()


def _relu_feeds_only(pool, users: dict) -> bool:
    r = pool.inputs[0]
    relu = r.producer
    if relu is None or relu.prim is not relu_p or relu.prim.stateful \
            or pool.attrs.get("activation", "linear") != "linear":
        return False
    if any(user is not pool and (user is None or position not in user.prim.shape_only)
           for user, position in users.get(r.id, ())):
        return False  # read by something else than the pool, or a graph output
    y, winner = pool.outputs
    for user, position in users.get(winner.id, ()):
        if user is None or user.prim is not max_pool_grad_from_index_p or position != 0:
            return False
        mask = user.inputs[1].producer
        if mask is None or mask.prim is not relu_grad_p or mask.inputs[1] is not y:
            return False
    return True
