"""Rewrites that need the forward and the backward pass in one graph.

A traced training step holds both, and some work of the backward pass is cheaper when it
reuses what the forward pass computed or moves to a smaller array:

- ``share_patches``: ``conv(x, w)`` and ``conv_filter_grad(x, g, w)`` both build the
  patch matrix of ``x`` (im2col).  When both are in the graph (same ``x``, same
  geometry, no groups), they are rewritten into one ``im2col`` node feeding
  ``conv_patches`` and ``filter_grad_patches``, so the patches are built once.  Only
  with NumPy's convolution kernels: a backend with kernels of its own keeps its convs;
- ``relu_grad_before_max_pool_grad``: ``relu_grad(max_pool_grad(r, g), r)`` masks the
  routed gradient at full size, but the routed cells are each window's maximum, so the
  mask ``r > 0`` there is the pooled output's mask ``max_pool(r) > 0``:
  ``max_pool_grad(r, relu_grad(g, max_pool(r)))`` masks the pooled gradient instead
  (a quarter of the size for 2x2 windows).  The new ``max_pool(r)`` is the forward
  pass's own, found again by common-subexpression elimination;
- ``max_pool_by_index``: ``max_pool(x)`` and ``max_pool_grad(x, g)`` both find each
  window's first maximum.  With windows that tile ``x``, the forward pass becomes
  ``max_pool_with_index(x) -> (y, winner)`` and the backward pass
  ``max_pool_grad_from_index(winner, g, x)``, which routes ``g`` by one byte per cell;
- ``relu_after_max_pool``: once the two above have run, the full-size relu output feeds
  only the pooling, so ``max_pool(relu(z))`` becomes ``relu(max_pool(z))`` (equal: relu
  keeps order), a relu over the pooled quarter.  Windows whose winner changes are the
  ones whose maximum is not positive, where the routed gradient is already masked to 0;
- ``skip_unread_input_gradient``: an ``lstm_sequence_grad`` whose inputs' gradient
  (``d x``) nothing reads, as in a model's first layer, is told not to compute it (one
  matrix product over all steps, and the buffer of every step's gate gradient, saved).

All are exact (the same values, not approximations) and leave graphs without such
pairs untouched.
"""

from __future__ import annotations

import numpy as np

from fluxion import backend
from fluxion.core.primitives.activation import relu_grad_p, relu_p
from fluxion.core.primitives.broadcast import sum_to_like_p
from fluxion.core.primitives.conv import (
    conv_filter_grad_p,
    conv_p,
    conv_patches_p,
    filter_grad_patches_p,
    im2col_p,
)
from fluxion.core.primitives.lstm import lstm_sequence_grad_p
from fluxion.core.primitives.pool import (
    max_pool_grad_from_index_p,
    max_pool_grad_p,
    max_pool_p,
    max_pool_with_index_p,
    tiles,
)
from fluxion.graph.ir import Graph, Node, Value, is_stateful
from fluxion.graph.passes.prune import prune
from fluxion.graph.passes.rewrite import Rewriter

_GEOMETRY = ("strides", "padding", "dilations")


def backward_rewrites(graph: Graph) -> Graph:
    """Applies the rewrites, in the order each needs the previous ones."""
    graph = prune(relu_grad_before_max_pool_grad(share_patches(graph)))  # drop the old routing
    return skip_unread_input_gradient(relu_after_max_pool(max_pool_by_index(graph)))


# --- one patch matrix per convolved input ------------------------------------------------------
def _patch_key(node: Node) -> tuple | None:
    if is_stateful(node) or node.attrs.get("groups", 1) != 1:
        return None
    if node.prim is conv_p:
        x, w = node.inputs
    elif node.prim is conv_filter_grad_p:
        x, _, w = node.inputs
    else:
        return None
    kernel = tuple(w.aval.shape[:-2])
    if None in kernel:
        return None
    if _patch_bytes_per_sample(x.aval, w.aval, node) > SHARED_PATCH_BYTES_PER_SAMPLE:
        return None  # too big to keep alive between the two: each builds it in chunks
    return (x.id, kernel) + tuple(repr(node.attrs[name]) for name in _GEOMETRY)


# A patch matrix kept from the forward pass to the filter gradient lives through the whole
# backward pass; past this size a sample (64 MB at batch 64), rebuilding it is cheaper.
SHARED_PATCH_BYTES_PER_SAMPLE = 1 << 20


