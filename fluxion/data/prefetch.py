"""``prefetch``: a background thread runs the pipeline ahead of the consumer.

The producer thread pulls elements from the upstream iterator and puts them in a
bounded queue; the consumer takes them out.  NumPy releases the GIL in its kernels, so
a training step's matrix products overlap with the next batch being prepared.

The thread holds no reference to the consumer's iterator object: when the consumer
drops the iterator (``break`` out of a loop), its finaliser tells the producer to stop,
and the producer, blocked at most ``_POLL`` seconds on a full queue, exits.
Exceptions raised upstream are handed over in the queue and re-raised in the consumer,
at the position where they happened.
"""

from __future__ import annotations

import queue
import threading

from fluxion.data import workers
from fluxion.data.dataset import Dataset

AUTOTUNE = -1
_POLL = 0.1
_END = object()


class _Raised:
    __slots__ = ("error",)

    def __init__(self, error: BaseException):
        self.error = error


def _produce(source, buffer: queue.Queue, stop: threading.Event) -> None:
    workers.mark_worker()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    while not stop.is_set():
        try:
            element = next(source)
        except StopIteration:
            put(_END)
            return
        except BaseException as error:  # noqa: BLE001 - re-raised in the consumer
            if not put(_Raised(error)):
                return
            continue
        if not put(element):
            return


class PrefetchIterator:
    def __init__(self, source, size: int):
        self._queue: queue.Queue = queue.Queue(maxsize=size)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=_produce, args=(source, self._queue, self._stop),
                                        name="fluxion-data-prefetch", daemon=True)
        self._thread.start()

    def __iter__(self):
        return self

    def __next__(self):
        if self._done:
            raise StopIteration
        try:
            item = self._queue.get_nowait()
        except queue.Empty:
            with workers.consumer_waiting():
                item = self._queue.get()
        if item is _END:
            self._done = True
            raise StopIteration
        if type(item) is _Raised:
            if isinstance(item.error, GeneratorExit):
                self._done = True
            raise item.error
        return item

    def close(self) -> None:
        self._stop.set()

    def __del__(self):
        stop = getattr(self, "_stop", None)
        if stop is not None:
            stop.set()


class PrefetchDataset(Dataset):
    def __init__(self, dataset: Dataset, buffer_size):
        super().__init__((dataset,))
        size = int(getattr(buffer_size, "_value", buffer_size))
        if size < -1:
            raise ValueError(f"prefetch: buffer_size must be non-negative or AUTOTUNE (-1), "
                             f"got {size}.")
        self._size = size

    def _iterator(self):
        source = self._inputs[0]._iterator()
        if self._size == 0:
            return source
        return PrefetchIterator(source, 2 if self._size == AUTOTUNE else self._size)

    def _cardinality(self) -> int:
        return self._inputs[0]._cardinality()

    def _compute_element_spec(self):
        return self._inputs[0].element_spec
