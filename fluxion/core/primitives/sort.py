"""Sorting primitives: stable ``argsort``, ``top_k``, and the gather/scatter pair they use.

``sort`` is a composite: ``argsort`` (integer output, no gradient) followed by
``take_along_axis``, whose VJP scatters the cotangent back to the selected positions
(``take_along_axis_grad``); the two are each other's adjoints, so derivatives of any
order come for free.  ``top_k`` is a primitive of its own (values and indices in one
pass) with the same scatter as its gradient.

Ties keep their original order in both directions, as TF's sort does (equal values
come out lowest index first, also when sorting in descending order).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.tensor import Tensor, shape_tuple


# --- stable argsort ---------------------------------------------------------------------------
def stable_argsort(x: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable argsort; descending order also keeps ties lowest index first."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    # Sort the reversed array ascending (stable), then reverse the order back: ties,
    # which the reversed sort lists highest original index first, end up lowest first.
    n = x.shape[axis]
    order = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return np.flip(n - 1 - order, axis)


def _argsort_rule(x: Aval, axis: int, descending: bool) -> Aval:
    _check_axis(x, axis)
    _check_sortable(x)
    return Aval(x.shape, dtypes.int32)


def _check_axis(x: Aval, axis: int) -> None:
    rank = len(x.shape)
    if not 0 <= axis < rank:
        raise ValueError(f"axis {axis} is out of range for a tensor of rank {rank} "
                         f"(shape {list(x.shape)})")


def _check_sortable(x: Aval) -> None:
    if not (x.dtype.is_floating or x.dtype.is_integer):
        raise TypeError(f"expected a real numeric tensor, got dtype {x.dtype.name}")


argsort_p = define(
    "argsort",
    lambda x, axis, descending: stable_argsort(x, axis, descending).astype(np.int32),
    _argsort_rule)


# --- gather along an axis and its adjoint ------------------------------------------------------
def _take_rule(x: Aval, indices: Aval, axis: int) -> Aval:
    _check_axis(x, axis)
    if not indices.dtype.is_integer:
        raise TypeError(f"indices must be integers, got dtype {indices.dtype.name}")
    if len(indices.shape) != len(x.shape):
        raise ValueError(f"indices must have the rank of the input ({len(x.shape)}), got "
                         f"shape {list(indices.shape)}")
    for i, (d, k) in enumerate(zip(x.shape, indices.shape)):
        if i != axis and d is not None and k is not None and d != k:
            raise ValueError(f"indices shape {list(indices.shape)} must match the input "
                             f"shape {list(x.shape)} except on axis {axis}")
    return Aval(tuple(indices.shape), x.dtype)


def _take_grad_kernel(g, indices, like, axis):
    result = np.zeros(like.shape, dtype=g.dtype)
    # Indices along an axis are distinct in sort/top_k, but add duplicates for safety.
    grid = list(np.indices(indices.shape, sparse=True))
    grid[axis] = indices
    np.add.at(result, tuple(grid), g)
    return result


def _take_grad_rule(g: Aval, indices: Aval, like: Aval, axis: int) -> Aval:
    _take_rule(like, indices, axis)
    return Aval(tuple(like.shape), g.dtype)


take_along_axis_p = define(
    "take_along_axis", lambda x, indices, axis: np.take_along_axis(x, indices, axis),
    _take_rule,
    lambda g, xs, out, axis: (take_along_axis_grad(g, xs[1], xs[0], axis), None))
take_along_axis_grad_p = define(
    "take_along_axis_grad", _take_grad_kernel, _take_grad_rule,
    lambda gg, xs, out, axis: (take_along_axis(gg, xs[1], axis), None, None))


def take_along_axis(x: Tensor, indices: Tensor, axis: int) -> Tensor:
    """``x`` picked at ``indices`` along ``axis`` (``np.take_along_axis``)."""
    return bind(take_along_axis_p, x, indices, axis=axis)


def take_along_axis_grad(g: Tensor, indices: Tensor, like: Tensor, axis: int) -> Tensor:
    """Zeros shaped like ``like`` with ``g`` added at ``indices`` along ``axis``."""
    return bind(take_along_axis_grad_p, g, indices, like, axis=axis)


# --- top_k ------------------------------------------------------------------------------------
def _top_k_kernel(x, k, index_dtype):
    if x.ndim < 1 or not 0 <= k <= x.shape[-1]:
        raise ValueError("k does not fit the input")  # bind explains via the shape rule
    if k == 0:
        indices = np.zeros(x.shape[:-1] + (0,), dtype=np.int64)
    else:
        indices = stable_argsort(x, x.ndim - 1, descending=True)[..., :k]
    values = np.take_along_axis(x, indices, axis=-1)
    return values, indices.astype(index_dtype.np_dtype)


def _top_k_rule(x: Aval, k: int, index_dtype):
    if len(x.shape) < 1:
        raise ValueError("top_k needs an input of rank >= 1, got a scalar")
    _check_sortable(x)
    n = x.shape[-1]
    if k < 0 or (n is not None and k > n):
        raise ValueError(f"k must be in [0, {n}] (the last dimension of shape "
                         f"{list(x.shape)}), got k={k}")
    shape = tuple(x.shape[:-1]) + (k,)
    return Aval(shape, x.dtype), Aval(shape, index_dtype)


def _top_k_vjp(gs, xs, outs, k, index_dtype):
    x = xs[0]
    return (take_along_axis_grad(gs[0], outs[1], x, len(shape_tuple(x)) - 1),)


top_k_p = define("top_k", _top_k_kernel, _top_k_rule, _top_k_vjp, multiple_results=True)


# --- in_top_k (bool output, no gradient) ----------------------------------------------------------
def _in_top_k_kernel(predictions, targets, k):
    n = predictions.shape[-1]
    valid = (targets >= 0) & (targets < n)
    picked = np.take_along_axis(predictions, np.where(valid, targets, 0)[:, None], axis=1)
    # Ties straddling the boundary all count as in the top k, as in TF.
    above = np.sum(predictions > picked, axis=1)
    return valid & np.isfinite(picked[:, 0]) & (above < k)


def _in_top_k_rule(predictions: Aval, targets: Aval, k: int) -> Aval:
    if len(predictions.shape) != 2:
        raise ValueError(f"predictions must be a matrix [batch, classes], got shape "
                         f"{list(predictions.shape)}")
    if len(targets.shape) != 1:
        raise ValueError(f"targets must be a vector [batch], got shape {list(targets.shape)}")
    if not targets.dtype.is_integer:
        raise TypeError(f"targets must be int32 or int64, got {targets.dtype.name}")
    if not predictions.dtype.is_floating:
        raise TypeError(f"predictions must be floating point, got {predictions.dtype.name}")
    batch, rows = predictions.shape[0], targets.shape[0]
    if batch is not None and rows is not None and batch != rows:
        raise ValueError(f"predictions has {batch} rows but targets has {rows} entries")
    return Aval((batch if batch is not None else rows,), dtypes.bool_)


in_top_k_p = define("in_top_k", _in_top_k_kernel, _in_top_k_rule)


def _searchsorted_kernel(sequence, values, side, out_type):
    if sequence.ndim == 1:
        result = np.searchsorted(sequence, values, side=side)
    else:
        rows = sequence.reshape(-1, sequence.shape[-1])
        queries = values.reshape(-1, values.shape[-1])
        result = np.stack([np.searchsorted(r, q, side=side) for r, q in zip(rows, queries)]) \
            if rows.shape[0] else np.zeros(queries.shape, np.int64)
        result = result.reshape(values.shape)
    return result.astype(out_type.np_dtype)


def _searchsorted_rule(sequence: Aval, values: Aval, side, out_type) -> Aval:
    if sequence.dtype is not values.dtype:
        raise TypeError(f"searchsorted: sorted_sequence is {sequence.dtype.name} but values "
                        f"are {values.dtype.name}")
    if len(sequence.shape) != len(values.shape) and len(sequence.shape) != 1:
        raise ValueError(f"searchsorted: sorted_sequence of shape {list(sequence.shape)} and "
                         f"values of shape {list(values.shape)} must have the same rank")
    return Aval(values.shape, out_type)


searchsorted_p = define("searchsorted", _searchsorted_kernel, _searchsorted_rule,
                        doc="Insertion positions of values in sorted rows.")
