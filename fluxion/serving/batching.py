"""Server-side batching: concurrent requests merged into one model call.

Requests for the same model version and signature, with inputs of the same shape apart
from the first (batch) dimension, join one open batch.  A batch is closed when it is
full (``max_batch_size`` rows), or handed to a batch thread once ``batch_timeout_micros``
have passed since its first request and a thread is free; while every thread is busy
the open batch keeps growing, so batches grow with the load.  A batch's inputs are
concatenated along the first dimension, run once, and the outputs split back by rows.
At most ``max_enqueued_batches`` closed batches wait; past that a request fails with
RESOURCE_EXHAUSTED (HTTP 429), as in TensorFlow Serving.
"""

from __future__ import annotations

import asyncio
import collections
import time

import numpy as np

from fluxion.serving.errors import ServingError, invalid_argument


class _Task:
    __slots__ = ("inputs", "size", "future")

    def __init__(self, inputs: dict, size: int, future):
        self.inputs, self.size, self.future = inputs, size, future


class _Queue:
    """The batches of one (servable, signature, per-row input shapes)."""

    __slots__ = ("key", "servable", "signature", "open", "open_size", "open_since", "closed")

    def __init__(self, key, servable, signature):
        self.key, self.servable, self.signature = key, servable, signature
        self.open: list = []
        self.open_size = 0
        self.open_since = 0.0
        self.closed: collections.deque = collections.deque()


def batch_size_of(inputs: dict) -> int:
    """The shared first dimension of a request's inputs (checked as TF Serving does)."""
    sizes = set()
    for array in inputs.values():
        if array.ndim == 0:
            raise invalid_argument("Batching session Run() inputs must have at least one "
                                   "dimension")
        sizes.add(array.shape[0])
    if len(sizes) != 1:
        raise invalid_argument("Batching session Run() input tensors must have equal "
                               "0th-dimension size")
    return sizes.pop()


def run_batch(servable, signature, tasks: list, padded_size: int | None = None) -> list:
    """Runs the tasks' inputs as one call; a list of each task's outputs."""
    names = list(tasks[0].inputs)
    if len(tasks) == 1 and padded_size is None:
        merged = tasks[0].inputs
    else:
        merged = {name: np.concatenate([task.inputs[name] for task in tasks]) for name in names}
    total = sum(task.size for task in tasks)
    if padded_size is not None and padded_size > total:
        # Pad to an allowed batch size with copies of the first row (dropped afterwards).
        merged = {name: np.concatenate([array, np.repeat(array[:1], padded_size - total, 0)])
                  for name, array in merged.items()}
    outputs = servable.run(signature, merged)
    if len(tasks) == 1 and padded_size is None:
        return [outputs]
    for name, array in outputs.items():
        if array.ndim == 0 or array.shape[0] != (padded_size or total):
            raise ServingError("INTERNAL", f"Batched output tensor {name!r} has shape "
                               f"{list(array.shape)}; its 0th dimension does not equal the "
                               f"sum of the 0th dimension sizes of the input tensors "
                               f"({padded_size or total})")
    results, start = [], 0
    for task in tasks:
        results.append({name: array[start:start + task.size]
                        for name, array in outputs.items()})
        start += task.size
    return results


class BatchScheduler:
    """Merges concurrent ``run`` calls; runs batches on ``executor`` threads."""

    def __init__(self, options, executor, on_batch=None, timeout: float | None = None):
        self.options = options
        self._deadline = timeout  # seconds a request may wait for its batch's answer
        self._executor = executor
        self._on_batch = on_batch  # called with each batch's number of rows
        self._queues: dict = {}
        self._idle: collections.deque = collections.deque()
        self._workers: list = []
        self._timeout = options.batch_timeout_micros / 1e6

    def _ensure_workers(self) -> None:
        if not self._workers:
            loop = asyncio.get_running_loop()
            self._workers = [loop.create_task(self._worker())
                             for _ in range(self.options.num_batch_threads)]

    async def close(self) -> None:
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []

    async def run(self, servable, signature, inputs: dict) -> dict:
        """Runs ``signature`` on ``inputs`` as part of a batch; its own outputs."""
        self._ensure_workers()
        size = batch_size_of(inputs)
        limit = self.options.max_batch_size
        if size > limit:
            raise invalid_argument(f"Task size {size} is larger than maximum input batch size "
                                   f"{limit}")
        key = (id(servable), signature.name,
               tuple((name, array.shape[1:], array.dtype.str)
                     for name, array in sorted(inputs.items())))
        queue = self._queues.get(key)
        if queue is None or queue.servable is not servable:
            queue = self._queues[key] = _Queue(key, servable, signature)
        if queue.open and queue.open_size + size > limit:
            self._close_open(queue)
        if len(queue.closed) >= self.options.max_enqueued_batches:
            raise ServingError("RESOURCE_EXHAUSTED", "The batch scheduling queue to which this "
                               "task was submitted is full")
        future = asyncio.get_running_loop().create_future()
        if not queue.open:
            queue.open_since = time.monotonic()
        queue.open.append(_Task(inputs, size, future))
        queue.open_size += size
        if queue.open_size >= limit:
            self._close_open(queue)
        self._wake_one()
        if self._deadline is None:
            return await future
        return await asyncio.wait_for(future, self._deadline)

    @staticmethod
    def _close_open(queue: _Queue) -> None:
        queue.closed.append(queue.open)
        queue.open, queue.open_size = [], 0

    def _wake_one(self) -> None:
        while self._idle:
            waiter = self._idle.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _take(self):
        """The next batch to run (oldest full batch first), or the delay until one is due."""
        now = time.monotonic()
        oldest, due_in = None, None
        for queue in list(self._queues.values()):
            if queue.closed:
                return queue, queue.closed.popleft()
            if not queue.open:  # idle: forget it (and the servable it holds)
                del self._queues[queue.key]
                continue
            if queue.open:
                wait = queue.open_since + self._timeout - now
                if wait <= 0 and (oldest is None or queue.open_since < oldest.open_since):
                    oldest = queue
                elif wait > 0:
                    due_in = wait if due_in is None else min(due_in, wait)
        if oldest is not None:
            tasks = oldest.open
            oldest.open, oldest.open_size = [], 0
            return oldest, tasks
        return None, due_in

    def _padded_size(self, rows: int) -> int | None:
        for allowed in self.options.allowed_batch_sizes:
            if allowed >= rows:
                return allowed if allowed != rows else None
        return None

    async def _worker(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            queue, batch = self._take()
            if queue is None:
                waiter = loop.create_future()
                self._idle.append(waiter)
                timer = None
                if batch is not None:  # an open batch falls due after this delay
                    timer = loop.call_later(batch, lambda w=waiter: w.done() or w.set_result(None))
                await waiter
                if timer is not None:
                    timer.cancel()
                continue
            tasks = [task for task in batch if not task.future.done()]  # skip cancelled
            if not tasks:
                continue
            rows = sum(task.size for task in tasks)
            padded = self._padded_size(rows)
            try:
                if queue.signature.is_quick:  # cheaper than a hand-off to a batch thread
                    results = run_batch(queue.servable, queue.signature, tasks, padded)
                else:
                    results = await loop.run_in_executor(
                        self._executor, run_batch, queue.servable, queue.signature, tasks,
                        padded)
            except Exception as error:
                for task in tasks:
                    if not task.future.done():
                        task.future.set_exception(error)
            else:
                for task, result in zip(tasks, results):
                    if not task.future.done():
                        task.future.set_result(result)
            if self._on_batch is not None:
                self._on_batch(rows)
