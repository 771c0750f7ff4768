"""``unique`` and ``unique_with_counts``: the distinct values of a 1-D tensor, in order of
first appearance (as TF orders them, unlike NumPy's sorted ``np.unique``).

One primitive, ``unique``, returns the values, each input's position among them, and
the counts; its output length is known only at run time.  It has no gradient (TF's
has none either); the values are integers or selections of the input.
"""

from __future__ import annotations

from collections import namedtuple

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.unique import unique_p
from fluxion.core.tensor import convert_to_tensor

__all__ = ["unique", "unique_with_counts"]

UniqueOutput = namedtuple("Unique", ["y", "idx"])
UniqueWithCountsOutput = namedtuple("UniqueWithCounts", ["y", "idx", "count"])


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
