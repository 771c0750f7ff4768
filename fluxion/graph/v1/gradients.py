"""``gradients(ys, xs)``: symbolic reverse-mode differentiation of a v1 graph.

TF 1's ``tf.gradients`` is a function of the graph, not of a recording: ``ys`` and
``xs`` may be any tensors of the graph, built at any time before the call.  So it
walks the graph itself rather than a ``GradientTape``: no tape runs while a graph is
built (one would hold every tensor and change how ``fluxion.function`` and
``custom_gradient`` behave), and values are matched by their graph identity
(``Value``), not by which Python wrapper the caller holds.

The walk mirrors the tape's: the nodes reachable from ``xs`` through differentiable
primitives, visited in reverse graph order; each calls its primitive's VJP rule on
symbolic wrappers of its inputs and outputs, and every cotangent is summed down to
its input's shape (``sum_to_like``), the one place broadcasting is undone.  The VJP
rules are Fluxion ops, so the backward pass binds into the same graph, after the
forward nodes, and is itself differentiable.  A variable in ``xs`` stands for all its
``read_variable`` nodes.

Not seen: ``custom_gradient`` functions (they record their rule on tapes only), so
their forward ops are differentiated as written.
"""

from __future__ import annotations

from fluxion.core import context, nest
from fluxion.core.primitives.broadcast import sum_to_like
from fluxion.core.primitives.elementwise import add, ones_like, zeros_like
from fluxion.core.tape import UnconnectedGradients
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple, wrap
from fluxion.graph.symbolic import SymbolicTensor
from fluxion.graph.v1.graph import Graph, GraphBuilder, get_default_graph


def gradients(ys, xs, grad_ys=None, name: str = "gradients",
              colocate_gradients_with_ops: bool = False, gate_gradients: bool = False,
              aggregation_method=None, stop_gradients=None,
              unconnected_gradients=UnconnectedGradients.NONE) -> list:
    """Symbolic derivatives of ``sum(ys)`` with respect to each of ``xs``.

    Args:
      ys: a tensor or list of tensors to differentiate.
      xs: a tensor, variable, or list of them.
      grad_ys: optional weights for ``ys`` (same structure), ones by default.
      stop_gradients: tensors through which no gradient flows.
      unconnected_gradients: ``"none"`` (None for an ``x`` that ``ys`` do not depend
        on) or ``"zero"``.

    Returns:
      A list with one tensor (or None) per ``x``.

    >>> import fluxion.compat.v1 as tf  # doctest: +SKIP
    >>> x = tf.placeholder(tf.float32, [3])  # doctest: +SKIP
    >>> dx, = tf.gradients(tf.reduce_sum(x * x), [x])  # doctest: +SKIP
    """
    flat_ys = [_as_tensor(y) for y in nest.flatten(ys)]
    flat_xs = nest.flatten(xs)
    graph = _graph_of(flat_ys + [x for x in flat_xs if isinstance(x, SymbolicTensor)])
    builder = graph.builder
    if grad_ys is None:
        seeds = [None] * len(flat_ys)
    else:
        seeds = nest.flatten(grad_ys)
        if len(seeds) != len(flat_ys):
            raise ValueError(f"gradients: grad_ys has {len(seeds)} tensors but ys has "
                             f"{len(flat_ys)}")
    source_ids = [_value_ids(builder, x) for x in flat_xs]
    stop_ids = {_as_tensor(t)._graph_value.id for t in nest.flatten(stop_gradients or [])
                if isinstance(_as_tensor(t), SymbolicTensor)}
    unconnected = UnconnectedGradients(unconnected_gradients)
    with graph.building():
        grads = _backprop(builder, flat_ys, seeds, {i for ids in source_ids for i in ids},
                          stop_ids)
        result = []
        for x, ids in zip(flat_xs, source_ids):
            found = [grads[i] for i in ids if i in grads]
            if not found:
                result.append(zeros_like(_as_tensor(x)) if unconnected
                              is UnconnectedGradients.ZERO else None)
                continue
            total = found[0]
            for g in found[1:]:
                total = add(total, g)
            result.append(total)
    return result


