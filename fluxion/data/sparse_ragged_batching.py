"""Batching elements whose shapes differ into ragged or sparse tensors:
``tf.data.experimental.dense_to_ragged_batch`` and ``dense_to_sparse_batch``.

``dense_to_ragged_batch`` stacks components whose shape is fully known into dense
tensors, and turns a component whose first dimension varies into a ``RaggedTensor``
(rows of the batch).  ``dense_to_sparse_batch`` puts each element's values, at their
own indices, in a ``SparseTensor`` of dense shape ``[batch, *row_shape]``.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import errors
from fluxion.core.tensor import convert_to_tensor
from fluxion.data import element_spec as es
from fluxion.data.dataset import Dataset


def _batches(dataset, batch_size: int, drop_remainder: bool):
    batch = []
    for element in dataset._iterator():
        batch.append(element)
        if len(batch) == batch_size:
            yield batch
            batch = []
    if batch and not drop_remainder:
        yield batch


class _RaggedBatchDataset(Dataset):
    def __init__(self, dataset, batch_size, drop_remainder, row_splits_dtype):
        super().__init__((dataset,))
        self._size, self._drop = int(batch_size), bool(drop_remainder)
        self._splits_dtype = row_splits_dtype

    def _component(self, spec, values):
        from fluxion.core.primitives.shape import concat
        from fluxion.ops.array_ops import stack
        from fluxion.ops.ragged_tensor import RaggedTensor

        dims = spec.shape.as_list() if spec.shape.rank is not None else None
        if dims is not None and None not in dims:
            return stack(values)
        if dims is None or len(dims) == 0 or None in dims[1:]:
            raise errors.InvalidArgumentError(None, None, f"dense_to_ragged_batch: only the "
                                               f"first dimension may vary, got {spec.shape}")
        lengths = np.array([int(v.shape[0]) for v in values], np.int64)
        flat = concat(values, 0)
        return RaggedTensor.from_row_lengths(
            flat, convert_to_tensor(lengths.astype(np.dtype(self._splits_dtype.name))))

    def _iterator(self):
        spec = self._inputs[0].element_spec
        flat_specs = es.flatten(spec)
        pack = es.make_packer(spec)
        for batch in _batches(self._inputs[0], self._size, self._drop):
            columns = list(zip(*[es.flatten(element) for element in batch]))
            yield pack([self._component(s, list(c)) for s, c in zip(flat_specs, columns)])

    def _cardinality(self) -> int:
        return es.batch_cardinality(self._inputs[0]._cardinality(), self._size, self._drop)


def dense_to_ragged_batch(batch_size, drop_remainder=False, row_splits_dtype=None):
    """A transformation batching into ragged tensors where the first dimension varies."""
    from fluxion.core import dtypes

    splits = dtypes.as_dtype(row_splits_dtype or dtypes.int64)
    return lambda dataset: _RaggedBatchDataset(dataset, batch_size, drop_remainder, splits)


class _SparseBatchDataset(Dataset):
    def __init__(self, dataset, batch_size, row_shape):
        super().__init__((dataset,))
        self._size = int(batch_size)
        self._row_shape = [int(d) for d in row_shape]

    def _iterator(self):
        from fluxion.ops.sparse_tensor import SparseTensor

        for batch in _batches(self._inputs[0], self._size, False):
            arrays = [np.asarray(element.numpy()) for element in batch]
            shape = list(self._row_shape)
            for array in arrays:
                if array.ndim != len(shape):
                    raise errors.InvalidArgumentError(None, None, f"dense_to_sparse_batch: "
                                                      f"an element of rank {array.ndim} does "
                                                      f"not fit row_shape {self._row_shape}")
                for axis, size in enumerate(array.shape):
                    if self._row_shape[axis] >= 0 and size > self._row_shape[axis]:
                        raise errors.InvalidArgumentError(None, None, f"dense_to_sparse_batch:"
                                                          f" an element of shape "
                                                          f"{list(array.shape)} exceeds "
                                                          f"row_shape {self._row_shape}")
                    if self._row_shape[axis] < 0:
                        shape[axis] = max(shape[axis], size)
            indices = [np.concatenate([np.full((array.size, 1), row),
                                       np.argwhere(np.ones(array.shape, bool))], axis=1)
                       for row, array in enumerate(arrays)]
            values = np.concatenate([array.reshape(-1) for array in arrays])
            yield SparseTensor(np.concatenate(indices).astype(np.int64), values,
                               np.array([len(arrays)] + shape, np.int64))

    def _cardinality(self) -> int:
        return es.batch_cardinality(self._inputs[0]._cardinality(), self._size, False)


def dense_to_sparse_batch(batch_size, row_shape):
    """A transformation batching elements into ``SparseTensor`` s of dense shape
    ``[batch, *row_shape]`` (a -1 in ``row_shape``: the largest size in the batch)."""
    return lambda dataset: _SparseBatchDataset(dataset, batch_size, row_shape)
