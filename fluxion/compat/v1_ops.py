"""TF 1 spellings of core ops (``tf.compat.v1``): the deprecated argument names.

TF 1 programs call ``reduce_sum(x, reduction_indices=1, keep_dims=True)``,
``argmax(x, dimension=1)``, ``expand_dims(x, dim=0)``, ``squeeze(x, squeeze_dims=[1])``
and the ``to_float``-style casts.  These accept both the old and the new names (giving
both is an error, as in TF) and call Fluxion's TF 2 ops.
"""

from __future__ import annotations

import fluxion.ops.reduce_ops as _reduce
from fluxion.core import dtypes
from fluxion.core.primitives import shape as _shape
from fluxion.ops.math_ops import cast, divide, floordiv, truediv


def deprecated_alias(new_name: str, new, old_name: str, old):
    """``new`` or ``old`` (TF 1's name for the same argument); not both."""
    if old is not None:
        if new is not None:
            raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'.")
        return old
    return new


def _v1_reduction(op):
    def reduction(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                  keep_dims=None):
        axis = deprecated_alias("axis", axis, "reduction_indices", reduction_indices)
        keepdims = deprecated_alias("keepdims", keepdims, "keep_dims", keep_dims)
        return op(input_tensor, axis=axis, keepdims=bool(keepdims), name=name)

    reduction.__name__ = op.__name__
    reduction.__qualname__ = op.__name__
    reduction.__doc__ = (f"``{op.__name__}`` with TF 1's ``reduction_indices`` and "
                         f"``keep_dims`` accepted too.\n\n{op.__doc__ or ''}")
    return reduction


reduce_sum = _v1_reduction(_reduce.reduce_sum)
reduce_mean = _v1_reduction(_reduce.reduce_mean)
reduce_max = _v1_reduction(_reduce.reduce_max)
reduce_min = _v1_reduction(_reduce.reduce_min)
reduce_prod = _v1_reduction(_reduce.reduce_prod)
reduce_all = _v1_reduction(_reduce.reduce_all)
reduce_any = _v1_reduction(_reduce.reduce_any)
reduce_logsumexp = _v1_reduction(_reduce.reduce_logsumexp)


def count_nonzero(input_tensor=None, axis=None, keepdims=None, dtype=dtypes.int64, name=None,
                  reduction_indices=None, keep_dims=None, input=None):  # noqa: A002
    """``count_nonzero`` with TF 1's argument names."""
    input_tensor = deprecated_alias("input_tensor", input_tensor, "input", input)
    axis = deprecated_alias("axis", axis, "reduction_indices", reduction_indices)
    keepdims = deprecated_alias("keepdims", keepdims, "keep_dims", keep_dims)
    return _reduce.count_nonzero(input_tensor, axis=axis, keepdims=bool(keepdims), dtype=dtype)


def argmax(input, axis=None, name=None, dimension=None,  # noqa: A002
           output_type=dtypes.int64):
    """Index of the largest value along ``axis`` (TF 1: ``dimension``; default 0)."""
    axis = deprecated_alias("axis", axis, "dimension", dimension)
    return _reduce.argmax(input, axis=0 if axis is None else axis, output_type=output_type)


def argmin(input, axis=None, name=None, dimension=None,  # noqa: A002
           output_type=dtypes.int64):
    """Index of the smallest value along ``axis`` (TF 1: ``dimension``; default 0)."""
    axis = deprecated_alias("axis", axis, "dimension", dimension)
    return _reduce.argmin(input, axis=0 if axis is None else axis, output_type=output_type)


def arg_max(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    """TF 1's ``arg_max``: ``argmax(input, dimension)``."""
    return _reduce.argmax(input, axis=dimension, output_type=output_type)


def arg_min(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    """TF 1's ``arg_min``: ``argmin(input, dimension)``."""
    return _reduce.argmin(input, axis=dimension, output_type=output_type)


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    """``expand_dims`` with TF 1's ``dim``."""
    axis = deprecated_alias("axis", axis, "dim", dim)
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    return _shape.expand_dims(input, axis)


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """``squeeze`` with TF 1's ``squeeze_dims``."""
    return _shape.squeeze(input, deprecated_alias("axis", axis, "squeeze_dims", squeeze_dims))


def div(x, y, name=None):
    """TF 1's ``div``: floor division for integers, true division for floats (Python 2's
    ``/``)."""
    from fluxion.core.tensor import convert_to_tensor

    x = convert_to_tensor(x)
    return floordiv(x, y) if x.dtype.is_integer else divide(x, y)


def _to(dtype):
    def convert(x, name=None):
        return cast(x, dtype)

    convert.__name__ = f"to_{dtype.name}"
    convert.__doc__ = f"``cast(x, {dtype.name})`` (TF 1)."
    return convert


to_float = _to(dtypes.float32)
to_double = _to(dtypes.float64)
to_int32 = _to(dtypes.int32)
to_int64 = _to(dtypes.int64)
to_complex64 = _to(dtypes.complex64)
to_complex128 = _to(dtypes.complex128)
to_float.__name__, to_double.__name__ = "to_float", "to_double"

__all__ = [
    "arg_max", "arg_min", "argmax", "argmin", "count_nonzero", "div", "expand_dims",
    "reduce_all", "reduce_any", "reduce_logsumexp", "reduce_max", "reduce_mean",
    "reduce_min", "reduce_prod", "reduce_sum", "squeeze", "to_complex128", "to_complex64",
    "to_double", "to_float", "to_int32", "to_int64", "truediv",
]
