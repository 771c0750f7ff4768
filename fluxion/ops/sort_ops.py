"""Sorting with TensorFlow's names: ``sort``, ``argsort``, ``math.top_k``, ``math.in_top_k``.

Sorting is stable in both directions (ties keep their original order); gradients of
``sort`` and ``top_k`` flow back to the positions the values were taken from.
"""

from __future__ import annotations

from typing import NamedTuple

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError, op_error
from fluxion.core.primitive import bind
from fluxion.core.primitives import sort as sort_prims
from fluxion.core.primitives.reduce import _axis_value
from fluxion.core.shape_rules import normalize_axis
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple

__all__ = ["sort", "argsort", "top_k", "in_top_k"]

_DIRECTIONS = ("ASCENDING", "DESCENDING")


class TopKV2(NamedTuple):
    """The result of ``top_k``: the ``values`` and their ``indices``."""

    values: Tensor
    indices: Tensor


def _prepare(op: str, values, axis, direction) -> tuple[Tensor, int, bool]:
    if direction not in _DIRECTIONS:
        raise ValueError(f"{op}: direction should be one of {', '.join(_DIRECTIONS)}, "
                         f"got {direction!r}")
    x = convert_to_tensor(values)
    if not (x.dtype.is_floating or x.dtype.is_integer):
        raise op_error(TypeError, op, f"expected a real numeric tensor, got dtype "
                                      f"{x.dtype.name}")
    rank = len(shape_tuple(x))
    try:
        axis = normalize_axis(int(_axis_value(axis)), rank)
    except ValueError as error:
        raise op_error(InvalidArgumentError, op, str(error)) from None
    return x, axis, direction == "DESCENDING"


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None) -> Tensor:
    """The int32 indices that sort ``values`` along ``axis`` (always stable).

    Args:
      values: a real numeric tensor.
      axis: the axis to sort along (default the last).
      direction: ``"ASCENDING"`` or ``"DESCENDING"``.
      stable: accepted for TF compatibility; the sort is always stable.

    >>> argsort([3.0, 1.0, 2.0]).numpy()
    array([1, 2, 0], dtype=int32)
    """
    x, axis, descending = _prepare("argsort", values, axis, direction)
    return bind(sort_prims.argsort_p, x, axis=axis, descending=descending)


def sort(values, axis=-1, direction="ASCENDING", name=None) -> Tensor:
    """``values`` sorted along ``axis``; gradients flow back to the original positions.

    >>> sort([3.0, 1.0, 2.0], direction="DESCENDING").numpy()
    array([3., 2., 1.], dtype=float32)
    """
    x, axis, descending = _prepare("sort", values, axis, direction)
    order = bind(sort_prims.argsort_p, x, axis=axis, descending=descending)
    return sort_prims.take_along_axis(x, order, axis)


def top_k(input, k=1, sorted=True, index_type=dtypes.int32, name=None) -> TopKV2:  # noqa: A002
    """The ``k`` largest entries of the last axis, and their indices.

    Equal values are listed lowest index first.  Results are always sorted (TF
    allows any order when ``sorted=False``, so this is a valid choice).

    Args:
      input: a real numeric tensor of rank >= 1.
      k: how many entries to take (0 <= k <= input.shape[-1]).
      index_type: int32 (default) or int64 for the indices.

    Returns:
      ``TopKV2(values, indices)``, both of shape ``input.shape[:-1] + [k]``.

    >>> top_k([1.0, 3.0, 2.0], k=2).indices.numpy()
    array([1, 2], dtype=int32)
    """
    x = convert_to_tensor(input)
    k = int(k._value) if isinstance(k, Tensor) else int(k)
    index_type = dtypes.as_dtype(index_type)
    if index_type not in (dtypes.int32, dtypes.int64, dtypes.int16):
        raise op_error(TypeError, "top_k", f"index_type must be int16, int32 or int64, got "
                                           f"{index_type.name}")
    values, indices = bind(sort_prims.top_k_p, x, k=k, index_dtype=index_type)
    return TopKV2(values, indices)


def in_top_k(targets, predictions, k, name=None) -> Tensor:
    """Whether each target class is among the ``k`` highest predictions of its row.

    Ties straddling the top-k boundary all count as in; a non-finite prediction or an
    out-of-range target gives False.

    >>> in_top_k([0, 1], [[0.9, 0.1], [0.8, 0.2]], k=1).numpy()
    array([ True, False])
    """
    predictions = convert_to_tensor(predictions)
    targets = convert_to_tensor(targets)
    k = int(k._value) if isinstance(k, Tensor) else int(k)
    return bind(sort_prims.in_top_k_p, predictions, targets, k=k)