def _patch_bytes_per_sample(x, w, node) -> float:
    """The bytes of one sample's patches (spatial sizes unknown: taken as the input's)."""
    spatial = [d if d is not None else 0 for d in x.shape[1:-1]]
    taps = int(np.prod(w.shape[:-2]))
    channels = w.shape[-2] or 0
    strides = node.attrs.get("strides") or (1,) * len(spatial)
    outputs = int(np.prod([max(d // max(int(s), 1), 1) for d, s in zip(spatial, strides)]))
    return outputs * taps * channels * x.dtype.np_dtype.itemsize


def share_patches(graph: Graph) -> Graph:
    """Builds each convolved input's patch matrix once for its conv and filter gradient."""
    if backend.overrides(conv_p.name) or backend.overrides(conv_filter_grad_p.name):
        return graph
    convs = {_patch_key(n) for n in graph.nodes if n.prim is conv_p} - {None}
    grads = {_patch_key(n) for n in graph.nodes if n.prim is conv_filter_grad_p} - {None}
    shared = convs & grads
    if not shared:
        return graph
    rewriter = Rewriter(graph)
    patches: dict[tuple, Value] = {}
    for node in graph.nodes:
        key = _patch_key(node) if node.prim in (conv_p, conv_filter_grad_p) else None
        if key not in shared:
            rewriter.keep(node)
            continue
        inputs = rewriter.inputs(node)
        geometry = {name: node.attrs[name] for name in _GEOMETRY}
        cols = patches.get(key)
        if cols is None:
            kernel = key[1]
            (cols,) = rewriter.add(im2col_p, [inputs[0]], {"kernel": kernel, **geometry})
            patches[key] = cols
        if node.prim is conv_p:
            x, w = inputs
            rewriter.emit(conv_patches_p, [cols, w, x], geometry, replacing=node)
        else:
            _, g, w = inputs
            rewriter.emit(filter_grad_patches_p, [cols, g, w], {}, replacing=node)
    return rewriter.finish()


# --- the relu mask on the pooled gradient ------------------------------------------------------
def relu_grad_before_max_pool_grad(graph: Graph) -> Graph:
    """``relu_grad(max_pool_grad(r, g), r)`` -> ``max_pool_grad(r, relu_grad(g, max_pool(r)))``."""
    users = _users(graph)
    rewriter = Rewriter(graph)
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


def _users(graph: Graph) -> dict[int, list[tuple[Node | None, int]]]:
    """For each value id, its readers as ``(node, input position)``; a graph output is
    read by ``(None, -1)``."""
    users: dict[int, list[tuple[Node | None, int]]] = {}
    for node in graph.nodes:
        for position, value in enumerate(node.inputs):
            users.setdefault(value.id, []).append((node, position))
    for value in graph.outputs:
        users.setdefault(value.id, []).append((None, -1))
    return users


def _routing_pool(relu_grad: Node, users: dict) -> Node | None:
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
    if (producer is None or producer.prim is not max_pool_grad_p or is_stateful(producer)
            or len(users.get(routed.id, ())) != 1 or producer.inputs[0] is not r):
        return None
    return producer


# --- the forward pass remembers each window's winner -------------------------------------------
_POOL_ATTRS = ("window", "strides", "padding", "dilations")


def _pool_key(node: Node) -> tuple | None:
    if is_stateful(node) or node.prim not in (max_pool_p, max_pool_grad_p):
        return None
    x = node.inputs[0]
    attrs = [node.attrs[name] for name in _POOL_ATTRS]
    if not tiles(x.aval.shape, *attrs):
        return None
    return (x.id,) + tuple(repr(a) for a in attrs)


def max_pool_by_index(graph: Graph) -> Graph:
    """``max_pool`` + ``max_pool_grad`` of one input -> ``max_pool_with_index`` + routing."""
    pooled = {_pool_key(n) for n in graph.nodes if n.prim is max_pool_p} - {None}
    routed = {_pool_key(n) for n in graph.nodes if n.prim is max_pool_grad_p} - {None}
    shared = pooled & routed
    if not shared:
        return graph
    rewriter = Rewriter(graph)
    forward: dict[tuple, tuple[Value, Value]] = {}  # key -> (pooled output, winners)
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
def relu_after_max_pool(graph: Graph) -> Graph:
    """``max_pool_with_index(relu(z))`` -> ``relu`` of ``max_pool_with_index(z)`` 's output,
    when the relu's output is read by nothing else and every routing of the winners is
    masked by the pooled output (``relu_grad_before_max_pool_grad`` has run)."""
    users = _users(graph)
    rewriter = Rewriter(graph)
    for node in graph.nodes:
        if node.prim is not max_pool_with_index_p or not _relu_feeds_only(node, users):
            rewriter.keep(node)
            continue
        (z,) = rewriter.inputs(node.inputs[0].producer)
        rewriter.replace(node.inputs[0], z)  # shape-only readers of relu(z) read z
        pooled, winner = rewriter.add(max_pool_with_index_p, [z], node.attrs)
        (activated,) = rewriter.add(relu_p, [pooled], {})
        rewriter.replace(node.outputs[0], activated)
        rewriter.replace(node.outputs[1], winner)
    return rewriter.finish()


def _relu_feeds_only(pool: Node, users: dict) -> bool:
    r = pool.inputs[0]
    relu = r.producer
    if relu is None or relu.prim is not relu_p or is_stateful(relu):
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


# --- gradients nobody reads ---------------------------------------------------------------------
def skip_unread_input_gradient(graph: Graph) -> Graph:
    """``lstm_sequence_grad`` with an unread ``d x`` -> the same with ``input_gradient=False``."""
    targets = [n for n in graph.nodes if n.prim is lstm_sequence_grad_p
               and n.attrs.get("input_gradient", True)]
    if not targets:
        return graph
    users = _users(graph)
    unread = {id(n) for n in targets if not users.get(n.outputs[0].id)}
    if not unread:
        return graph
    rewriter = Rewriter(graph)
    for node in graph.nodes:
        if id(node) in unread:
            rewriter.emit(node.prim, rewriter.inputs(node),
                          {**node.attrs, "input_gradient": False}, replacing=node)
        else:
            rewriter.keep(node)
    return rewriter.finish()
