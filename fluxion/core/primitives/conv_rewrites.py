"""The rewrite of the convolution family that needs the forward and backward pass together.

``share_patches``: ``conv(x, w)`` and ``conv_filter_grad(x, g, w)`` both build the
patch matrix of ``x`` (im2col).  When both are in a graph (same ``x``, same geometry,
no groups), they are rewritten into one ``im2col`` node feeding ``conv_patches`` and
``filter_grad_patches``, so the patches are built once.  Exact (the same values), and
graphs without such a pair are left untouched.  Declared on ``conv``'s record and
applied by ``fluxion.graph.passes.backward_rewrites``.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import declare_rewrite
from fluxion.core.primitives.conv import (
    conv_filter_grad_p,
    conv_p,
    conv_patches_p,
    filter_grad_patches_p,
    im2col_p,
)

_GEOMETRY = ("strides", "padding", "dilations")


def _patch_key(node) -> tuple | None:
    if node.prim.stateful or node.attrs.get("groups", 1) != 1:
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


@declare_rewrite(conv_p, order=10)
def share_patches(graph, rewriter_class):
    """Builds each convolved input's patch matrix once for its conv and filter gradient."""
    convs = {_patch_key(n) for n in graph.nodes if n.prim is conv_p} - {None}
    grads = {_patch_key(n) for n in graph.nodes if n.prim is conv_filter_grad_p} - {None}
    shared = convs & grads
    if not shared:
        return graph
    rewriter = rewriter_class(graph)
    patches: dict[tuple, object] = {}
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
