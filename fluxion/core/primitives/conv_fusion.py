"""Rewrites that let a convolution absorb the nodes after it (stage ``"fusion"``).

They run after simplification (``fluxion.graph.passes.family_fusion``), in this order:

1. ``fold_zero_padding``: ``conv(pad(x, zeros on the spatial axes), w, VALID)`` becomes
   ``conv(x, w, explicit pads)`` (Keras's ``ZeroPadding2D`` before a strided conv), so
   the padded copy is never made.
2. ``fold_channel_affine``: a chain of per-channel multiplications and additions after a
   convolution, ``(conv(x, w) + b1) * s + b2``, becomes ``conv(x, w * s) + (b1 * s +
   b2)``.  An inference-mode batch normalization is exactly such a chain (its scale and
   shift come from the moving statistics), so this folds it into the filter.  The
   folded filter is computed inside the graph from the variables on every call: cheap
   next to the convolution, and always current when the variables change.
3. ``fuse_conv_epilogue``: ``relu(conv(x, w) + b [+ residual])`` (optionally capped:
   ``minimum(relu(...), 6)`` is ReLU6) becomes one ``fused_conv`` node
   (``fluxion.core.primitives.conv_fused``), which oneDNN runs as one primitive with
   post-ops.
4. ``fuse_bias_gradient`` (training graphs): the filter gradient and the bias gradient
   of one cotangent, ``conv_filter_grad(x, g, w)`` and ``sum_to_like(g, b)``, become one
   ``conv_filter_bias_grad`` node (oneDNN's backward-weights primitive computes both).

Each link of a chain must be the only use of the value before it (a value the rest of
the graph reads must stay), keep the convolution's output shape and dtype, and a
per-channel operand must be one value per output channel (``[O]`` or ``[1, ..., O]``).
That is also what keeps the fold away from training-mode batch normalization: there
the scale is computed from the convolution's output itself (the batch moments), which
is then read twice.  In a training graph with the normalization frozen, the forward
convolution takes the folded filter while the gradient nodes keep the original one.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import declare_rewrite
from fluxion.core.primitives.activation import relu_p
from fluxion.core.primitives.broadcast import sum_to_like_p
from fluxion.core.primitives.conv import conv_filter_grad_p, conv_p
from fluxion.core.primitives.conv_fused import conv_filter_bias_grad_p, fused_conv_p
from fluxion.core.primitives.elementwise import add_p, minimum_p, mul_p
from fluxion.core.primitives.layout import pad_constant_p
from fluxion.core.primitives.shape import reshape_p

_CONV_ATTRS = ("strides", "padding", "dilations", "groups")


class _Uses:
    """Who reads each value of a graph: node indices, -1 for a graph output.  A read of
    only the value's shape (``sum_to_like``'s target in a gradient) is kept apart: any
    value of the same shape and dtype defined before the reader may stand in for it."""

    def __init__(self, graph):
        self.nodes = graph.nodes
        self.readers: dict[int, list[int]] = {}
        self.shape_readers: dict[int, list[int]] = {}
        for index, node in enumerate(graph.nodes):
            for position, value in enumerate(node.inputs):
                kind = self.shape_readers if position in node.prim.shape_only else self.readers
                kind.setdefault(value.id, []).append(index)
        for value in graph.outputs:
            self.readers.setdefault(value.id, []).append(-1)

    def only_reader(self, value) -> int | None:
        """The index of the one node reading ``value``'s contents (once), or None."""
        readers = self.readers.get(value.id, ())
        return readers[0] if len(readers) == 1 and readers[0] >= 0 else None

    def read_after(self, values, index: int) -> bool:
        """Whether every read of ``values`` (contents or shape) comes after node ``index``."""
        return self.shapes_read_after(values, index) and all(
            reader < 0 or reader > index for value in values
            for reader in self.readers.get(value.id, ()))

    def shapes_read_after(self, values, index: int) -> bool:
        """Whether every shape-only read of ``values`` comes after node ``index``."""
        return all(reader > index for value in values
                   for reader in self.shape_readers.get(value.id, ()))


def _replace_inner(rewriter, nodes, indices, tail_output) -> None:
    """Points the shape-only readers of a fused chain's inner values at its result."""
    for index in indices:
        rewriter.replace(nodes[index].outputs[0], tail_output)


