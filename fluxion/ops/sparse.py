"""The ``fluxion.sparse`` namespace (``tf.sparse``)."""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.indexed_slices import IndexedSlices
from fluxion.core.tensor import convert_to_tensor
from fluxion.ops.cross_ops import sampled_addmm  # noqa: F401
from fluxion.ops.cross_ops import sparse_cross as cross  # noqa: F401
from fluxion.ops.cross_ops import sparse_cross_hashed as cross_hashed  # noqa: F401
from fluxion.ops.sparse_ops import (  # noqa: F401 - re-exported
    add,
    eye,
    fill_empty_rows,
    from_dense,
    map_values,
    maximum,
    minimum,
    reorder,
    reset_shape,
    retain,
    softmax,
    sparse_dense_matmul,
    split,
    to_dense,
    to_indicator,
)
from fluxion.ops.sparse_ops import concat_sparse as concat  # noqa: F401
from fluxion.ops.sparse_ops import expand_dims_sparse as expand_dims  # noqa: F401
from fluxion.ops.sparse_ops import reduce_max_sparse as reduce_max  # noqa: F401
from fluxion.ops.sparse_ops import reduce_sum_sparse as reduce_sum  # noqa: F401
from fluxion.ops.sparse_ops import reshape_sparse as reshape  # noqa: F401
from fluxion.ops.sparse_ops import slice_sparse as slice  # noqa: A004, F401
from fluxion.ops.sparse_ops import transpose_sparse as transpose  # noqa: F401
from fluxion.ops.sparse_tensor import SparseTensor  # noqa: F401

matmul = sparse_dense_matmul


def _segment(kind: str, data, indices, segment_ids, num_segments):
    from fluxion.core.primitives.gather_scatter import gather
    from fluxion.ops import segment_ops

    rows = gather(convert_to_tensor(data), convert_to_tensor(indices))
    if num_segments is None:
        op = {"sum": segment_ops.segment_sum, "mean": segment_ops.segment_mean}.get(kind)
        if op is not None:
            return op(rows, segment_ids)
        from fluxion.ops.reduce_ops import reduce_max

        num_segments = reduce_max(convert_to_tensor(segment_ids)) + 1
    op = {"sum": segment_ops.unsorted_segment_sum, "mean": segment_ops.unsorted_segment_mean,
          "sqrt_n": segment_ops.unsorted_segment_sqrt_n}[kind]
    return op(rows, segment_ids, num_segments)


def segment_sum(data, indices, segment_ids, num_segments=None, name=None):
    """Sums ``data[indices]`` by ``segment_ids`` (``tf.sparse.segment_sum``)."""
    return _segment("sum", data, indices, segment_ids, num_segments)


def segment_mean(data, indices, segment_ids, num_segments=None, name=None):
    """The mean of ``data[indices]`` by ``segment_ids``."""
    return _segment("mean", data, indices, segment_ids, num_segments)


def segment_sqrt_n(data, indices, segment_ids, num_segments=None, name=None):
    """The sum of ``data[indices]`` by ``segment_ids`` over the root of each count."""
    return _segment("sqrt_n", data, indices, segment_ids, num_segments)


def mask(a, mask_indices, name=None) -> IndexedSlices:
    """The rows of IndexedSlices ``a`` whose index is not in ``mask_indices``."""
    import numpy as np

    from fluxion.core.primitives.gather_scatter import gather

    keep = ~np.isin(np.asarray(a.indices), np.asarray(mask_indices))
    positions = convert_to_tensor(np.nonzero(keep)[0].astype(np.int32))
    return IndexedSlices(gather(a.values, positions), gather(a.indices, positions),
                         a.dense_shape)


def bincount(values, weights=None, axis=0, minlength=None, maxlength=None,
             binary_output=False, name=None):
    """Counts of each value as a SparseTensor (per row when ``axis=-1``)."""
    from fluxion.ops import math_extra

    if isinstance(values, SparseTensor):
        values = values.values
    dense = math_extra.bincount(values, weights=weights, minlength=minlength,
                                maxlength=maxlength, binary_output=binary_output,
                                axis=axis, dtype=dtypes.int64 if weights is None else None)
    return from_dense(dense)
