"""``map(..., num_parallel_calls=n)``: the function runs in a pool of worker threads.

The consumer pulls input elements itself (input iterators are not thread-safe), hands
them to the pool in chunks, and returns results in input order; with
``deterministic=False`` it returns whichever chunk finishes first.  Chunks amortise the
pool's per-task cost: a chunk is sized so that one task takes about a millisecond,
so a cheap function is not drowned in scheduling while an expensive one (image
decoding, NumPy work that releases the GIL) still spreads over all workers.

An error in the function is returned in the failing element's place, so the iterator
stays usable after it (``ignore_errors`` downstream skips just that element).
"""

from __future__ import annotations

import collections
import concurrent.futures
import itertools
import time

from fluxion.data import workers
from fluxion.data.user_functions import call

_TARGET_TASK_SECONDS = 1e-3
_MAX_CHUNK = 64


class _Failure:
    __slots__ = ("error",)

    def __init__(self, error: BaseException):
        self.error = error


def _run_chunk(func, chunk: list):
    workers.mark_worker()
    start = time.perf_counter()
    results = []
    for element in chunk:
        try:
            results.append(call(func, element))
        except Exception as error:  # noqa: BLE001 - delivered in the element's place
            results.append(_Failure(error))
    return results, time.perf_counter() - start


class ParallelMapIterator:
    def __init__(self, source, func, num_workers: int, deterministic: bool):
        self._source = source
        self._func = func
        self._pool = concurrent.futures.ThreadPoolExecutor(
            num_workers, thread_name_prefix="fluxion-data-map")
        self._max_pending = 2 * num_workers
        self._deterministic = deterministic
        self._pending: collections.deque = collections.deque()
        self._ready: collections.deque = collections.deque()
        self._chunk = 1
        self._exhausted = False

    def __iter__(self):
        return self

    def _fill(self) -> None:
        while not self._exhausted and len(self._pending) < self._max_pending:
            chunk = list(itertools.islice(self._source, self._chunk))
            if len(chunk) < self._chunk:
                self._exhausted = True
            if chunk:
                self._pending.append(self._pool.submit(_run_chunk, self._func, chunk))

    def _take_finished(self):
        if self._deterministic:
            return self._pending.popleft()
        done, _ = concurrent.futures.wait(self._pending,
                                          return_when=concurrent.futures.FIRST_COMPLETED)
        future = next(iter(done))
        self._pending.remove(future)
        return future

    def __next__(self):
        while not self._ready:
            self._fill()
            if not self._pending:
                self.close()
                raise StopIteration
            with workers.consumer_waiting():
                results, seconds = self._take_finished().result()
            self._ready.extend(results)
            per_element = seconds / max(len(results), 1)
            self._chunk = max(1, min(_MAX_CHUNK, int(_TARGET_TASK_SECONDS / max(per_element,
                                                                                   1e-7))))
        result = self._ready.popleft()
        if type(result) is _Failure:
            raise result.error
        return result

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __del__(self):
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