def _other_operand(node, value):
    """The operand of the binary ``node`` that is not ``value`` (None if both are)."""
    a, b = node.inputs
    if a is value and b is not value:
        return b
    if b is value and a is not value:
        return a
    return None


def _is_per_channel(value, out) -> bool:
    """``value`` holds one number per channel of ``out`` (broadcast along the last axis)."""
    shape, channels = tuple(value.aval.shape), out.aval.shape[-1]
    return (value.aval.dtype is out.aval.dtype and channels is not None and 1 <= len(shape)
            <= len(out.aval.shape) and shape[-1] == channels
            and all(d == 1 for d in shape[:-1]))


def _keeps_aval(node, out) -> bool:
    return not node.prim.stateful and node.outputs[0].aval == out.aval


def _conv_attrs(node) -> dict:
    return {name: node.attrs[name] for name in _CONV_ATTRS}


def _conv_nodes(graph):
    return [(index, node) for index, node in enumerate(graph.nodes)
            if node.prim is conv_p and not node.prim.stateful]


# --- 1. zero padding into the convolution's pads ------------------------------------------------
def _spatial_zero_pads(pad_node) -> tuple | None:
    """The spatial ``(lo, hi)`` pairs of a zero ``pad`` that leaves batch and channels alone."""
    if pad_node is None or pad_node.prim is not pad_constant_p:
        return None
    paddings, fill = pad_node.attrs["paddings"], pad_node.attrs["constant_values"]
    if np.any(np.asarray(fill) != 0) or len(paddings) < 3:
        return None
    if tuple(paddings[0]) != (0, 0) or tuple(paddings[-1]) != (0, 0):
        return None
    return tuple(tuple(int(p) for p in pair) for pair in paddings[1:-1])


@declare_rewrite(conv_p, order=10, stage="fusion")
def fold_zero_padding(graph, rewriter_class):
    """``conv(pad(x), w)`` with zero spatial padding: ``conv(x, w)`` with the pads added."""
    uses = _Uses(graph)
    folds = {}
    for index, node in _conv_nodes(graph):
        x = node.inputs[0]
        extra = _spatial_zero_pads(x.producer)
        padding = node.attrs["padding"]
        if extra is None or padding == "SAME" or uses.only_reader(x) != index:
            continue
        own = ((0, 0),) * len(extra) if padding == "VALID" else padding
        folds[index] = (x.producer.inputs[0], tuple(
            (lo + a, hi + b) for (lo, hi), (a, b) in zip(own, extra)))
    if not folds:
        return graph
    rewriter = rewriter_class(graph)
    for index, node in enumerate(graph.nodes):
        if index not in folds:
            rewriter.keep(node)
            continue
        source, padding = folds[index]
        rewriter.emit(conv_p, [rewriter.value(source), rewriter.inputs(node)[1]],
                      {**node.attrs, "padding": padding}, replacing=node)
    return rewriter.finish()


# --- 2. per-channel scales and shifts into the filter and one bias ------------------------------
def _affine_chain(index, node, uses, claimed) -> list[tuple[str, object, int]]:
    """The per-channel ``("add" | "mul", operand, node index)`` links after a conv."""
    links, value = [], node.outputs[0]
    while True:
        reader = uses.only_reader(value)
        if reader is None or reader in claimed:
            return links
        follower = uses.nodes[reader]
        if follower.prim not in (add_p, mul_p) or not _keeps_aval(follower, node.outputs[0]):
            return links
        operand = _other_operand(follower, value)
        if operand is None or not _is_per_channel(operand, node.outputs[0]):
            return links
        links.append(("mul" if follower.prim is mul_p else "add", operand, reader))
        value = follower.outputs[0]


@declare_rewrite(conv_p, order=20, stage="fusion")
def fold_channel_affine(graph, rewriter_class):
    """``(conv(x, w) + b) * s + t`` (per-channel ``b, s, t``) -> ``conv(x, w*s) + (b*s + t)``."""
    uses = _Uses(graph)
    chains, claimed = {}, set()
    for index, node in _conv_nodes(graph):
        links = _affine_chain(index, node, uses, claimed)
        if not any(kind == "mul" for kind, _, _ in links) and len(links) < 2:
            continue  # nothing to fold: at most one bias addition
        inner = [index] + [reader for _, _, reader in links[:-1]]
        if not uses.shapes_read_after([graph.nodes[i].outputs[0] for i in inner],
                                      links[-1][2]):
            continue
        chains[links[-1][2]] = (node, links, inner)
        claimed.update(inner + [links[-1][2]])
    return _rebuilt(graph, rewriter_class, chains, claimed, _emit_folded)