def _graph_of(tensors: list) -> Graph:
    for tensor in tensors:
        if isinstance(tensor, SymbolicTensor):
            if not isinstance(tensor._builder, GraphBuilder):
                raise RuntimeError("tf.gradients is not supported inside fluxion.function; "
                                   "use fluxion.GradientTape instead.")
            return tensor._builder.owner
    if context.tracer is None:
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled "
                           "(no placeholder or graph is being built): use "
                           "fluxion.GradientTape instead.")
    return get_default_graph()


def _as_tensor(item) -> Tensor:
    if hasattr(item, "_read_for_op"):
        return item._read_for_op()
    if not isinstance(item, Tensor):
        raise TypeError(f"gradients expects tensors or variables, got {type(item).__name__}")
    return item


def _value_ids(builder: GraphBuilder, x) -> list[int]:
    """The graph values ``x`` stands for: its own, or every read of a variable."""
    if hasattr(x, "_read_for_op"):
        return [node.outputs[0].id for node in builder.graph.nodes
                if node.prim.effect == "reads_state" and "variable" in node.attrs
                and node.attrs["variable"].deref() is x]
    if isinstance(x, SymbolicTensor):
        if x._builder is not builder:
            raise ValueError(f"gradients: {x.name} is not an element of the graph of ys")
        return [x._graph_value.id]
    if isinstance(x, Tensor):
        return []  # a concrete tensor: nothing in the graph depends on it
    raise TypeError(f"gradients expects tensors or variables as xs, got {type(x).__name__}")


def _backprop(builder: GraphBuilder, ys: list, seeds: list, sources: set[int],
              stops: set[int]) -> dict:
    """Reverse accumulation over the graph: value id -> cotangent tensor."""
    reachable = set(sources) - stops
    relevant = []
    for node in builder.graph.nodes:
        if node.prim.vjp is None:
            continue
        if any(v.id in reachable for v in node.inputs):
            relevant.append(node)
            reachable.update(o.id for o in node.outputs if o.id not in stops)
    grads: dict = {}
    for y, seed in zip(ys, seeds):
        if not isinstance(y, SymbolicTensor) or not y.dtype.is_differentiable:
            continue
        value = y._graph_value
        if value.id not in reachable and value.id not in sources:
            continue
        seed = ones_like(y) if seed is None else convert_to_tensor(seed, dtype=y.dtype)
        _accumulate(grads, value.id, seed)
    wrappers: dict = {}

    def tensor(value) -> Tensor:
        found = wrappers.get(value.id)
        if found is None:
            found = wrap(value.constant) if value.is_constant else builder.symbolic(value)
            wrappers[value.id] = found
        return found

    for node in reversed(relevant):
        if node.prim.multiple_results:
            cotangents = [grads.get(o.id) for o in node.outputs]
            if all(c is None for c in cotangents):
                continue
            cotangent = tuple(cotangents) if node.prim.sparse_cotangents else tuple(
                zeros_like(tensor(o)) if c is None else c
                for o, c in zip(node.outputs, cotangents))
            outputs = tuple(tensor(o) for o in node.outputs)
        else:
            cotangent = grads.get(node.outputs[0].id)
            if cotangent is None:
                continue
            outputs = tensor(node.outputs[0])
        inputs = tuple(tensor(v) for v in node.inputs)
        input_grads = node.prim.vjp(cotangent, inputs, outputs, **node.attrs)
        for value, x, g in zip(node.inputs, inputs, input_grads):
            if g is None or value.id not in reachable or not x.dtype.is_differentiable:
                continue
            x_shape = shape_tuple(x)
            if shape_tuple(g) != x_shape or None in x_shape:
                g = sum_to_like(g, x)
            _accumulate(grads, value.id, g)
    return grads


def _accumulate(grads: dict, key: int, g: Tensor) -> None:
    previous = grads.get(key)
    grads[key] = g if previous is None else add(previous, g)
