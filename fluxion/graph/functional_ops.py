"""Higher-order functions over a tensor's first axis: ``map_fn``, ``scan``, ``foldl``,
``foldr`` and ``vectorized_map``.

Eagerly each is a Python loop over the unstacked elements, the results stacked; the
tape records the ops, so gradients need nothing more.  While tracing, each is one
``while_loop`` reading its elements from ``TensorArray`` s and writing its results into
others, so the graph stays the same size whatever the length, and a length known only
at run time works.  Elements and results may be nests of tensors.
"""

from __future__ import annotations

from fluxion.core import context, nest
from fluxion.core.primitives.shape import stack, unstack
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.tensor_spec import TensorSpec
from fluxion.graph.tensor_array import TensorArray
from fluxion.graph.while_loop import while_loop
from fluxion.ops.creation_ops import shape as shape_op

__all__ = ["map_fn", "scan", "foldl", "foldr", "vectorized_map"]


def _flat_elems(elems, op: str) -> list[Tensor]:
    flat = [convert_to_tensor(e) for e in nest.flatten(elems)]
    if not flat:
        raise ValueError(f"{op}: elems must hold at least one tensor")
    for tensor in flat:
        if tensor.shape.rank == 0:
            raise ValueError(f"{op}: elems must have rank >= 1 (they are split along their "
                             f"first axis), got a scalar")
    first = [t.shape[0] for t in flat]
    known = {d for d in first if d is not None}
    if len(known) > 1:
        raise ValueError(f"{op}: all elems must have the same first dimension, got "
                         f"{sorted(known)}")
    return flat


def _length(flat: list[Tensor]):
    static = flat[0].shape[0]
    return static if static is not None else shape_op(flat[0])[0]


def _traced() -> bool:
    return context.tracer is not None


def _output_dtypes(signature, like):
    """The dtype nest of the outputs: from ``fn_output_signature`` / ``dtype``, else ``like``."""
    if signature is None:
        return nest.map_structure(lambda t: convert_to_tensor(t).dtype, like)

    def dtype_of(spec):
        from fluxion.core import dtypes

        return spec.dtype if isinstance(spec, TensorSpec) else dtypes.as_dtype(spec)

    return nest.map_structure(dtype_of, signature) if nest.is_nested(signature) \
        else dtype_of(signature)


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True,
           swap_memory=False, infer_shape=True, name=None, fn_output_signature=None):
    """Applies ``fn`` to each element of ``elems`` (sliced on axis 0) and stacks the results.

    Args:
      fn: called with one element (a nest like ``elems`` of tensors with the first axis
        removed); returns a tensor or nest of tensors.
      elems: a tensor or nest of tensors with the same first dimension.
      fn_output_signature (or the older ``dtype``): the dtype(s) or ``TensorSpec`` s of
        ``fn``'s result when they differ from ``elems``'.

    Returns:
      ``fn``'s results stacked along a new first axis, with ``fn``'s result structure.

    >>> import fluxion as tf
    >>> tf.map_fn(lambda x: x * x, tf.constant([1, 2, 3])).numpy()
    array([1, 4, 9], dtype=int32)
    """
    signature = fn_output_signature if fn_output_signature is not None else dtype
    flat = _flat_elems(elems, "map_fn")
    if not _traced() and flat[0].shape[0] is not None:
        rows = list(zip(*[unstack(t, axis=0) for t in flat])) if flat[0].shape[0] else []
        results = [fn(nest.pack_sequence_as(elems, list(row)) if nest.is_nested(elems)
                      else row[0]) for row in rows]
        if not results:
            return _empty_like(signature, elems)
        template = results[0]
        columns = zip(*[nest.flatten(r) for r in results])
        stacked = [stack([convert_to_tensor(v) for v in column]) for column in columns]
        return nest.pack_sequence_as(template, stacked) if nest.is_nested(template) \
            else stacked[0]
    length = _length(flat)
    inputs = [TensorArray(t.dtype, size=length).unstack(t) for t in flat]
    out_dtypes = _output_dtypes(signature, elems)
    outputs = [TensorArray(d, size=length, infer_shape=infer_shape)
               for d in nest.flatten(out_dtypes)]

    def body(i, outs):
        row = [ta.read(i) for ta in inputs]
        result = fn(nest.pack_sequence_as(elems, row) if nest.is_nested(elems) else row[0])
        leaves = nest.flatten(result)
        if len(leaves) != len(outs):
            raise ValueError(f"map_fn: fn returned {len(leaves)} tensors but the output "
                             f"signature holds {len(outs)}; pass fn_output_signature")
        return i + 1, [ta.write(i, leaf) for ta, leaf in zip(outs, leaves)]

    _, outputs = while_loop(lambda i, _: i < length, body, (0, outputs),
                            back_prop=back_prop)
    stacked = [ta.stack() for ta in outputs]
    return nest.pack_sequence_as(out_dtypes, stacked) if nest.is_nested(out_dtypes) \
        else stacked[0]


