"""Feature crosses (``tf.sparse.cross``, ``tf.ragged.cross``) and ``sampled_addmm``.

A cross joins, row by row, one feature from each input in every combination:
``"a_X_x"``.  Inputs may be SparseTensors, RaggedTensors or dense 2-D tensors; numbers
are written in decimal, as TF does.  The hashed variants (FarmHash fingerprints) are
not provided.
"""

from __future__ import annotations

import itertools

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor import convert_to_tensor

__all__ = ["sparse_cross", "ragged_cross", "sampled_addmm"]


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

