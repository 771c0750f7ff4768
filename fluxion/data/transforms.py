"""Element-wise transformations: map, filter, interleave, take/skip, repeat, window...

User functions run eagerly on Fluxion tensors.  A tuple element is spread over the
function's arguments, as tf.data does; dicts and other structures arrive whole.  The
iterators of stages that call user functions are small classes, not generators, so that
an error raised for one element leaves the iterator usable (``ignore_errors`` relies
on it: it drops that element and asks for the next).
"""

from __future__ import annotations

import logging

import numpy as np

from fluxion.core import context, dtypes
from fluxion.core.tensor import Tensor
from fluxion.data import element_spec as es
from fluxion.data import workers
from fluxion.data.dataset import Dataset
from fluxion.data.options import Options
from fluxion.data.parallel_map import ParallelMapIterator
from fluxion.data.user_functions import as_element


def _function_spec(dataset: Dataset, func):
    spec = es.spec_of_function(func, dataset._inputs[0].element_spec)
    return spec if spec is not None else Dataset._compute_element_spec(dataset)


# --- map ---------------------------------------------------------------------------------------
class _MapIterator:
    __slots__ = ("_it", "_func")

    def __init__(self, it, func):
        self._it = it
        self._func = func

    def __iter__(self):
        return self

    def __next__(self):
        element = next(self._it)
        if context.tracer is not None:
            workers.wait_until_eager()
        if type(element) is tuple:
            return as_element(self._func(*element))
        return as_element(self._func(element))


def _op_determinism() -> bool:
    """``fluxion.config.experimental.enable_op_determinism()``: maps run in order on one
    worker, so stateful random ops draw in the same order on every run."""
    import sys

    config = sys.modules.get("fluxion.config")
    return bool(config is not None and config._settings.get("op_determinism"))


class MapDataset(Dataset):
    def __init__(self, dataset: Dataset, func, num_parallel_calls, deterministic):
        _check_callable("map", func)
        super().__init__((dataset,))
        self._func = func
        self._parallel = num_parallel_calls
        self._deterministic = True if deterministic is None else bool(deterministic)

    def _iterator(self):
        source = self._inputs[0]._iterator()
        if self._parallel is None or workers.worker_count(self._parallel) == 1 \
                and self._deterministic or _op_determinism():
            return _MapIterator(source, self._func)
        return ParallelMapIterator(source, self._func, workers.worker_count(self._parallel),
                                   self._deterministic)

    def _cardinality(self) -> int:
        return self._inputs[0]._cardinality()

    def _compute_element_spec(self):
        return _function_spec(self, self._func)


# --- filter, take_while ----------------------------------------------------------------------
def _truth(value, what: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, Tensor) and value.dtype is dtypes.bool_ and value.ndim == 0:
        return bool(value._value)
    shown = (f"TensorSpec(shape={value.shape}, dtype={value.dtype.name})"
             if isinstance(value, Tensor) else type(value).__name__)
    raise TypeError(f"{what}: `predicate` must return a scalar boolean tensor, got {shown}.")


class _FilterIterator:
    __slots__ = ("_it", "_predicate")

    def __init__(self, it, predicate):
        self._it = it
        self._predicate = predicate

    def __iter__(self):
        return self

    def __next__(self):
        predicate = self._predicate
        for element in self._it:
            if context.tracer is not None:
                workers.wait_until_eager()
            keep = predicate(*element) if type(element) is tuple else predicate(element)
            if _truth(keep, "filter"):
                return element
        raise StopIteration


class FilterDataset(Dataset):
    def __init__(self, dataset: Dataset, predicate):
        _check_callable("filter", predicate)
        super().__init__((dataset,))
        self._predicate = predicate

    def _iterator(self):
        return _FilterIterator(self._inputs[0]._iterator(), self._predicate)

    def _compute_element_spec(self):
        return self._inputs[0].element_spec


class TakeWhileDataset(Dataset):
    def __init__(self, dataset: Dataset, predicate):
        _check_callable("take_while", predicate)
        super().__init__((dataset,))
        self._predicate = predicate

    def _iterator(self):
        for element in self._inputs[0]._iterator():
            keep = es.unpack_call(self._predicate, element)
            if not _truth(keep, "take_while"):
                return
            yield element

    def _compute_element_spec(self):
        return self._inputs[0].element_spec