def _empty_like(signature, elems):
    from fluxion.ops.creation_ops import zeros

    dtypes_ = _output_dtypes(signature, elems)
    return nest.map_structure(lambda d: zeros([0], d), dtypes_) if nest.is_nested(dtypes_) \
        else zeros([0], dtypes_)


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """``fn`` applied to each element of ``elems`` along axis 0 (``tf.vectorized_map``).

    The results equal ``map_fn``'s; Fluxion runs it as ``map_fn`` (one loop over the
    elements), the behaviour TF falls back to when it cannot vectorize ``fn``.
    """
    return map_fn(fn, elems)


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """Accumulates ``acc = fn(acc, element)`` over ``elems``; returns every ``acc``, stacked.

    Args:
      fn: called as ``fn(acc, element)``, returns the new ``acc`` (a nest like
        ``initializer``, or like ``elems`` when no initializer is given).
      elems: a tensor or nest of tensors, scanned along the first axis.
      initializer: the first ``acc``; without it the first element is, and the scan
        runs over the remaining ones (the first output is then that element).
      reverse: scan from the last element to the first.

    >>> import fluxion as tf
    >>> tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3, 4])).numpy()
    array([ 1,  3,  6, 10], dtype=int32)
    """
    flat = _flat_elems(elems, "scan")
    length = _length(flat)

    def element(row):
        return nest.pack_sequence_as(elems, row) if nest.is_nested(elems) else row[0]

    if not _traced() and flat[0].shape[0] is not None:
        rows = list(zip(*[unstack(t, axis=0) for t in flat])) if length else []
        order = list(reversed(rows)) if reverse else rows
        if initializer is None:
            if not order:
                raise ValueError("scan: elems is empty and no initializer was given")
            acc, order = element(list(order[0])), order[1:]
            accs = [acc]
        else:
            acc, accs = initializer, []
        for row in order:
            acc = fn(acc, element(list(row)))
            accs.append(acc)
        if reverse:
            accs.reverse()
        if not accs:
            return nest.map_structure(lambda t: convert_to_tensor(t)[:0], acc)
        columns = zip(*[nest.flatten(a) for a in accs])
        stacked = [stack([convert_to_tensor(v) for v in column]) for column in columns]
        return nest.pack_sequence_as(acc, stacked) if nest.is_nested(acc) else stacked[0]
    inputs = [TensorArray(t.dtype, size=length).unstack(t) for t in flat]

    def read(i):
        return element([ta.read(i) for ta in inputs])

    def position(i):
        return length - 1 - i if reverse else i

    start = 0
    if initializer is None:
        initializer, start = read(position(0)), 1
    init_leaves = [convert_to_tensor(v) for v in nest.flatten(initializer)]
    outputs = [TensorArray(t.dtype, size=length, infer_shape=infer_shape,
                           element_shape=t.shape) for t in init_leaves]
    if start:
        outputs = [ta.write(position(0), v) for ta, v in zip(outputs, init_leaves)]

    def pack_acc(leaves):
        return nest.pack_sequence_as(initializer, leaves) if nest.is_nested(initializer) \
            else leaves[0]

    def body(i, acc_leaves, outs):
        acc = fn(pack_acc(acc_leaves), read(position(i)))
        leaves = [convert_to_tensor(v) for v in nest.flatten(acc)]
        return i + 1, leaves, [ta.write(position(i), v) for ta, v in zip(outs, leaves)]

    _, _, outputs = while_loop(lambda i, *_: i < length, body,
                               (start, init_leaves, outputs), back_prop=back_prop)
    return pack_acc([ta.stack() for ta in outputs])


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Folds ``fn`` over ``elems`` from the first element; returns the final accumulator.

    >>> import fluxion as tf
    >>> int(tf.foldl(lambda a, x: a * x, tf.constant([1, 2, 3, 4])))
    24
    """
    return _fold(fn, elems, initializer, back_prop, reverse=False, op="foldl")


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Folds ``fn`` over ``elems`` from the last element; returns the final accumulator.

    >>> import fluxion as tf
    >>> int(tf.foldr(lambda a, x: a - x, tf.constant([1, 2, 3]), initializer=10))
    4
    """
    return _fold(fn, elems, initializer, back_prop, reverse=True, op="foldr")


def _fold(fn, elems, initializer, back_prop, reverse: bool, op: str):
    flat = _flat_elems(elems, op)
    length = _length(flat)

    def element(row):
        return nest.pack_sequence_as(elems, row) if nest.is_nested(elems) else row[0]

    if not _traced() and flat[0].shape[0] is not None:
        rows = list(zip(*[unstack(t, axis=0) for t in flat])) if length else []
        if reverse:
            rows.reverse()
        if initializer is None:
            if not rows:
                raise ValueError(f"{op}: elems is empty and no initializer was given")
            initializer, rows = element(list(rows[0])), rows[1:]
        acc = initializer
        for row in rows:
            acc = fn(acc, element(list(row)))
        return acc
    inputs = [TensorArray(t.dtype, size=length).unstack(t) for t in flat]

    def read(i):
        return element([ta.read(i) for ta in inputs])

    def position(i):
        return length - 1 - i if reverse else i

    start = 0
    if initializer is None:
        initializer, start = read(position(0)), 1
    leaves = [convert_to_tensor(v) for v in nest.flatten(initializer)]

    def pack_acc(flat_acc):
        return nest.pack_sequence_as(initializer, flat_acc) if nest.is_nested(initializer) \
            else flat_acc[0]

    def body(i, acc_leaves):
        acc = fn(pack_acc(acc_leaves), read(position(i)))
        return i + 1, [convert_to_tensor(v) for v in nest.flatten(acc)]

    _, leaves = while_loop(lambda i, _: i < length, body, (start, leaves),
                           back_prop=back_prop)
    return pack_acc(leaves)
