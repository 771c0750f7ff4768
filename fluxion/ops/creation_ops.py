"""Creating tensors: ``zeros``, ``ones``, ``fill``, ``eye``, ``range``, ``linspace``,
and the identity-like ops ``identity``, ``stop_gradient``, ``shape``, ``size``, ``rank``.
"""

from __future__ import annotations

import builtins

import numpy as np

from fluxion.core import dtypes, errors
from fluxion.core.primitive import bind
from fluxion.core.primitives.creation import identity_p, range_p, shape_p, stop_gradient_p
from fluxion.core.primitives.dynamic_shape import is_dynamic
from fluxion.core.primitives.elementwise import cast, ones_like, zeros_like
from fluxion.core.primitives.shape import _as_int_list, broadcast_to
from fluxion.core.tensor import Tensor, constant, convert_to_tensor, is_tensor, shape_tuple
from fluxion.core.tensor_shape import TensorShape

__all__ = ["zeros", "ones", "fill", "zeros_like", "ones_like", "eye", "range", "linspace",
           "constant", "convert_to_tensor", "is_tensor", "identity", "stop_gradient",
           "shape", "size", "rank", "cast"]


def _dims(shape) -> tuple:
    if isinstance(shape, TensorShape):
        return tuple(shape.as_list())
    return tuple(_as_int_list(shape))


def _filled(op: str, maker, dims: tuple, *args, **kwargs) -> Tensor:
    """``Tensor(maker(dims, ...))`` with TF's errors: a negative dimension is an
    ``InvalidArgumentError``, a size beyond memory a ``ResourceExhaustedError``."""
    if any(d < 0 for d in dims):
        raise errors.op_error(errors.InvalidArgumentError, op,
                              f"dimensions must be non-negative, got shape {list(dims)}")
    try:
        return Tensor(maker(dims, *args, **kwargs))
    except MemoryError:
        raise errors.op_error(errors.ResourceExhaustedError, op,
                              f"out of memory allocating a tensor of shape {list(dims)}") \
            from None


