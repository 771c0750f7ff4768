"""``Dataset``: a lazy, re-iterable pipeline of elements, with ``tf.data.Dataset``'s API.

A dataset is a small object describing one stage: its input datasets, its parameters,
and three methods a stage implements:

- ``_iterator()``: a fresh Python iterator over the elements (one per epoch);
- ``_cardinality()``: the number of elements, ``INFINITE`` or ``UNKNOWN``;
- ``_compute_element_spec()``: the nested ``TensorSpec`` of an element.

Iterating runs the stages as a chain of Python iterators over Fluxion tensors; user
functions run eagerly on each element.  The transformation families live in their own
modules (``sources``, ``transforms``, ``batching``, ``shuffle``, ``prefetch``, ``cache``,
``save_load``...), which import this one; this class only dispatches to them, finding them
by name in ``stage_registry``.  Stages that can hand out whole
slices of NumPy arrays (``from_tensor_slices``, ``shuffle`` over it) also implement
``_bulk_source()`` so that ``batch`` gathers a batch with one indexing operation
instead of stacking single elements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fluxion.core import errors
from fluxion.data import element_spec as es
from fluxion.data import stage_registry  # the stages register there as they are defined
from fluxion.data.options import Options


def _stage_named(name: str):
    """The stage class (or function) ``name``, defined in its own module (``stage_registry``)."""
    return stage_registry.lookup(name)


class Dataset:
    """Represents a potentially large set of elements (``tf.data.Dataset``).

    >>> ds = Dataset.from_tensor_slices([1, 2, 3]).map(lambda x: x * 2)
    >>> list(ds.as_numpy_iterator())
    [2, 4, 6]
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        stage_registry.register(cls.__name__, cls)

    def __init__(self, inputs: tuple = ()):
        self._inputs = tuple(inputs)
        self._spec = None
        self._own_options = None

    # --- what a stage implements ------------------------------------------------------
    def _iterator(self) -> Iterator:
        raise NotImplementedError

    def _cardinality(self) -> int:
        return es.UNKNOWN

    def _compute_element_spec(self):
        """Default: the spec of the first element (stages override with a static rule)."""
        for element in self._iterator():
            return es.spec_of(element)
        raise ValueError(f"Cannot infer the element_spec of an empty {type(self).__name__}.")

    def _bulk_source(self):
        return None

    # --- sources ------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name: str | None = None) -> Dataset:
        """A dataset whose elements are slices of ``tensors`` along their first dimension."""
        return _stage_named("TensorSliceDataset")(tensors)

    @staticmethod
    def from_tensors(tensors, name: str | None = None) -> Dataset:
        """A dataset with a single element, ``tensors``."""
        return _stage_named("TensorDataset")(tensors)

    @staticmethod
    def from_generator(generator: Callable, output_types=None, output_shapes=None,
                       args=None, output_signature=None, name: str | None = None) -> Dataset:
        """A dataset of the elements yielded by ``generator(*args)``, checked against
        ``output_signature`` (nested ``TensorSpec``)."""
        return _stage_named("GeneratorDataset")(generator, output_types, output_shapes, args,
                                                output_signature)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name: str | None = None) -> Dataset:
        """The paths of the files matching ``file_pattern`` (glob patterns), as scalar
        ``tf.string`` elements: sorted with ``shuffle=False``, else shuffled anew on each
        iteration (``seed``: repeatable orders)."""
        return _stage_named("list_files")(file_pattern, shuffle, seed)

    @staticmethod
    def range(*args, dtype=None, name: str | None = None) -> Dataset:
        """``range([start,] stop[, step])`` as a dataset of int64 scalars."""
        return _stage_named("RangeDataset")(*args, dtype=dtype)

    @staticmethod
    def zip(*args, datasets=None, name: str | None = None) -> Dataset:
        """Zips a (nested) structure of datasets; stops with the shortest."""
        if datasets is not None and args:
            raise TypeError("Dataset.zip: pass the datasets positionally or as `datasets`, "
                            "not both.")
        structure = datasets if datasets is not None else (args[0] if len(args) == 1 else args)
        return _stage_named("ZipDataset")(structure)

    @staticmethod
    def counter(start: int = 0, step: int = 1, dtype=None, name: str | None = None) -> Dataset:
        """``start, start + step, ...`` forever (int64 scalars)."""
        from fluxion.core import dtypes
        return _stage_named("CounterDataset")(start, step, dtypes.int64 if dtype is None else dtype)

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset: Dataset,
                             stop_on_empty_dataset: bool = True) -> Dataset:
        """Takes each element from ``datasets[c]`` for the next ``c`` of ``choice_dataset``."""
        return _stage_named("ChooseDataset")(datasets, choice_dataset, stop_on_empty_dataset)

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed: int | None = None,
                             stop_on_empty_dataset: bool = False,
                             rerandomize_each_iteration: bool | None = None) -> Dataset:
        """Draws each element from a dataset chosen at random with ``weights``."""
        return _stage_named("SampleDataset")(datasets, weights, seed, stop_on_empty_dataset)

    @staticmethod
    def load(path: str, element_spec=None, compression: str | None = None,
             reader_func: Callable | None = None) -> Dataset:
        """Loads a dataset written by ``Dataset.save``."""
        return _stage_named("load")(path, element_spec, compression, reader_func)

    def concatenate(self, dataset: Dataset, name: str | None = None) -> Dataset:
        """The elements of this dataset followed by those of ``dataset``."""
        return _stage_named("ConcatenateDataset")(self, dataset)

    # --- element-wise transformations ---------------------------------------------------
    def map(self, map_func: Callable, num_parallel_calls: int | None = None,
            deterministic: bool | None = None, name: str | None = None) -> Dataset:
        """Applies ``map_func`` to each element (in worker threads with
        ``num_parallel_calls``; output order kept unless ``deterministic=False``)."""
        return _stage_named("MapDataset")(self, map_func, num_parallel_calls, deterministic)

    def filter(self, predicate: Callable, name: str | None = None) -> Dataset:
        """Keeps the elements for which ``predicate`` returns a scalar True."""
        return _stage_named("FilterDataset")(self, predicate)

    def flat_map(self, map_func: Callable, name: str | None = None) -> Dataset:
        """Maps each element to a dataset and flattens the results in order."""
        return _stage_named("InterleaveDataset")(self, map_func, cycle_length=1, block_length=1)

    def interleave(self, map_func: Callable, cycle_length: int | None = None,
                   block_length: int | None = None, num_parallel_calls: int | None = None,
                   deterministic: bool | None = None, name: str | None = None) -> Dataset:
        """Maps each element to a dataset and interleaves ``cycle_length`` of them,
        ``block_length`` consecutive elements from each in turn."""
        return _stage_named("InterleaveDataset")(self, map_func, cycle_length, block_length)

    def take(self, count: int, name: str | None = None) -> Dataset:
        """At most ``count`` elements (all when ``count`` is -1)."""
        return _stage_named("TakeDataset")(self, count)

    def skip(self, count: int, name: str | None = None) -> Dataset:
        """All but the first ``count`` elements (none when ``count`` is -1)."""
        return _stage_named("SkipDataset")(self, count)

    def take_while(self, predicate: Callable, name: str | None = None) -> Dataset:
        """Elements up to (not including) the first for which ``predicate`` is False."""
        return _stage_named("TakeWhileDataset")(self, predicate)

    def repeat(self, count: int | None = None, name: str | None = None) -> Dataset:
        """Repeats the dataset ``count`` times (forever when None or -1)."""
        return _stage_named("RepeatDataset")(self, count)

    def enumerate(self, start: int = 0, name: str | None = None) -> Dataset:
        """Pairs each element with its int64 index: ``(i, element)``."""
        return _stage_named("EnumerateDataset")(self, start)

    def window(self, size: int, shift: int | None = None, stride: int = 1,
               drop_remainder: bool = False, name: str | None = None) -> Dataset:
        """A dataset of windows, each a structure of datasets of ``size`` elements."""
        return _stage_named("WindowDataset")(self, size, shift, stride, drop_remainder)

    def scan(self, initial_state, scan_func: Callable, name: str | None = None) -> Dataset:
        """Like map, threading a state: ``scan_func(state, element) -> (state, output)``."""
        return _stage_named("ScanDataset")(self, initial_state, scan_func)

    def unique(self, name: str | None = None) -> Dataset:
        """The first occurrence of each distinct (scalar int or string) element."""
        return _stage_named("UniqueDataset")(self)

    def shard(self, num_shards: int, index: int, name: str | None = None) -> Dataset:
        """Every ``num_shards``-th element, starting at ``index``."""
        return _stage_named("ShardDataset")(self, num_shards, index)

    def apply(self, transformation_func: Callable) -> Dataset:
        """``transformation_func(self)``, which must return a Dataset."""
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError(f"Dataset.apply: `transformation_func` must return a Dataset, "
                            f"got {type(result).__name__}.")
        return result

    def ignore_errors(self, log_warning: bool = False, name: str | None = None) -> Dataset:
        """Drops the elements whose computation raised an error."""
        return _stage_named("IgnoreErrorsDataset")(self, log_warning)

    # --- batching, shuffling, buffering -----------------------------------------------------
    def batch(self, batch_size: int, drop_remainder: bool = False,
              num_parallel_calls: int | None = None, deterministic: bool | None = None,
              name: str | None = None) -> Dataset:
        """Stacks ``batch_size`` consecutive elements; the last batch may be smaller unless
        ``drop_remainder``."""
        return _stage_named("BatchDataset")(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size: int, padded_shapes=None, padding_values=None,
                     drop_remainder: bool = False, name: str | None = None) -> Dataset:
        """Batches elements of different shapes, padding each to ``padded_shapes`` (None
        dimensions: the longest in the batch)."""
        return _stage_named("PaddedBatchDataset")(self, batch_size, padded_shapes,
                                                  padding_values, drop_remainder)

    def unbatch(self, name: str | None = None) -> Dataset:
        """Splits each element along its first dimension into single elements."""
        return _stage_named("UnbatchDataset")(self)

    def rebatch(self, batch_size, drop_remainder: bool = False,
                name: str | None = None) -> Dataset:
        """Re-cuts batched elements into batches of ``batch_size`` (an int, or a list of
        sizes used in turn)."""
        return _stage_named("RebatchDataset")(self, batch_size, drop_remainder)

    def shuffle(self, buffer_size: int, seed: int | None = None,
                reshuffle_each_iteration: bool | None = None,
                name: str | None = None) -> Dataset:
        """Shuffles with a buffer of ``buffer_size`` elements (TF's buffer semantics)."""
        return _stage_named("ShuffleDataset")(self, buffer_size, seed, reshuffle_each_iteration)

    def prefetch(self, buffer_size: int, name: str | None = None) -> Dataset:
        """Prepares up to ``buffer_size`` elements ahead in a background thread."""
        return _stage_named("PrefetchDataset")(self, buffer_size)

    def cache(self, filename: str = "", name: str | None = None) -> Dataset:
        """Caches the elements after the first full pass: in memory, or in ``filename``."""
        return _stage_named("CacheDataset")(self, filename)

    def save(self, path: str, compression: str | None = None,
             shard_func: Callable | None = None, checkpoint_args=None) -> None:
        """Writes the dataset to the directory ``path`` (atomically)."""
        _stage_named("save")(self, path, compression, shard_func)

    # --- consuming -------------------------------------------------------------------------
    def __iter__(self) -> DatasetIterator:
        return DatasetIterator(self)

    def as_numpy_iterator(self) -> Iterator:
        """Iterates the elements as nested NumPy values (scalars, arrays, bytes): a
        ``NumpyIterator``."""
        return _stage_named("NumpyIterator")(self)

    def reduce(self, initial_state, reduce_func: Callable):
        """Folds the elements: ``state = reduce_func(state, element)``; returns the state."""
        state = es.normalize_element(initial_state, "initial state")
        for element in self._iterator():
            state = es.normalize_function_output(reduce_func(state, element))
        return state

    def get_single_element(self, name: str | None = None):
        """The only element of the dataset; an error if it has none or several."""
        iterator = self._iterator()
        for element in iterator:
            for _ in iterator:
                raise errors.InvalidArgumentError(
                    "Dataset.get_single_element: the dataset had more than one element.")
            return element
        raise errors.InvalidArgumentError("Dataset.get_single_element: the dataset was empty.")

    def cardinality(self):
        """The number of elements as an int64 tensor, or INFINITE (-1) / UNKNOWN (-2)."""
        return es.as_int64_tensor(self._cardinality())

    @property
    def element_spec(self):
        """The nested ``TensorSpec`` of an element."""
        if self._spec is None:
            self._spec = self._compute_element_spec()
        return self._spec

    def __len__(self) -> int:
        n = self._cardinality()
        if n == es.INFINITE:
            raise TypeError("The dataset is infinite.")
        if n == es.UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self) -> bool:
        return True  # not len() != 0: infinite datasets are truthy too

    # --- iteration state (for exact resumption) ------------------------------------------
    def _stages(self) -> list:
        """Every stage of the pipeline, each once, inputs first (a fixed order)."""
        found, seen = [], set()

        def visit(dataset):
            if id(dataset) in seen:
                return
            seen.add(id(dataset))
            for child in dataset._inputs:
                visit(child)
            found.append(dataset)

        visit(self)
        return found

    def _iteration_counters(self) -> list:
        """How many times each reshuffling stage has been iterated (``shuffle``,
        ``sample_from_datasets``...): with the seeds, the order every new pass will have.
        Saved by ``BackupAndRestore`` so a resumed ``fit`` sees the same epochs' data."""
        return [stage._epoch for stage in self._stages() if hasattr(stage, "_epoch")]

    def _set_iteration_counters(self, counters) -> None:
        stages = [stage for stage in self._stages() if hasattr(stage, "_epoch")]
        if len(stages) != len(counters):
            raise ValueError(f"The saved input-pipeline state has {len(counters)} counters, "
                             f"this pipeline {len(stages)}: it is not the same pipeline.")
        for stage, value in zip(stages, counters):
            stage._epoch = int(value)

    # --- options ---------------------------------------------------------------------------
    def options(self):
        """The ``Options`` of the pipeline, merged from every stage."""
        merged = Options()
        for dataset in self._inputs:
            merged = merged.merge(dataset.options())
        return merged.merge(self._own_options) if self._own_options is not None else merged

    def with_options(self, options, name: str | None = None) -> Dataset:
        """This dataset with ``options`` set for the whole pipeline."""
        return _stage_named("OptionsDataset")(self, options)

    # --- Keras ---------------------------------------------------------------------------------
    def _as_batch_source(self):
        """What ``Model.fit`` iterates: one pass per epoch; sized when the length is known."""
        n = self._cardinality()
        return _SizedBatchSource(self, n) if n >= 0 else _BatchSource(self)

    def __repr__(self) -> str:
        try:
            spec = self.element_spec
        except Exception:  # noqa: BLE001 - repr must not fail
            spec = "?"
        return f"<{type(self).__name__} element_spec={spec}>"


