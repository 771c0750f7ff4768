"""Integer encodings shared by the categorical layers: bucketize, bincount, one-hot.

Two primitives, both integer-in with no gradient:

- ``bucketize``: the index of the bucket each value falls in, given sorted boundaries
  (``np.digitize``'s right-open buckets, as ``tf.raw_ops.Bucketize``);
- ``bincount``: per-row counts of ids in ``[0, depth)`` (ids outside are dropped, as
  ``tf.math.bincount`` with ``minlength = maxlength = depth``), optionally binary.  A
  primitive rather than ``reduce_sum(one_hot(...))`` because the one-hot intermediate of
  a text batch (batch x tokens x vocabulary) would be large.

``encode_categorical`` composes them into Keras 3's ``output_mode`` semantics.
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.categorical import bincount_p, bucketize_p
from fluxion.core.tensor import Tensor
from fluxion.ops import array_ops, reduce_ops


def bucketize(x: Tensor, boundaries) -> Tensor:
    """Bucket indices (int32): ``i`` where ``boundaries[i-1] <= x < boundaries[i]``."""
    return bind(bucketize_p, x, boundaries=tuple(float(b) for b in boundaries))


def bincount(x: Tensor, depth: int, binary: bool = False, dtype="float32") -> Tensor:
    """Counts of each id in ``[0, depth)`` over the last axis of rank-1 or rank-2 ids."""
    return bind(bincount_p, x, depth=int(depth), binary=bool(binary),
                dtype=dtypes.as_dtype(dtype))


def encode_categorical(ids: Tensor, output_mode: str, depth: int, dtype,
                       count_weights: Tensor | None = None) -> Tensor:
    """Keras 3's encodings of integer ids: ``int``, ``one_hot``, ``multi_hot``, ``count``.

    ``one_hot`` adds a ``depth`` axis (replacing a trailing axis of size 1);
    ``multi_hot`` and ``count`` reduce the last axis (a rank-1 input is one sample).
    """

    if output_mode == "int":
        return array_ops.cast(ids, dtype)
    if len(ids.shape) == 0:
        ids = array_ops.expand_dims(ids, -1)
    if output_mode == "one_hot":
        if len(ids.shape) > 1 and ids.shape[-1] == 1:
            ids = array_ops.squeeze(ids, -1)
        return array_ops.one_hot(ids, depth, dtype=dtype)
    if count_weights is not None:  # weighted counts: differentiable in the weights
        weights = array_ops.cast(count_weights, dtype)
        return reduce_ops.reduce_sum(
            array_ops.one_hot(ids, depth, dtype=dtype) * array_ops.expand_dims(weights, -1),
            axis=1 if len(ids.shape) > 1 else 0,
        )
    if len(ids.shape) <= 2:
        return bincount(ids, depth, binary=output_mode == "multi_hot", dtype=dtype)
    # Rank 3 and up: Keras reduces axis 1 of the one-hot encoding (its non-TF path).
    encoded = array_ops.one_hot(ids, depth, dtype=dtype)
    reduce = reduce_ops.reduce_max if output_mode == "multi_hot" else reduce_ops.reduce_sum
    return reduce(encoded, axis=1)
