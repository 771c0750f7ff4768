"""``keras.utils.PyDataset``: a dataset written in Python, one batch per index.

A subclass implements ``__len__`` (the number of batches, or a ``num_batches``
property that may return None for an endless dataset) and ``__getitem__(index)``
(one batch: ``(x,)``, ``(x, y)``, ``(x, y, sample_weight)`` or a dict), and may
override ``on_epoch_begin`` / ``on_epoch_end``.  ``iter_batches`` runs one pass,
loading up to ``max_queue_size`` batches ahead in ``workers`` threads (or processes
with ``use_multiprocessing=True``), and yields them in index order.
"""

from __future__ import annotations

import collections
import concurrent.futures
import itertools
import multiprocessing
import random
import warnings

import numpy as np


class PyDataset:
    """Base class for datasets written in Python code (Keras 3 API).

    Args:
        workers: number of workers loading batches in parallel; 1 loads them in order
            on the calling thread.
        use_multiprocessing: load with processes instead of threads (the dataset must
            then be picklable where the platform cannot fork).
        max_queue_size: most batches loaded ahead of the one being consumed.

    Example:
    >>> class Squares(PyDataset):
    ...     def __len__(self):
    ...         return 3
    ...     def __getitem__(self, index):
    ...         x = np.full((2, 1), index, "float32")
    ...         return x, x ** 2
    >>> [float(y[0, 0]) for _, y in Squares(workers=2).iter_batches()]
    [0.0, 1.0, 4.0]
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self) -> None:
        missing = False
        for attribute, default in (("_workers", 1), ("_use_multiprocessing", False),
                                   ("_max_queue_size", 10)):
            if not hasattr(self, attribute):
                setattr(self, attribute, default)
                missing = True
        if missing:
            warnings.warn("Your `PyDataset` class should call `super().__init__(**kwargs)` in "
                          "its constructor. `**kwargs` can include `workers`, "
                          "`use_multiprocessing`, `max_queue_size`. Do not pass these "
                          "arguments to `fit()`, as they will be ignored.", stacklevel=3)

    @property
    def workers(self) -> int:
        self._warn_if_super_not_called()
        return self._workers

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        self._warn_if_super_not_called()
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        self._warn_if_super_not_called()
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    def __getitem__(self, index: int):
        """The batch at position ``index``."""
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  f"`__getitem__(self, index)` returning one batch.")

    @property
    def num_batches(self) -> int | None:
        """Number of batches, or None for an endless dataset (defaults to ``len(self)``)."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError("You need to implement the `num_batches` property:\n\n"
                                  "@property\ndef num_batches(self):\n  return ...")

    def __iter__(self):
        try:
            count = self.num_batches
        except NotImplementedError:
            count = None
        indices = itertools.count() if count is None else range(count)
        for index in indices:
            yield self[index]

    def on_epoch_begin(self) -> None:
        """Called at the beginning of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""

    def iter_batches(self, shuffle: bool = False):
        """One pass over the batches, loaded ahead by the workers, in index order.

        Batches come out standardized: a list becomes a tuple and a bare array ``x``
        becomes ``(x,)``.  ``shuffle`` visits the indices of a finite dataset in a random
        order drawn from Python's ``random`` (seeded by ``keras.utils.set_random_seed``).
        The caller runs ``on_epoch_begin`` / ``on_epoch_end`` around each pass.
        """
        count = self.num_batches
        if count is None:
            indices = itertools.count()
        else:
            indices = list(range(count))
            if shuffle:
                random.shuffle(indices)
        workers, processes = self.workers, self.use_multiprocessing
        if workers > 1 or (workers > 0 and processes):
            return _prefetched(self, iter(indices), workers, processes,
                               max(1, self.max_queue_size))
        return (standardize_batch(self[index]) for index in indices)


def standardize_batch(batch):
    """A batch as ``fit`` expects it: a dict, or a tuple of 1 to 3 parts."""
    if isinstance(batch, dict):
        return batch
    if isinstance(batch, np.ndarray):
        batch = (batch,)
    if isinstance(batch, list):
        batch = tuple(batch)
    if not isinstance(batch, tuple) or len(batch) not in (1, 2, 3):
        raise ValueError("PyDataset.__getitem__() must return a tuple or a dict. If a tuple, "
                         "it must be ordered either (input,) or (inputs, targets) or (inputs, "
                         f"targets, sample_weights). Received: {str(batch)[:100]}... of type "
                         f"{type(batch)}")
    return batch


# Each worker process holds the dataset it loads from (set once, by the pool's initializer).
_worker_dataset = None


def _init_worker(dataset) -> None:
    global _worker_dataset
    _worker_dataset = dataset


def _load_in_worker(index: int):
    return _worker_dataset[index]


def _prefetched(dataset, indices, workers: int, processes: bool, queue_size: int):
    """Yields ``dataset[i]`` for ``i`` in ``indices``, keeping ``queue_size`` loads in flight."""
    if processes:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        executor = concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init_worker, initargs=(dataset,))
        load = _load_in_worker
    else:
        executor = concurrent.futures.ThreadPoolExecutor(workers,
                                                         thread_name_prefix="PyDataset")
        load = dataset.__getitem__
    pending: collections.deque = collections.deque()
    try:
        for index in itertools.islice(indices, queue_size):
            pending.append(executor.submit(load, index))
        while pending:
            batch = pending.popleft().result()
            for index in itertools.islice(indices, 1):
                pending.append(executor.submit(load, index))
            yield standardize_batch(batch)
    finally:
        # Also runs when the consumer stops early (generator closed): drop queued loads.
        for future in pending:
            future.cancel()
        executor.shutdown(wait=True)