def _rebuilt(graph, rewriter_class, matches: dict, claimed: set, emit):
    """``graph`` with each match (keyed by its last node's index: the conv, what the
    rewrite found, the inner node indices) computed by ``emit``'s nodes instead."""
    if not matches:
        return graph
    rewriter = rewriter_class(graph)
    for index, node in enumerate(graph.nodes):
        if index in matches:
            conv, found, inner = matches[index]
            emit(rewriter, conv, found, replacing=node)
            _replace_inner(rewriter, graph.nodes, inner, rewriter.value(node.outputs[0]))
        elif index not in claimed:
            rewriter.keep(node)
    return rewriter.finish()


def _emit_folded(rewriter, conv, links, replacing) -> None:
    """Adds ``conv(x, w * scale) + bias`` computing what ``replacing`` computed."""
    def node_output(prim, a, b):
        return rewriter.add(prim, [a, b], {})[0]

    scale, bias = None, None
    for kind, operand, _ in links:
        operand = rewriter.value(operand)
        if kind == "mul":
            scale = operand if scale is None else node_output(mul_p, scale, operand)
            bias = None if bias is None else node_output(mul_p, bias, operand)
        else:
            bias = operand if bias is None else node_output(add_p, bias, operand)
    x, w = rewriter.inputs(conv)
    if scale is not None:
        w = node_output(mul_p, w, _as_vector(rewriter, scale))
    if bias is None:
        rewriter.emit(conv_p, [x, w], _conv_attrs(conv), replacing=replacing)
        return
    (y,) = rewriter.add(conv_p, [x, w], _conv_attrs(conv))
    rewriter.emit(add_p, [y, bias], {}, replacing=replacing)


def _as_vector(rewriter, value):
    """A per-channel ``[1, ..., O]`` value as ``[O]``."""
    if len(value.aval.shape) == 1:
        return value
    return rewriter.add(reshape_p, [value], {"shape": (value.aval.shape[-1],)})[0]


# --- 3. bias, residual and ReLU into one fused_conv ------------------------------------------
def _epilogue(index, node, uses, claimed) -> dict | None:
    """What ``fused_conv`` can take in after the conv at ``index``, or None."""
    out, value = node.outputs[0], node.outputs[0]
    found = {"bias": None, "residual": None, "relu": False, "cap": None, "nodes": []}

    def next_reader(prims):
        reader = uses.only_reader(value)
        if reader is None or reader in claimed or uses.nodes[reader].prim not in prims:
            return None
        follower = uses.nodes[reader]
        return (reader, follower) if _keeps_aval(follower, out) else None

    step = next_reader((add_p,))
    if step is not None:
        operand = _other_operand(step[1], value)
        if operand is not None and _is_per_channel(operand, out):
            found["bias"] = operand
            found["nodes"].append(step[0])
            value = step[1].outputs[0]
    step = next_reader((add_p,))
    if step is not None:
        operand = _other_operand(step[1], value)
        if operand is not None and operand.aval == out.aval:
            found["residual"] = operand
            found["nodes"].append(step[0])
            value = step[1].outputs[0]
    step = next_reader((relu_p,))
    if step is not None:
        found["relu"] = True
        found["nodes"].append(step[0])
        value = step[1].outputs[0]
        step = next_reader((minimum_p,))
        cap = None if step is None else _positive_scalar(_other_operand(step[1], value))
        if cap is not None:
            found["cap"] = cap
            found["nodes"].append(step[0])
    return found if found["nodes"] else None


def _positive_scalar(value) -> float | None:
    if value is None or not value.is_constant or np.size(value.constant) != 1:
        return None
    number = float(np.asarray(value.constant).reshape(()))
    return number if number > 0 else None


