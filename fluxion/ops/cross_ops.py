"""Feature crosses (``tf.sparse.cross``, ``tf.ragged.cross``) and ``sampled_addmm``.

A cross joins, row by row, one feature from each input in every combination:
``"a_X_x"``.  Inputs may be SparseTensors, RaggedTensors or dense 2-D tensors; numbers
are written in decimal, as TF does.  The hashed variants chain each feature's hash
(FarmHash ``Fingerprint64`` of a string, an integer as it is) into a running 64-bit
value with TF's ``FingerprintCat64``, starting from ``hash_key``; ``fingerprint`` is
TF's row fingerprint.  All match TensorFlow bit for bit.
"""

from __future__ import annotations

import itertools

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor import convert_to_tensor

__all__ = ["sparse_cross", "ragged_cross", "sampled_addmm", "sparse_cross_hashed",
           "ragged_cross_hashed", "fingerprint"]

_MASK = (1 << 64) - 1


def _text(value) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return str(value.item() if hasattr(value, "item") else value).encode()


def _rows(feature) -> list:
    from fluxion.ops.ragged_tensor import RaggedTensor
    from fluxion.ops.sparse_tensor import SparseTensor

    if isinstance(feature, RaggedTensor):
        return [[_text(v) for v in row] for row in feature.to_list()]
    if isinstance(feature, SparseTensor):
        indices = np.asarray(feature.indices._value)
        values = np.asarray(feature.values._value)
        batch = int(np.asarray(feature.dense_shape._value)[0])
        order = np.lexsort(indices.T[::-1]) if len(indices) else np.zeros(0, int)
        rows: list = [[] for _ in range(batch)]
        for position in order:
            rows[int(indices[position, 0])].append(_text(values[position]))
        return rows
    dense = np.asarray(convert_to_tensor(feature)._value)
    if dense.ndim != 2:
        raise ValueError(f"cross: dense inputs must be 2-D [batch, features], got shape "
                         f"{list(dense.shape)}")
    return [[_text(v) for v in row] for row in dense]


def _crossed(inputs, separator: str) -> list:
    rows = [_rows(feature) for feature in inputs]
    batch = {len(r) for r in rows}
    if len(batch) != 1:
        raise ValueError(f"cross: all inputs must have the same batch size, got {sorted(batch)}")
    sep = separator.encode()
    return [[sep.join(parts) for parts in itertools.product(*per_input)]
            for per_input in zip(*rows)]


def sparse_cross(inputs, separator=None, name=None):
    """The crosses of each row as a SparseTensor of strings ``[batch, max_crosses]``."""
    from fluxion.ops.sparse_tensor import SparseTensor

    crossed = _crossed(inputs, "_X_" if separator is None else separator)
    indices = [[b, i] for b, row in enumerate(crossed) for i in range(len(row))]
    values = np.array([v for row in crossed for v in row], dtype=object)
    width = max((len(row) for row in crossed), default=0)
    return SparseTensor(np.array(indices, np.int64).reshape(-1, 2),
                        convert_to_tensor(values.astype(object)) if len(values) else
                        convert_to_tensor(np.array([], dtype=object)), [len(crossed), width])


def ragged_cross(inputs, name=None):
    """The crosses of each row as a RaggedTensor of strings."""
    from fluxion.ops.ragged_tensor import RaggedTensor

    crossed = _crossed(inputs, "_X_")
    flat = np.array([v for row in crossed for v in row], dtype=object)
    return RaggedTensor.from_row_lengths(convert_to_tensor(flat),
                                         np.array([len(r) for r in crossed], np.int64))


def sampled_addmm(indices, values, dense_shape, mat1, mat2, beta=1.0, alpha=1.0,
                  output_type=dtypes.float32):
    """``alpha * (mat1 @ mat2)[indices] + beta * values``, computing only the products at
    ``indices``; returns ``(indices, values, dense_shape)``."""
    from fluxion.core.primitives.gather_scatter import gather
    from fluxion.ops.reduce_ops import reduce_sum

    indices = convert_to_tensor(indices)
    mat1 = convert_to_tensor(mat1)
    mat2 = convert_to_tensor(mat2, dtype=mat1.dtype)
    values = convert_to_tensor(values, dtype=mat1.dtype)
    rows = gather(mat1, indices[..., -2], axis=-2, batch_dims=mat1.shape.rank - 2)
    from fluxion.core.primitives.linalg import matrix_transpose

    cols = gather(matrix_transpose(mat2), indices[..., -1], axis=-2,
                  batch_dims=mat2.shape.rank - 2)
    products = reduce_sum(rows * cols, axis=-1)
    return indices, alpha * products + beta * values, convert_to_tensor(dense_shape)


