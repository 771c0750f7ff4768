"""Turning array-likes into tensors the way ``tf.experimental.numpy`` does.

``asarray`` keeps a tensor's dtype and a NumPy array's dtype, and gives Python values
NumPy's dtypes (``1.0`` -> float64, ``1`` -> int64), unlike ``tf.constant``'s float32 and
int32.  ``promote`` brings several operands to their common dtype before an op, which is
how every tnp function avoids TensorFlow's dtype-mismatch errors.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.experimental.numpy import dtype_rules
from fluxion.ops import array_ops, creation_ops, math_ops, nd_ops

ndarray = Tensor  # tnp.ndarray is the tensor type


def _holds_tensor(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_holds_tensor(item) for item in value)
    return _is_tensor_like(value)


def _is_tensor_like(value) -> bool:
    return isinstance(value, Tensor) or hasattr(value, "_read_for_op")


def _python_value_array(value) -> np.ndarray:
    try:
        array = np.asarray(value)
    except ValueError as error:
        raise TypeError(f"tnp.asarray: expected numbers or tensors of one shape, got "
                        f"{value!r} (ragged nested lists cannot be a tensor)") from error
    if array.dtype == np.float64 and dtype_rules.default_float_type() == np.float32 \
            and not isinstance(value, (np.ndarray, np.generic)):
        array = array.astype(np.float32)
    return array


def asarray(a, dtype=None) -> Tensor:
    """``a`` as a tensor, of ``dtype`` when given (cast), else of NumPy's dtype for it.

    Example: ``asarray([1, 2]).dtype`` is int64; ``asarray(t)`` returns tensor ``t``.
    """
    target = None if dtype is None else dtype_rules.numpy_dtype(dtype)
    if _is_tensor_like(a):
        tensor = convert_to_tensor(a)
    elif isinstance(a, (list, tuple)) and _holds_tensor(a):
        items = [asarray(item) for item in a]
        common = dtype_rules.result_type(*items)
        tensor = nd_ops.stack([math_ops.cast(item, common) for item in items])
    else:
        array = _python_value_array(a)
        if array.dtype == object:
            raise TypeError(f"tnp.asarray: expected numbers or tensors, got {a!r} "
                            "(ragged nested lists cannot be a tensor)")
        if target is not None:
            array = array.astype(target)
        return convert_to_tensor(array)
    if target is not None and tensor.dtype.as_numpy_dtype != target:
        tensor = math_ops.cast(tensor, target)
    return tensor


def array(val, dtype=None, copy=True, ndmin=0) -> Tensor:  # noqa: ARG001 - tensors are values
    """Like ``asarray``; ``ndmin`` prepends axes of length 1 up to that rank."""
    tensor = asarray(val, dtype)
    missing = ndmin - tensor.shape.rank
    if missing > 0:
        tensor = array_ops.reshape(tensor, [1] * missing + tensor.shape.as_list())
    return tensor


def asanyarray(a, dtype=None) -> Tensor:
    """Same as ``asarray`` (there are no array subclasses here)."""
    return asarray(a, dtype)


def ascontiguousarray(a, dtype=None) -> Tensor:
    """``asarray`` with at least one dimension, as NumPy's."""
    return array(a, dtype, ndmin=1)


def copy(a) -> Tensor:
    """A tensor equal to ``a`` (tensors are immutable, so no storage is shared)."""
    return creation_ops.identity(asarray(a))


def promote(*values, dtype=None) -> list[Tensor]:
    """The operands as tensors of one dtype: ``dtype`` or their NumPy result type."""
    target = dtype_rules.numpy_dtype(dtype) if dtype is not None \
        else dtype_rules.result_type(*values)
    return [asarray(value, target) for value in values]


def as_float(x) -> Tensor:
    """``x`` as a tensor, integers and booleans cast to the default float type."""
    tensor = asarray(x)
    return math_ops.cast(tensor, dtype_rules.float_result_type(tensor.dtype))


def broadcast_together(*tensors) -> list[Tensor]:
    """The tensors broadcast against each other (works on unknown shapes in traces)."""
    shapes = [t.shape.as_list() if t.shape.rank is not None else None for t in tensors]
    if all(shape is not None and None not in shape for shape in shapes):
        common = list(np.broadcast_shapes(*[tuple(shape) for shape in shapes]))
    else:  # adding int8 zeros of every shape broadcasts them, whatever they are
        total = creation_ops.zeros_like(tensors[0], dtype="int8")
        for t in tensors[1:]:
            total = total + creation_ops.zeros_like(t, dtype="int8")
        common = creation_ops.shape(total)
    return [creation_ops.broadcast_to(t, common) for t in tensors]


def numpy_dtype_of(tensor: Tensor) -> np.dtype:
    return np.dtype(tensor.dtype.as_numpy_dtype)