@declare_rewrite(conv_p, order=30, stage="fusion")
def fuse_conv_epilogue(graph, rewriter_class):
    """``relu(conv(x, w) + b [+ r])`` (capped or not) -> one ``fused_conv`` node."""
    uses = _Uses(graph)
    tails, claimed = {}, set()
    for index, node in _conv_nodes(graph):
        found = _epilogue(index, node, uses, claimed)
        if found is None:
            continue
        inner = [index] + found["nodes"][:-1]
        if not uses.shapes_read_after([graph.nodes[i].outputs[0] for i in inner],
                                      found["nodes"][-1]):
            continue
        tails[found["nodes"][-1]] = (node, found, inner)
        claimed.update(inner + found["nodes"][-1:])
    return _rebuilt(graph, rewriter_class, tails, claimed, _emit_fused)


def _emit_fused(rewriter, conv, found, replacing) -> None:
    x, w = rewriter.inputs(conv)
    out = conv.outputs[0].aval
    if found["bias"] is None:
        bias = rewriter.constant(np.zeros((out.shape[-1],), out.dtype.np_dtype))
    else:
        bias = _as_vector(rewriter, rewriter.value(found["bias"]))
    inputs = [x, w, bias]
    if found["residual"] is not None:
        inputs.append(rewriter.value(found["residual"]))
    attrs = _conv_attrs(conv)
    attrs.update(activation="relu" if found["relu"] else "linear", relu_cap=found["cap"])
    rewriter.emit(fused_conv_p, inputs, attrs, replacing=replacing)


# --- 4. the bias gradient with the filter gradient --------------------------------------------
def _channel_sum_source(value):
    """The value a chain of partial sums (``sum_to_like`` keeping the channel axis) starts
    from: each channel's total over the other axes is the same all along the chain."""
    channels = value.aval.shape[-1]
    while (channels is not None and value.producer is not None
           and value.producer.prim is sum_to_like_p
           and len(value.producer.inputs[0].aval.shape) == len(value.aval.shape)
           and value.producer.inputs[0].aval.shape[-1] == channels):
        value = value.producer.inputs[0]
    return value


def _bias_sums(graph) -> dict[int, list[int]]:
    """``sum_to_like(g, b)`` nodes summing a channels-last ``g`` to one value per channel,
    by the id of ``g``'s partial-sum source."""
    found: dict[int, list[int]] = {}
    for index, node in enumerate(graph.nodes):
        if node.prim is not sum_to_like_p:
            continue
        g, out = node.inputs[0], node.outputs[0].aval
        if len(out.shape) == 1 and len(g.aval.shape) >= 3 and g.aval.dtype is out.dtype \
                and g.aval.shape[-1] is not None and g.aval.shape[-1] == out.shape[0]:
            found.setdefault(_channel_sum_source(g).id, []).append(index)
    return found


@declare_rewrite(conv_filter_grad_p, order=40, stage="fusion")
def fuse_bias_gradient(graph, rewriter_class):
    """``conv_filter_grad(x, g, w)`` and ``sum_to_like(g, b)`` -> one
    ``conv_filter_bias_grad(x, g, w)`` at the later of the two."""
    uses, sums = _Uses(graph), _bias_sums(graph)
    pairs, taken = {}, set()
    for index, node in enumerate(graph.nodes):
        if node.prim is not conv_filter_grad_p or node.prim.stateful:
            continue
        candidates = [i for i in sums.get(_channel_sum_source(node.inputs[1]).id, ())
                      if i not in taken]
        if not candidates:
            continue
        first, last = sorted((index, candidates[0]))
        if not uses.read_after(graph.nodes[first].outputs, last):
            continue
        pairs[last] = (index, candidates[0])
        taken.update((index, candidates[0]))
    if not pairs:
        return graph
    rewriter = rewriter_class(graph)
    for index, node in enumerate(graph.nodes):
        if index in pairs:
            filter_node, sum_node = (graph.nodes[i] for i in pairs[index])
            dw, db = rewriter.add(conv_filter_bias_grad_p, rewriter.inputs(filter_node),
                                  _conv_attrs(filter_node))
            rewriter.replace(filter_node.outputs[0], dw)
            rewriter.replace(sum_node.outputs[0], db)
        elif index not in taken:
            rewriter.keep(node)
    return rewriter.finish()
