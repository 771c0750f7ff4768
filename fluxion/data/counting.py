"""Stages that count elements: take, skip, shard, repeat, enumerate, assert_cardinality.

None of them calls user code; each is a thin ``itertools`` wrapper plus its cardinality
rule from ``element_spec``.
"""

from __future__ import annotations

import itertools

import numpy as np

from fluxion.core import dtypes, errors
from fluxion.core.tensor import Tensor
from fluxion.core.tensor_spec import TensorSpec
from fluxion.data import element_spec as es
from fluxion.data.dataset import Dataset

_int64 = np.int64


class TakeDataset(Dataset):
    def __init__(self, dataset: Dataset, count):
        super().__init__((dataset,))
        self._count = int(count)

    def _iterator(self):
        it = self._inputs[0]._iterator()
        return it if self._count < 0 else itertools.islice(it, self._count)

    def _cardinality(self) -> int:
        return es.take_cardinality(self._inputs[0]._cardinality(), self._count)

    def _compute_element_spec(self):
        return self._inputs[0].element_spec


class SkipDataset(Dataset):
    def __init__(self, dataset: Dataset, count):
        super().__init__((dataset,))
        self._count = int(count)

    def _iterator(self):
        it = self._inputs[0]._iterator()
        if self._count < 0:
            return iter(())
        return itertools.islice(it, self._count, None)

    def _cardinality(self) -> int:
        return es.skip_cardinality(self._inputs[0]._cardinality(), self._count)

    def _compute_element_spec(self):
        return self._inputs[0].element_spec


class RepeatDataset(Dataset):
    def __init__(self, dataset: Dataset, count):
        super().__init__((dataset,))
        self._count = -1 if count is None else int(count)

    def _iterator(self):
        epoch = 0
        while self._count < 0 or epoch < self._count:
            empty = True
            for element in self._inputs[0]._iterator():
                empty = False
                yield element
            if empty:  # repeating an empty dataset yields nothing, not a busy loop
                return
            epoch += 1

    def _cardinality(self) -> int:
        return es.repeat_cardinality(self._inputs[0]._cardinality(), self._count)

    def _compute_element_spec(self):
        return self._inputs[0].element_spec


class EnumerateDataset(Dataset):
    def __init__(self, dataset: Dataset, start):
        super().__init__((dataset,))
        self._start = int(start)

    def _iterator(self):
        for i, element in enumerate(self._inputs[0]._iterator(), self._start):
            yield (Tensor(np.array(i, _int64)), element)

    def _cardinality(self) -> int:
        return self._inputs[0]._cardinality()

    def _compute_element_spec(self):
        return (TensorSpec([], dtypes.int64), self._inputs[0].element_spec)


class ShardDataset(Dataset):
    def __init__(self, dataset: Dataset, num_shards, index):
        super().__init__((dataset,))
        self._num, self._index = int(num_shards), int(index)
        if self._num < 1:
            raise ValueError(f"shard: num_shards must be positive, got {self._num}.")
        if not 0 <= self._index < self._num:
            raise ValueError(f"shard: index must be in [0, {self._num}), got {self._index}.")

    def _iterator(self):
        return itertools.islice(self._inputs[0]._iterator(), self._index, None, self._num)

    def _cardinality(self) -> int:
        return es.shard_cardinality(self._inputs[0]._cardinality(), self._num, self._index)

    def _compute_element_spec(self):
        return self._inputs[0].element_spec


class AssertCardinalityDataset(Dataset):
    def __init__(self, dataset: Dataset, expected):
        super().__init__((dataset,))
        self._expected = int(getattr(expected, "_value", expected))

    def _iterator(self):
        count = 0
        for element in self._inputs[0]._iterator():
            count += 1
            if 0 <= self._expected < count:
                raise errors.FailedPreconditionError(
                    f"Input dataset was expected to contain {self._expected} elements but "
                    f"contained at least {count} elements.")
            yield element
        if self._expected != count and self._expected >= 0:
            raise errors.FailedPreconditionError(
                f"Input dataset was expected to contain {self._expected} elements but "
                f"contained only {count} elements.")

    def _cardinality(self) -> int:
        return self._expected

    def _compute_element_spec(self):
        return self._inputs[0].element_spec
