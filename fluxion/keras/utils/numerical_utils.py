"""``keras.utils.to_categorical`` and ``keras.utils.normalize``.

NumPy input gives NumPy output (float64, as Keras returns); a Fluxion tensor gives a
Fluxion tensor computed with Fluxion ops, so both work inside traced functions.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.tensor import convert_to_tensor
from fluxion.ops import array_ops, creation_ops, linalg_ops, math_ops, reduce_ops

_EPSILON = 1e-7  # keras.config.epsilon()'s default


def _is_tensor(x) -> bool:
    return creation_ops.is_tensor(x)


def to_categorical(x, num_classes: int | None = None):
    """Converts a class vector (integers) to a one-hot class matrix.

    Args:
        x: array-like of class indices in ``[0, num_classes)``; a trailing axis of size 1
            is dropped (``(n, 1)`` gives ``(n, num_classes)``).
        num_classes: number of classes; ``max(x) + 1`` when None.

    Returns:
        The one-hot matrix, the class axis last: a float64 NumPy array, or a float32
        tensor when ``x`` is a tensor.

    Example:
    >>> to_categorical([0, 2, 1], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    if _is_tensor(x):
        if num_classes is None:
            raise ValueError("to_categorical: `num_classes` is required for tensor input "
                             "(its largest value is not known until it runs).")
        shape = x.shape
        if len(shape) > 1 and shape[-1] == 1:
            x = array_ops.squeeze(x, axis=-1)
        return array_ops.one_hot(x, int(num_classes))
    x = np.asarray(x)
    if x.size and not np.issubdtype(x.dtype, np.integer):
        if not np.all(np.equal(np.mod(x, 1), 0)):
            raise ValueError(f"to_categorical expects integer class indices; received "
                             f"non-integer values such as {x.ravel()[0]!r}.")
    x = x.astype("int64")
    shape = x.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = x.reshape(-1)
    if not num_classes:
        num_classes = int(flat.max()) + 1 if flat.size else 0
    num_classes = int(num_classes)
    if flat.size and (flat.min() < 0 or flat.max() >= num_classes):
        raise ValueError(f"to_categorical: class indices must lie in [0, {num_classes}); "
                         f"received values from {flat.min()} to {flat.max()}. Pass a larger "
                         f"`num_classes` or fix the labels.")
    categorical = np.zeros((flat.size, num_classes))
    categorical[np.arange(flat.size), flat] = 1
    return categorical.reshape(shape + (num_classes,))


def normalize(x, axis: int | None = -1, order: int = 2):
    """Normalizes an array to unit norm along ``axis``.

    Args:
        x: the array (NumPy array: NumPy result; tensor or list: tensor result).
        axis: the axis along which to normalize.
        order: the norm's order (``2`` for L2).

    Returns:
        A normalized copy; all-zero slices stay zero.

    Example:
    >>> normalize(np.array([[3.0, 4.0]]))
    array([[0.6, 0.8]])
    """
    if isinstance(x, np.ndarray):
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        return x / np.expand_dims(norm, axis if axis is not None else -1)
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: `order` must be an int >= 1. Received: order={order}")
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        x = array_ops.cast(x, "float32")
    if len(x.shape) == 0:
        x = array_ops.expand_dims(x, 0)
    if order == 2:
        square_sum = reduce_ops.reduce_sum(math_ops.square(x), axis=axis, keepdims=True)
        inv_norm = math_ops.minimum(math_ops.rsqrt(square_sum), 1.0 / _EPSILON)
        return x * inv_norm
    norm = linalg_ops.norm(x, ord=order, axis=axis, keepdims=True)
    return x / math_ops.maximum(norm, _EPSILON)
