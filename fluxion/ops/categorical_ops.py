"""Integer encodings the categorical preprocessing layers use: bucketize, bincount, hashed
crossing.  Each is one primitive, integer-in with no gradient:

- ``bucketize``: the index of the bucket each value falls in, given sorted boundaries
  (``np.digitize``'s right-open buckets, as ``tf.raw_ops.Bucketize``);
- ``bincount``: per-row counts of ids in ``[0, depth)`` (ids outside are dropped, as
  ``tf.math.bincount`` with ``minlength = maxlength = depth``), optionally binary.  A
  primitive rather than ``reduce_sum(one_hot(...))`` because the one-hot intermediate of
  a text batch (batch x tokens x vocabulary) would be large;
- ``hashed_cross``: the bin of each combination of feature values (Keras's
  ``HashedCrossing``).
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.categorical import bincount_p, bucketize_p, hashed_cross_p
from fluxion.core.tensor import Tensor


def bucketize(x: Tensor, boundaries) -> Tensor:
    """Bucket indices (int32): ``i`` where ``boundaries[i-1] <= x < boundaries[i]``."""
    return bind(bucketize_p, x, boundaries=tuple(float(b) for b in boundaries))


def bincount(x: Tensor, depth: int, binary: bool = False, dtype="float32") -> Tensor:
    """Counts of each id in ``[0, depth)`` over the last axis of rank-1 or rank-2 ids."""
    return bind(bincount_p, x, depth=int(depth), binary=bool(binary),
                dtype=dtypes.as_dtype(dtype))


def hashed_cross(features: list, num_bins: int) -> Tensor:
    """The bin in ``[0, num_bins)`` of each row's combination of ``features`` (same shape,
    integer or string)."""
    return bind(hashed_cross_p, *features, num_bins=num_bins)
