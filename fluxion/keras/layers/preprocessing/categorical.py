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

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.tensor import Tensor
from fluxion.ops import array_ops, reduce_ops


def _bucketize_kernel(x, *, boundaries):
    return np.searchsorted(np.asarray(boundaries, x.dtype), x, side="right").astype(np.int32)


def _bucketize_rule(x: Aval, *, boundaries) -> Aval:
    if not x.dtype.is_numeric:
        raise TypeError(f"bucketize expects a numeric tensor, got {x.dtype.name}")
    if list(boundaries) != sorted(boundaries):
        raise ValueError(f"bucket boundaries must be sorted, got {list(boundaries)}")
    return Aval(x.shape, dtypes.int32)


def _bincount_kernel(x, *, depth, binary, dtype):
    x = np.asarray(x)
    rows = x.reshape(1, -1) if x.ndim <= 1 else x
    out = np.zeros((rows.shape[0], depth), dtype.np_dtype)
    keep = (rows >= 0) & (rows < depth)
    row_ids = np.broadcast_to(np.arange(rows.shape[0])[:, None], rows.shape)[keep]
    if binary:
        out[row_ids, rows[keep]] = 1
    else:
        np.add.at(out, (row_ids, rows[keep]), 1)
    return out[0] if x.ndim <= 1 else out


def _bincount_rule(x: Aval, *, depth, binary, dtype) -> Aval:
    if not x.dtype.is_integer:
        raise TypeError(f"bincount expects integer ids, got {x.dtype.name}")
    if len(x.shape) > 2:
        raise ValueError(f"bincount expects ids of rank <= 2, got shape {list(x.shape)}")
    if depth < 1:
        raise ValueError(f"bincount depth must be >= 1, got {depth}")
    return Aval((depth,) if len(x.shape) <= 1 else (x.shape[0], depth), dtype)


bucketize_p = define("bucketize", _bucketize_kernel, _bucketize_rule)
bincount_p = define("bincount", _bincount_kernel, _bincount_rule)


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
