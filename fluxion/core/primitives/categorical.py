"""Integer encodings of the categorical layers, and the hashed feature cross.

- ``bucketize``: the index of the bucket each value falls in, given sorted boundaries
  (``np.digitize``'s right-open buckets, as ``tf.raw_ops.Bucketize``);
- ``bincount``: per-row counts of ids in ``[0, depth)`` (ids outside are dropped, as
  ``tf.math.bincount`` with ``minlength = maxlength = depth``), optionally binary.  A
  primitive rather than ``reduce_sum(one_hot(...))`` because the one-hot intermediate of
  a text batch (batch x tokens x vocabulary) would be large;
- ``hashed_cross``: each row's features hashed one after the other as TensorFlow's
  ``sparse.cross_hashed`` does (a running value from the key ``0xDECAFCAFFE`` absorbing
  each feature's hash with ``FingerprintCat64``; strings hash with ``Fingerprint64``,
  integers are used as they are), modulo ``num_bins``.

All are integer-valued, with no gradient.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, define
from fluxion.core.primitives.fingerprint import CROSS_HASH_KEY, fingerprint64, fingerprint_cat64


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


_MASK = (1 << 64) - 1


def _feature_hash(value) -> int:
    if isinstance(value, (bytes, str)):
        return fingerprint64(value if isinstance(value, bytes) else value.encode("utf-8"))
    return int(value) & _MASK


def _cross_kernel(*features, num_bins):
    columns = [np.asarray(f).reshape(-1).tolist() for f in features]
    out = np.empty(len(columns[0]), dtype=np.int64)
    for row, values in enumerate(zip(*columns)):
        hashed = CROSS_HASH_KEY
        for value in values:
            hashed = fingerprint_cat64(hashed, _feature_hash(value))
        out[row] = hashed % num_bins
    return out.reshape(np.shape(features[0]))


def _cross_rule(*features: Aval, num_bins) -> Aval:
    shape = features[0].shape
    for feature in features:
        if feature.dtype.is_floating:
            raise ValueError(f"HashedCrossing crosses integer or string features; got a "
                             f"{feature.dtype.name} input")
        if len(feature.shape) != len(shape):
            raise ValueError(f"All `HashedCrossing` inputs should have the same shape. "
                             f"Received: shapes {[f.shape for f in features]}")
    return Aval(shape, dtypes.int64)


hashed_cross_p = define("hashed_cross", _cross_kernel, _cross_rule)