# --- interleave and flat_map ----------------------------------------------------------------
class InterleaveDataset(Dataset):
    def __init__(self, dataset: Dataset, func, cycle_length, block_length):
        _check_callable("interleave", func)
        super().__init__((dataset,))
        self._func = func
        cycle = -1 if cycle_length is None else int(cycle_length)
        self._cycle = workers.worker_count(-1) if cycle == -1 else cycle
        self._block = 1 if block_length is None else int(block_length)
        if self._cycle < 1 or self._block < 1:
            raise ValueError(f"interleave: cycle_length and block_length must be positive, "
                             f"got {cycle_length} and {block_length}.")

    def _open(self, element):
        dataset = es.unpack_call(self._func, element)
        if not isinstance(dataset, Dataset):
            raise TypeError(f"`map_func` must return a `Dataset` object, got "
                            f"{type(dataset).__name__}.")
        return dataset._iterator()

    def _iterator(self):
        source = self._inputs[0]._iterator()
        if self._cycle == 1:  # flat_map
            for element in source:
                yield from self._open(element)
            return
        # TF's cycle: slots are filled lazily when the cycle reaches them; an exhausted
        # slot is emptied and the cycle moves on.
        slots: list = [None] * self._cycle
        index = 0
        open_count = 0
        input_done = False
        while not input_done or open_count:
            iterator = slots[index]
            if iterator is None and not input_done:
                element = next(source, _END)
                if element is _END:
                    input_done = True
                else:
                    slots[index] = self._open(element)
                    open_count += 1
                continue
            if iterator is not None:
                for _ in range(self._block):
                    element = next(iterator, _END)
                    if element is _END:
                        slots[index] = None
                        open_count -= 1
                        break
                    yield element
            index = (index + 1) % self._cycle

    def _compute_element_spec(self):
        spec = es.spec_of_function(self._func, self._inputs[0].element_spec,
                                   returns_dataset=True)
        return spec if spec is not None else Dataset._compute_element_spec(self)


_END = object()


# --- stateful: scan, unique -------------------------------------------------------------------
class ScanDataset(Dataset):
    def __init__(self, dataset: Dataset, initial_state, func):
        _check_callable("scan", func)
        super().__init__((dataset,))
        self._initial = es.normalize_element(initial_state, "initial state")
        self._func = func

    def _iterator(self):
        state = self._initial
        for element in self._inputs[0]._iterator():
            result = self._func(state, element)
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise TypeError("scan: `scan_func` must return a pair (new_state, output).")
            state = es.normalize_function_output(result[0])
            yield es.normalize_function_output(result[1])

    def _cardinality(self) -> int:
        return self._inputs[0]._cardinality()

    def _compute_element_spec(self):
        state_spec = es.spec_of(self._initial)
        spec = es.spec_of_function(lambda s, e: self._func(s, e)[1],
                                   (state_spec, self._inputs[0].element_spec))
        return spec if spec is not None else Dataset._compute_element_spec(self)


class UniqueDataset(Dataset):
    def __init__(self, dataset: Dataset):
        super().__init__((dataset,))
        spec = dataset.element_spec
        ok = (not es.is_structure(spec) and spec.shape.rank == 0
              and (spec.dtype.is_integer or spec.dtype is dtypes.string))
        if not ok:
            raise TypeError(f"unique: each element must be a single scalar integer or string "
                            f"tensor, got {spec}.")

    def _iterator(self):
        seen = set()
        for element in self._inputs[0]._iterator():
            key = element._value.item()
            if key not in seen:
                seen.add(key)
                yield element

    def _compute_element_spec(self):
        return self._inputs[0].element_spec


# --- errors and options ---------------------------------------------------------------------
class IgnoreErrorsDataset(Dataset):
    def __init__(self, dataset: Dataset, log_warning: bool):
        super().__init__((dataset,))
        self._log = log_warning

    def _iterator(self):
        it = self._inputs[0]._iterator()
        while True:
            try:
                element = next(it)
            except StopIteration:
                return
            except Exception as error:  # noqa: BLE001 - dropping bad elements is the point
                if self._log:
                    logging.getLogger("fluxion.data").warning(
                        "ignore_errors: dropped an element: %s", error)
                continue
            yield element

    def _compute_element_spec(self):
        return self._inputs[0].element_spec


class OptionsDataset(Dataset):
    def __init__(self, dataset: Dataset, options):
        if not isinstance(options, Options):
            raise TypeError(f"with_options expects fluxion.data.Options, got "
                            f"{type(options).__name__}.")
        super().__init__((dataset,))
        self._own_options = options

    def _iterator(self):
        return self._inputs[0]._iterator()

    def _cardinality(self) -> int:
        return self._inputs[0]._cardinality()

    def _compute_element_spec(self):
        return self._inputs[0].element_spec

    def _bulk_source(self):
        return self._inputs[0]._bulk_source()


def _check_callable(what: str, func) -> None:
    if not callable(func):
        raise TypeError(f"{what}: expected a function, got {type(func).__name__}.")
