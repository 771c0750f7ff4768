"""``unique`` and ``unique_with_counts``: the distinct values of a 1-D tensor, in order of
first appearance (as TF orders them, unlike NumPy's sorted ``np.unique``).

One primitive, ``unique``, returns the values, each input's position among them, and
the counts; its output length is known only at run time.  It has no gradient (TF's
has none either); the values are integers or selections of the input.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.tensor import convert_to_tensor

__all__ = ["unique", "unique_with_counts"]

UniqueOutput = namedtuple("Unique", ["y", "idx"])
UniqueWithCountsOutput = namedtuple("UniqueWithCounts", ["y", "idx", "count"])


def _unique_kernel(x, out_idx):
    _, first, inverse, counts = np.unique(x, return_index=True, return_inverse=True,
                                          return_counts=True)
    order = np.argsort(first, kind="stable")  # sorted order -> order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    index_type = out_idx.np_dtype
    return (x[first[order]], rank[inverse.reshape(-1)].astype(index_type),
            counts[order].astype(index_type))


def _unique_rule(x: Aval, out_idx):
    if len(x.shape) != 1:
        raise ValueError(f"unique: expected a 1-D tensor, got shape {list(x.shape)}")
    if out_idx not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"unique: out_idx must be int32 or int64, got {out_idx.name}")
    return Aval((None,), x.dtype), Aval(x.shape, out_idx), Aval((None,), out_idx)


unique_p = define("unique", _unique_kernel, _unique_rule, multiple_results=True,
                  doc="The distinct values of a 1-D tensor in order of first appearance.")


def unique(x, out_idx=dtypes.int32, name=None) -> UniqueOutput:
    """The distinct values of 1-D ``x``, and where each element of ``x`` is among them.

    Returns:
      ``(y, idx)``: ``y`` the distinct values in order of first appearance, ``idx``
      such that ``x == gather(y, idx)``.

    >>> import fluxion as tf
    >>> y, idx = tf.unique(tf.constant([1, 1, 2, 4, 4, 4, 7, 8, 8]))
    >>> y.numpy(), idx.numpy()
    (array([1, 2, 4, 7, 8], dtype=int32), array([0, 0, 1, 2, 2, 2, 3, 4, 4], dtype=int32))
    """
    y, idx, _ = bind(unique_p, convert_to_tensor(x), out_idx=dtypes.as_dtype(out_idx))
    return UniqueOutput(y, idx)


def unique_with_counts(x, out_idx=dtypes.int32, name=None) -> UniqueWithCountsOutput:
    """``unique`` plus how many times each distinct value occurs (``count``)."""
    y, idx, count = bind(unique_p, convert_to_tensor(x), out_idx=dtypes.as_dtype(out_idx))
    return UniqueWithCountsOutput(y, idx, count)
