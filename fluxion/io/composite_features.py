"""``tf.io.SparseFeature`` and ``tf.io.RaggedFeature``: Example features parsed into a
``SparseTensor`` or a ``RaggedTensor``.

Both are read as variable-length lists (``VarLenFeature``) by the Example parser, then
assembled here from the per-example lists:

- ``SparseFeature(index_key, value_key, dtype, size)``: the values of ``value_key`` are
  placed at the coordinates the ``index_key`` lists give (one list per dimension) in a
  sparse tensor of dense shape ``size`` (with the batch dimension in front).
- ``RaggedFeature(dtype, value_key, partitions)``: the values, split into nested rows
  by the partition features (``RowLengths``, ``RowSplits``, ``RowStarts``,
  ``RowLimits``, ``ValueRowIds``, ``UniformRowLength``), outermost first.

Assembly uses the parsed values, so these features are parsed eagerly (``Dataset.map``
runs eagerly).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.io.feature_specs import VarLenFeature


class SparseFeature(NamedTuple):
    """A sparse feature from index and value lists (``tf.io.SparseFeature``).

    Args:
      index_key: the feature (or list of features, one per dimension) holding indices.
      value_key: the feature holding the values.
      dtype: the values' dtype.
      size: the dense shape (an int or a list, one per index key).
      already_sorted: whether the indices are sorted (else they are sorted here).
    """

    index_key: Any
    value_key: str
    dtype: Any
    size: Any
    already_sorted: bool = False


class _Partition(NamedTuple):
    key: Any


class _RowSplits(_Partition):
    """Row splits read from feature ``key``."""


class _RowLengths(_Partition):
    """Row lengths read from feature ``key``."""


class _RowStarts(_Partition):
    """Row starts read from feature ``key``."""


class _RowLimits(_Partition):
    """Row limits read from feature ``key``."""


class _ValueRowIds(_Partition):
    """The row of each value, read from feature ``key``."""


class _UniformRowLength(NamedTuple):
    """Rows of ``length`` values each (a constant, not a feature)."""

    length: int


class RaggedFeature(NamedTuple):
    """A ragged feature (``tf.io.RaggedFeature``).

    Args:
      dtype: the values' dtype.
      value_key: the feature holding the values (the dict key when None).
      partitions: row partitions, outermost first, e.g.
        ``[RaggedFeature.RowLengths("lengths")]``.
      row_splits_dtype: int32 or int64.
      validate: accepted for compatibility (the splits are always checked).
    """

    dtype: Any
    value_key: Any = None
    partitions: tuple = ()
    row_splits_dtype: Any = dtypes.int32
    validate: bool = False

    RowSplits = _RowSplits
    RowLengths = _RowLengths
    RowStarts = _RowStarts
    RowLimits = _RowLimits
    ValueRowIds = _ValueRowIds
    UniformRowLength = _UniformRowLength


def is_composite(feature) -> bool:
    return isinstance(feature, (SparseFeature, RaggedFeature))


def varlen_keys(key: str, feature) -> dict:
    """The plain variable-length features ``feature`` reads: ``{key: dtype}``."""
    if isinstance(feature, SparseFeature):
        index_keys = feature.index_key if isinstance(feature.index_key, (list, tuple)) \
            else [feature.index_key]
        return {**{k: dtypes.int64 for k in index_keys}, feature.value_key: feature.dtype}
    keys = {feature.value_key or key: feature.dtype}
    for partition in feature.partitions:
        if not isinstance(partition, _UniformRowLength):
            keys[partition.key] = dtypes.int64
    return keys


def assemble(key: str, feature, lists: dict, batched: bool):
    """The sparse or ragged tensor of ``feature`` from ``lists``: key -> per-example
    NumPy value lists."""
    if isinstance(feature, SparseFeature):
        return _sparse(feature, lists, batched)
    return _ragged(key, feature, lists, batched)


def _sparse(feature: SparseFeature, lists: dict, batched: bool):
    from fluxion.ops.sparse_tensor import SparseTensor

    index_keys = feature.index_key if isinstance(feature.index_key, (list, tuple)) \
        else [feature.index_key]
    size = [feature.size] if isinstance(feature.size, int) else list(feature.size)
    if len(size) != len(index_keys):
        raise ValueError(f"SparseFeature: {len(index_keys)} index keys but size has "
                         f"{len(size)} dimensions")
    coordinates, values = [], []
    for example, example_values in enumerate(lists[feature.value_key]):
        columns = [lists[k][example] for k in index_keys]
        if any(len(c) != len(example_values) for c in columns):
            raise InvalidArgumentError(f"SparseFeature {feature.value_key!r}: example "
                                       f"{example} has {len(example_values)} values but "
                                       f"index lists of lengths {[len(c) for c in columns]}")
        for dim, column in enumerate(columns):
            if len(column) and (np.min(column) < 0 or np.max(column) >= size[dim]):
                raise InvalidArgumentError(f"SparseFeature {feature.value_key!r}: an index "
                                           f"of dimension {dim} is outside [0, {size[dim]})")
        block = np.stack(columns, axis=1) if columns else np.zeros((0, 0), np.int64)
        block = block.reshape(len(example_values), len(index_keys))
        if batched:
            block = np.concatenate([np.full((len(block), 1), example), block], axis=1)
        order = np.lexsort(block.T[::-1]) if len(block) else np.arange(0)
        coordinates.append(block[order])
        values.append(np.asarray(example_values)[order])
    dense_shape = ([len(coordinates)] if batched else []) + size
    rank = len(dense_shape)
    indices = np.concatenate(coordinates).astype(np.int64) if coordinates else \
        np.zeros((0, rank), np.int64)
    flat = np.concatenate(values) if values else np.zeros(0)
    return SparseTensor(indices.reshape(-1, rank), _typed(flat, feature.dtype),
                        np.asarray(dense_shape, np.int64))


def _typed(values: np.ndarray, dtype):
    from fluxion.core.tensor import convert_to_tensor

    dtype = dtypes.as_dtype(dtype)
    if dtype is dtypes.string:
        array = np.empty(len(values), dtype=object)
        array[:] = list(values)
        return convert_to_tensor(array, dtype=dtype)
    return convert_to_tensor(np.asarray(values, dtype=dtype.np_dtype).reshape(-1), dtype=dtype)


def _splits_of(partition, lists: dict, example: int, count: int) -> np.ndarray:
    """Row splits over ``count`` items that one partition describes for one example."""
    if isinstance(partition, _UniformRowLength):
        length = int(partition.length)
        if length <= 0 or count % length:
            raise InvalidArgumentError(f"RaggedFeature: {count} values do not split into "
                                       f"rows of {length}")
        return np.arange(0, count + 1, length, dtype=np.int64)
    data = np.asarray(lists[partition.key][example], np.int64)
    if isinstance(partition, _RowSplits):
        splits = data
    elif isinstance(partition, _RowLengths):
        splits = np.concatenate([[0], np.cumsum(data)])
    elif isinstance(partition, _RowStarts):
        splits = np.concatenate([data, [count]])
    elif isinstance(partition, _RowLimits):
        splits = np.concatenate([[0], data])
    else:  # value row ids
        rows = int(data.max()) + 1 if data.size else 0
        splits = np.concatenate([[0], np.cumsum(np.bincount(data, minlength=rows))])
    splits = splits.astype(np.int64)
    if splits.size == 0 or splits[0] != 0 or splits[-1] != count or np.any(np.diff(splits) < 0):
        raise InvalidArgumentError(f"RaggedFeature: partition {partition.key!r} does not "
                                   f"split {count} values (splits {splits.tolist()})")
    return splits


def _ragged(key: str, feature: RaggedFeature, lists: dict, batched: bool):
    from fluxion.core.tensor import convert_to_tensor
    from fluxion.ops.ragged_tensor import RaggedTensor

    value_key = feature.value_key or key
    split_dtype = dtypes.as_dtype(feature.row_splits_dtype).np_dtype
    per_example = []
    for example, values in enumerate(lists[value_key]):
        levels, count = [], len(values)
        for partition in reversed(feature.partitions):
            splits = _splits_of(partition, lists, example, count)
            levels.insert(0, splits)
            count = len(splits) - 1
        per_example.append((np.asarray(values), levels, count))
    depth = len(feature.partitions)
    if not batched:
        values, levels, _ = per_example[0]
        flat = _typed(values, feature.dtype)
        if not levels:
            return flat
        return RaggedTensor.from_nested_row_splits(
            flat, [convert_to_tensor(level.astype(split_dtype)) for level in levels])
    # Stack examples: an outer level of example boundaries, inner levels offset.
    outer = np.concatenate([[0], np.cumsum([count for _, _, count in per_example])])
    combined = [outer]
    for level in range(depth):
        pieces, offset = [np.zeros(1, np.int64)], 0
        for _, levels, _ in per_example:
            pieces.append(levels[level][1:] + offset)
            offset += levels[level][-1]
        combined.append(np.concatenate(pieces))
    values = np.concatenate([v for v, _, _ in per_example]) if per_example else np.zeros(0)
    return RaggedTensor.from_nested_row_splits(
        _typed(values, feature.dtype),
        [convert_to_tensor(level.astype(split_dtype)) for level in combined])


def split_features(features: dict) -> tuple[dict, dict, set]:
    """``(plain specs to parse, composite specs, keys read only for composites)``."""
    if not isinstance(features, dict):
        return features, {}, set()
    plain = {k: f for k, f in features.items() if not is_composite(f)}
    composite = {k: f for k, f in features.items() if is_composite(f)}
    helpers = set()
    for key, feature in composite.items():
        for list_key, dtype in varlen_keys(key, feature).items():
            if list_key not in plain:
                plain[list_key] = VarLenFeature(dtype)
                helpers.add(list_key)
    return plain, composite, helpers


def lists_from_sparse(sparse, batched: bool) -> list:
    """Per-example value arrays from a parsed ``VarLenFeature``'s sparse tensor."""
    values = np.asarray(sparse.values)
    if not batched:
        return [values]
    rows = int(np.asarray(sparse.dense_shape)[0])
    ids = np.asarray(sparse.indices)[:, 0]
    bounds = np.searchsorted(ids, np.arange(rows + 1))
    return [values[bounds[i]:bounds[i + 1]] for i in range(rows)]


def finish(parsed: dict, composite: dict, helpers: set, batched: bool) -> dict:
    """``parsed`` with the composite features assembled and the helper lists dropped."""
    if not composite:
        return parsed
    from fluxion.core import context

    if context.tracer is not None:
        raise TypeError("SparseFeature and RaggedFeature are parsed eagerly; call "
                        "parse_example outside fluxion.function (Dataset.map runs eagerly)")
    result = {k: v for k, v in parsed.items() if k not in helpers}
    for key, feature in composite.items():
        lists = {k: lists_from_sparse(parsed[k], batched)
                 for k in varlen_keys(key, feature)}
        result[key] = assemble(key, feature, lists, batched)
    return result