def _feature_rows(feature) -> list:
    """Per row, each feature's 64-bit hash (strings fingerprinted, integers as they are)."""
    from fluxion.core.primitives.fingerprint import fingerprint64
    from fluxion.ops.ragged_tensor import RaggedTensor
    from fluxion.ops.sparse_tensor import SparseTensor

    if isinstance(feature, (RaggedTensor, SparseTensor)):
        rows = _rows(feature) if feature.dtype is dtypes.string else None
        if rows is None:
            if isinstance(feature, RaggedTensor):
                return [[int(v) & _MASK for v in row] for row in feature.to_list()]
            indices = np.asarray(feature.indices._value)
            values = np.asarray(feature.values._value)
            batch = int(np.asarray(feature.dense_shape._value)[0])
            out: list = [[] for _ in range(batch)]
            for position in (np.lexsort(indices.T[::-1]) if len(indices) else []):
                out[int(indices[position, 0])].append(int(values[position]) & _MASK)
            return out
        return [[fingerprint64(v) for v in row] for row in rows]
    dense = np.asarray(convert_to_tensor(feature)._value)
    if dense.dtype == object:
        return [[fingerprint64(_text(v)) for v in row] for row in dense]
    return [[int(v) & _MASK for v in row] for row in dense]


def _hashed(inputs, num_buckets: int, hash_key) -> list:
    from fluxion.core.primitives.fingerprint import CROSS_HASH_KEY, fingerprint_cat64

    rows = [_feature_rows(feature) for feature in inputs]
    key = CROSS_HASH_KEY if hash_key is None else int(hash_key)
    crossed = []
    for per_input in zip(*rows):
        values = []
        for parts in itertools.product(*per_input):
            hashed = key
            for part in parts:
                hashed = fingerprint_cat64(hashed, part)
            values.append(hashed % num_buckets if num_buckets > 0 else hashed)
        crossed.append(values)
    return crossed


def _as_int64(values: list) -> np.ndarray:
    return np.array(values, np.uint64).view(np.int64) if values else np.zeros(0, np.int64)


def sparse_cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """The hashed crosses of each row (``hash % num_buckets`` when ``num_buckets > 0``) as
    an int64 SparseTensor."""
    from fluxion.ops.sparse_tensor import SparseTensor

    crossed = _hashed(inputs, int(num_buckets), hash_key)
    indices = [[b, i] for b, row in enumerate(crossed) for i in range(len(row))]
    width = max((len(row) for row in crossed), default=0)
    return SparseTensor(np.array(indices, np.int64).reshape(-1, 2),
                        _as_int64([v for row in crossed for v in row]), [len(crossed), width])


def ragged_cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """The hashed crosses of each row as an int64 RaggedTensor."""
    from fluxion.ops.ragged_tensor import RaggedTensor

    crossed = _hashed(inputs, int(num_buckets), hash_key)
    return RaggedTensor.from_row_lengths(
        convert_to_tensor(_as_int64([v for row in crossed for v in row])),
        np.array([len(r) for r in crossed], np.int64))


def fingerprint(data, method="farmhash64", name=None):
    """Each row's FarmHash ``Fingerprint64`` as 8 little-endian bytes (uint8 ``[n, 8]``):
    of the row's raw bytes, or, for strings, of the string itself (one per row) or of its
    strings' fingerprints."""
    from fluxion.core.primitives.fingerprint import fingerprint64

    if method != "farmhash64":
        raise ValueError(f"fingerprint: the only method is 'farmhash64', got {method!r}")
    array = np.asarray(convert_to_tensor(data)._value)
    if array.ndim == 0:
        raise ValueError("fingerprint: data must have rank >= 1")
    rows = array.reshape(array.shape[0], -1)
    out = np.zeros((rows.shape[0], 8), np.uint8)
    for i, row in enumerate(rows):
        if array.dtype == object:
            items = [_text(v) for v in row]
            value = fingerprint64(items[0]) if len(items) == 1 else fingerprint64(b"".join(
                int(fingerprint64(item)).to_bytes(8, "little") for item in items))
        else:
            value = fingerprint64(np.ascontiguousarray(row).tobytes())
        out[i] = np.frombuffer(int(value).to_bytes(8, "little"), np.uint8)
    return convert_to_tensor(out)
