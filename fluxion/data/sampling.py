"""Mixing datasets: ``choose_from_datasets``, ``sample_from_datasets``; and ``counter``."""

from __future__ import annotations

import itertools

import numpy as np

from fluxion.core import dtypes, errors
from fluxion.core.tensor import Tensor
from fluxion.core.tensor_spec import TensorSpec
from fluxion.data import element_spec as es
from fluxion.data.dataset import Dataset
from fluxion.data.shuffle import base_seed

_END = object()


def _check_datasets(what: str, datasets) -> list:
    datasets = list(datasets)
    if not datasets or not all(isinstance(d, Dataset) for d in datasets):
        raise TypeError(f"{what}: expected a non-empty list of datasets.")
    spec = datasets[0].element_spec
    for other in datasets[1:]:
        spec = es.common_spec(spec, other.element_spec, what)
    return datasets


class _MixDataset(Dataset):
    def _compute_element_spec(self):
        spec = self._sources[0].element_spec
        for other in self._sources[1:]:
            spec = es.common_spec(spec, other.element_spec, type(self).__name__)
        return spec


class ChooseDataset(_MixDataset):
    def __init__(self, datasets, choice_dataset: Dataset, stop_on_empty_dataset: bool):
        self._sources = _check_datasets("choose_from_datasets", datasets)
        spec = choice_dataset.element_spec
        if not isinstance(spec, TensorSpec) or spec.dtype is not dtypes.int64 or spec.shape.rank:
            raise TypeError(f"choose_from_datasets: `choice_dataset` must contain scalar int64 "
                            f"elements, got {spec}.")
        super().__init__((*self._sources, choice_dataset))
        self._stop = bool(stop_on_empty_dataset)

    def _iterator(self):
        iterators = [d._iterator() for d in self._sources]
        for choice in self._inputs[-1]._iterator():
            index = int(choice._value)
            if not 0 <= index < len(iterators):
                raise errors.InvalidArgumentError(
                    f"choose_from_datasets: selector index {index} is out of range "
                    f"[0, {len(iterators)}).")
            element = next(iterators[index], _END)
            if element is _END:
                if self._stop:
                    return
                continue
            yield element


class SampleDataset(_MixDataset):
    def __init__(self, datasets, weights, seed, stop_on_empty_dataset: bool):
        self._sources = _check_datasets("sample_from_datasets", datasets)
        super().__init__(tuple(self._sources))
        n = len(self._sources)
        if weights is None:
            weights = np.full(n, 1.0 / n)
        weights = np.asarray(getattr(weights, "_value", weights), dtype=np.float64)
        if weights.shape != (n,) or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError(f"sample_from_datasets: `weights` must be {n} non-negative numbers "
                             f"with a positive sum, got {weights.tolist()}.")
        self._weights = weights
        self._seed = base_seed(seed)
        self._stop = bool(stop_on_empty_dataset)
        self._epoch = 0

    def _iterator(self):
        self._epoch += 1
        rng = np.random.Generator(np.random.PCG64(
            (self._seed ^ self._epoch * 0x9E3779B97F4A7C15) & ((1 << 64) - 1)))
        iterators = [d._iterator() for d in self._sources]
        weights = self._weights.copy()
        while weights.sum() > 0:
            index = int(rng.choice(len(weights), p=weights / weights.sum()))
            element = next(iterators[index], _END)
            if element is _END:
                if self._stop:
                    return
                weights[index] = 0.0
                continue
            yield element


class CounterDataset(Dataset):
    def __init__(self, start, step, dtype):
        super().__init__()
        self._start, self._step = int(start), int(step)
        self._dtype = dtypes.as_dtype(dtype)

    def _iterator(self):
        np_dtype = self._dtype.np_dtype
        for value in itertools.count(self._start, self._step):
            yield Tensor(np.array(value, np_dtype))

    def _cardinality(self) -> int:
        return es.INFINITE

    def _compute_element_spec(self):
        return TensorSpec([], self._dtype)
