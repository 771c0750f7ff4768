"""Clipping with TensorFlow's names: ``clip_by_value``, ``clip_by_norm``,
``clip_by_global_norm``, ``global_norm``.

All are composites, so their gradients come from the primitives: ``clip_by_value`` is
``maximum(minimum(t, hi), lo)``, whose gradient reaches ``t`` only inside ``[lo, hi]``.
"""

from __future__ import annotations

from collections.abc import Sequence

from fluxion.core.errors import InvalidArgumentError, op_error
from fluxion.core.indexed_slices import IndexedSlices
from fluxion.core.primitive import bind
from fluxion.core.primitives import elementwise as elementwise_prims
from fluxion.core.primitives import reduce
from fluxion.core.shape_rules import broadcast_shapes, normalize_axes
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.creation_ops import identity

__all__ = ["clip_by_value", "clip_by_norm", "clip_by_global_norm", "global_norm"]


def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> Tensor:
    """Clips ``t`` elementwise to ``[clip_value_min, clip_value_max]``.

    The bounds may be scalars or tensors broadcastable to ``t``'s shape (they may not
    enlarge it).  Gradients pass to ``t`` where it lies within the bounds.

    >>> clip_by_value([-2.0, 0.5, 3.0], -1.0, 1.0).numpy()
    array([-1. ,  0.5,  1. ], dtype=float32)
    """
    values = t.values if isinstance(t, IndexedSlices) else t
    values = convert_to_tensor(values)
    low = _bound("clip_by_value", clip_value_min, values)
    high = _bound("clip_by_value", clip_value_max, values)
    shape = shape_tuple(values)
    try:
        grown = broadcast_shapes(shape, shape_tuple(low), shape_tuple(high)) != tuple(shape)
    except ValueError as error:
        raise op_error(InvalidArgumentError, "clip_by_value", str(error)) from None
    if grown:
        raise op_error(InvalidArgumentError, "clip_by_value",
                       f"the bounds (shapes {list(shape_tuple(low))} and "
                       f"{list(shape_tuple(high))}) may not broadcast t of shape "
                       f"{list(shape)} to a larger shape")
    clipped = elementwise_prims.maximum(elementwise_prims.minimum(values, high), low)
    if isinstance(t, IndexedSlices):
        return IndexedSlices(clipped, t.indices, t.dense_shape)
    return clipped


def _bound(op: str, value, like: Tensor) -> Tensor:
    if isinstance(value, Tensor) or hasattr(value, "_read_for_op"):
        value = convert_to_tensor(value)
        if value.dtype is not like.dtype:
            raise op_error(InvalidArgumentError, op,
                           f"the bounds must have t's dtype {like.dtype.name}, got "
                           f"{value.dtype.name}")
        return value
    try:
        return convert_to_tensor(value, dtype=like.dtype)
    except (TypeError, ValueError) as error:
        raise op_error(TypeError, op, f"cannot use bound {value!r} with a "
                                      f"{like.dtype.name} tensor: {error}") from None


def _l2_sum(values: Tensor, axes, keepdims: bool) -> Tensor:
    squares = (
        elementwise_prims.square(elementwise_prims.abs_(values))
        if values.dtype.is_complex
        else values * values
    )
    return bind(reduce.reduce_sum_p, squares, axes=axes, keepdims=keepdims)


def clip_by_norm(t, clip_norm, axes=None, name=None) -> Tensor:
    """Rescales ``t`` so its L2 norm over ``axes`` is at most ``clip_norm``.

    ``t * clip_norm / max(l2norm(t), clip_norm)``; a zero tensor stays zero and keeps
    a finite gradient.

    >>> clip_by_norm([3.0, 4.0], 1.0).numpy()
    array([0.6, 0.8], dtype=float32)
    """
    values = convert_to_tensor(t.values if isinstance(t, IndexedSlices) else t)
    if not values.dtype.is_floating:
        raise op_error(
            TypeError,
            "clip_by_norm",
            f"expected a floating-point tensor, got dtype {values.dtype.name}",
        )
    clip_norm = _bound("clip_by_norm", clip_norm, values)
    axes = normalize_axes(reduce._axis_value(axes), len(shape_tuple(values)))
    l2sum = _l2_sum(values, axes, keepdims=True)
    positive = elementwise_prims.greater(l2sum, elementwise_prims.zeros_like(l2sum))
    # sqrt is only taken of positive sums, so the gradient at an all-zero t is finite.
    safe = elementwise_prims.select(positive, l2sum, elementwise_prims.ones_like(l2sum))
    l2norm = elementwise_prims.select(positive, elementwise_prims.sqrt(safe), l2sum)
    clipped = identity(values * clip_norm / elementwise_prims.maximum(l2norm, clip_norm))
    if isinstance(t, IndexedSlices):
        return IndexedSlices(clipped, t.indices, t.dense_shape)
    return clipped


def _check_list(op: str, t_list) -> list:
    if not isinstance(t_list, Sequence) or isinstance(t_list, (str, bytes)):
        raise TypeError(
            f"{op}: `t_list` should be a sequence of tensors, got {type(t_list).__name__}"
        )
    return list(t_list)


def global_norm(t_list, name=None) -> Tensor:
    """``sqrt(sum(l2norm(t) ** 2 for t in t_list))``; None entries are ignored.

    >>> float(global_norm([[3.0], [4.0]]))
    5.0
    """
    tensors = [
        convert_to_tensor(t.values if isinstance(t, IndexedSlices) else t)
        for t in _check_list("global_norm", t_list)
        if t is not None
    ]
    if not tensors:
        raise ValueError("global_norm: t_list holds no tensors")
    dtypes_seen = {t.dtype.name for t in tensors}
    if len(dtypes_seen) > 1:
        raise op_error(
            InvalidArgumentError,
            "global_norm",
            f"all tensors must have one dtype, got {sorted(dtypes_seen)}",
        )
    total = None
    for t in tensors:
        term = _l2_sum(t, tuple(range(len(shape_tuple(t)))), keepdims=False)
        total = term if total is None else total + term
    return elementwise_prims.sqrt(total)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None) -> tuple[list, Tensor]:
    """Scales every tensor of ``t_list`` by ``clip_norm / max(global_norm, clip_norm)``.

    Args:
      t_list: a sequence of tensors (or IndexedSlices, or None).
      clip_norm: the largest global norm allowed (a positive scalar).
      use_norm: the global norm to use, if already computed.

    Returns:
      ``(list_clipped, global_norm)``; None entries stay None.  If the global norm is
      infinite or NaN, every clipped value is NaN, as in TF.

    >>> clipped, norm = clip_by_global_norm([[3.0], [4.0]], 1.0)
    >>> float(norm), clipped[0].numpy().tolist()
    (5.0, [0.6...])
    """
    t_list = _check_list("clip_by_global_norm", t_list)
    if use_norm is None:
        use_norm = global_norm(t_list)
    use_norm = convert_to_tensor(use_norm)
    clip_norm = _bound("clip_by_global_norm", clip_norm, use_norm)
    scale = clip_norm * elementwise_prims.minimum(1.0 / use_norm, 1.0 / clip_norm)
    scale = scale + (use_norm - use_norm)  # NaN when the norm is inf or NaN
    clipped = []
    for t in t_list:
        if t is None:
            clipped.append(None)
            continue
        values = convert_to_tensor(t.values if isinstance(t, IndexedSlices) else t)
        value = identity(values * elementwise_prims.cast(scale, values.dtype))
        clipped.append(
            IndexedSlices(value, t.indices, t.dense_shape)
            if isinstance(t, IndexedSlices)
            else value
        )
    return clipped, use_norm