def zeros(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """A tensor of ``shape`` filled with zeros.

    >>> zeros([2, 3]).shape
    TensorShape([2, 3])
    """
    if is_dynamic(shape):  # a traced shape tensor: filled at run time
        return broadcast_to(Tensor(np.zeros((), dtypes.as_dtype(dtype).np_dtype)), shape)
    return _filled("zeros", np.zeros, _dims(shape), dtype=dtypes.as_dtype(dtype).np_dtype)


def ones(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """A tensor of ``shape`` filled with ones."""
    if is_dynamic(shape):
        return broadcast_to(Tensor(np.ones((), dtypes.as_dtype(dtype).np_dtype)), shape)
    return _filled("ones", np.ones, _dims(shape), dtype=dtypes.as_dtype(dtype).np_dtype)


def fill(dims, value, name=None) -> Tensor:
    """A tensor of shape ``dims`` filled with the scalar ``value`` (its dtype is value's).

    >>> fill([2], 7).numpy()
    array([7, 7], dtype=int32)
    """
    value = convert_to_tensor(value)
    if value.ndim != 0:
        raise ValueError(f"fill: value must be a scalar, got shape {value.shape}")
    if value._value is None or is_dynamic(dims):  # traced: broadcast when the graph runs
        return broadcast_to(value, dims)
    return _filled("fill", np.full, _dims(dims), value._value, dtype=value._value.dtype)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32,
        name=None) -> Tensor:
    """An identity matrix (or a batch of them)."""
    if any(isinstance(n, Tensor) and n._value is None for n in (num_rows, num_columns)):
        return _traced_eye(num_rows, num_columns, batch_shape, dtypes.as_dtype(dtype))
    matrix = np.eye(int(num_rows), None if num_columns is None else int(num_columns),
                    dtype=dtypes.as_dtype(dtype).np_dtype)
    if batch_shape is not None:
        batch = tuple(_as_int_list(batch_shape))
        matrix = np.broadcast_to(matrix, batch + matrix.shape).copy()
    return Tensor(matrix)


def _traced_eye(num_rows, num_columns, batch_shape, dtype) -> Tensor:
    """``eye`` with sizes known only at run time: row index == column index."""
    from fluxion.core.primitives.elementwise import cast, equal
    from fluxion.core.primitives.shape import broadcast_to, concat, expand_dims

    rows = range(num_rows)
    columns = rows if num_columns is None else range(num_columns)
    matrix = cast(equal(expand_dims(rows, 1), expand_dims(columns, 0)), dtype)
    if batch_shape is None:
        return matrix
    full = concat([cast(convert_to_tensor(batch_shape), dtypes.int32), shape(matrix)], axis=0)
    return broadcast_to(matrix, full)


def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:  # noqa: A001
    """Numbers from ``start`` up to (not including) ``limit`` in steps of ``delta``.

    With one argument it counts from 0, as Python's ``range``.  Integers give int32,
    any float gives float32, unless ``dtype`` says otherwise.

    >>> range(3).numpy()
    array([0, 1, 2], dtype=int32)
    """
    if limit is None:
        start, limit = 0, start
    if any(isinstance(v, Tensor) and v._value is None for v in (start, limit, delta)):
        return _traced_range(start, limit, delta, dtype)
    values = [_scalar(v) for v in (start, limit, delta)]
    if dtype is None:
        inferred = [v.dtype for v in values if isinstance(v, np.generic)]
        if inferred:
            dtype = dtypes.from_numpy(np.result_type(*inferred))
        else:
            dtype = dtypes.float32 if any(isinstance(v, float) for v in values) \
                else dtypes.int32
    dtype = dtypes.as_dtype(dtype)
    if values[2] == 0:
        raise ValueError("range: delta must not be zero")
    return Tensor(np.arange(*values, dtype=dtype.np_dtype))


def _traced_range(start, limit, delta, dtype) -> Tensor:
    """``range`` whose bounds are traced tensors: its length is known at run time only."""
    tensors = [v for v in (start, limit, delta) if isinstance(v, Tensor)]
    dtype = dtypes.as_dtype(dtype) if dtype is not None else tensors[0].dtype
    start, limit, delta = (cast(convert_to_tensor(v, dtype_hint=dtype), dtype)
                           for v in (start, limit, delta))
    return bind(range_p, start, limit, delta)


def _scalar(value):
    if isinstance(value, Tensor):
        return value._value[()]
    return value


def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive."""
    start = convert_to_tensor(start)
    stop = convert_to_tensor(stop, dtype=start.dtype)
    if not start.dtype.is_floating:
        raise TypeError(f"linspace: start must be floating point, got {start.dtype.name}")
    values = np.linspace(start._value, stop._value, int(_scalar(num)), axis=axis)
    return Tensor(values.astype(start._value.dtype))


# --- identity-like -------------------------------------------------------------------------------
def identity(input, name=None) -> Tensor:
    """Returns a tensor with the same value as ``input`` (gradients pass through)."""
    return bind(identity_p, convert_to_tensor(input))


def stop_gradient(input, name=None) -> Tensor:
    """The same value as ``input``, but gradients do not flow through it."""
    return bind(stop_gradient_p, convert_to_tensor(input))


def shape(input, out_type=dtypes.int32, name=None) -> Tensor:
    """The run-time shape of ``input`` as a 1-D integer tensor."""
    return bind(shape_p, convert_to_tensor(input), out_type=dtypes.as_dtype(out_type))


def size(input, out_type=dtypes.int32, name=None) -> Tensor:
    """The number of elements of ``input`` as a scalar integer tensor."""
    input = convert_to_tensor(input)
    dims = shape_tuple(input)
    if None in dims:  # traced with unknown dimensions: count at run time
        from fluxion.core.primitives.reduce import reduce_prod_p

        return bind(reduce_prod_p, shape(input, out_type=out_type), axes=(0,), keepdims=False)
    count = builtins.int(np.prod(dims))
    return Tensor(np.asarray(count, dtype=dtypes.as_dtype(out_type).np_dtype))


def rank(input, name=None) -> Tensor:
    """The number of dimensions of ``input`` as a scalar int32 tensor."""
    return Tensor(np.asarray(len(shape_tuple(convert_to_tensor(input))), dtype=np.int32))