class DatasetIterator:
    """An iterator over a dataset's elements (``iter(dataset)``).

    It can be saved in a ``fluxion.train.Checkpoint`` (``Checkpoint(iterator=it)``, as in
    TF): the checkpoint holds how many elements it has given and the pipeline's
    reshuffling counters when it began; restoring starts the pipeline again from those
    counters and fast-forwards past the elements already given, which reproduces the
    iterator exactly for a deterministic pipeline (seeded shuffles, ordered maps).
    """

    __slots__ = ("_dataset", "_it", "_given", "_counters")

    def __init__(self, dataset: Dataset):
        self._dataset = dataset
        self._counters = dataset._iteration_counters()  # before this pass draws its seeds
        self._it = dataset._iterator()
        self._given = 0

    def __iter__(self) -> DatasetIterator:
        return self

    def __next__(self):
        element = next(self._it)
        self._given += 1
        return element

    def get_next_as_optional(self):
        """The next element as a ``tf.experimental.Optional`` (empty at the end)."""
        from fluxion.data.optional import get_next_as_optional

        return get_next_as_optional(self)

    def get_next(self):
        """The next element; ``OutOfRangeError`` at the end (TF's iterator protocol)."""
        try:
            return self.__next__()
        except StopIteration:
            raise errors.OutOfRangeError("End of sequence") from None

    @property
    def element_spec(self):
        return self._dataset.element_spec

    # --- checkpointing --------------------------------------------------------------------
    def _serialize_to_tensors(self) -> dict:
        import numpy as np

        return {"given": np.int64(self._given),
                "counters": np.asarray(self._counters, dtype=np.int64)}

    def _restore_from_tensors(self, values: dict) -> None:
        import numpy as np

        given = int(np.asarray(values["given"]))
        counters = [int(c) for c in np.asarray(values["counters"]).reshape(-1)]
        self._dataset._set_iteration_counters(counters)
        self._counters = counters
        self._it = self._dataset._iterator()
        for skipped in range(given):
            try:
                next(self._it)
            except StopIteration:
                raise errors.DataLossError(
                    f"The checkpointed iterator had given {given} elements, but this "
                    f"pipeline has only {skipped}: it is not the same pipeline.") from None
        self._given = given


class SpecOnlyDataset(Dataset):
    """Stands for a dataset-valued input while a function is traced for its output spec."""

    def __init__(self, element_spec):
        super().__init__()
        self._spec = element_spec

    def _iterator(self):
        raise TypeError("not iterable while tracing")


class _BatchSource:
    def __init__(self, dataset: Dataset):
        self.dataset = dataset

    def __iter__(self):
        return self.dataset._iterator()


class _SizedBatchSource(_BatchSource):
    def __init__(self, dataset: Dataset, length: int):
        super().__init__(dataset)
        self.length = length

    def __len__(self) -> int:
        return self.length
