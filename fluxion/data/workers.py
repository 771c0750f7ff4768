"""Background threads of input pipelines, and their one hazard: a graph trace elsewhere.

``prefetch`` and parallel ``map`` run user functions in worker threads.  Fluxion's
interpreter state (``fluxion.core.context``: the tracer and the recording tapes) is
process-wide, so while another thread traces a ``fluxion.function`` (Keras traces its
train step on the first batch), a worker's stateful ops (random draws, variable reads)
would be captured into that graph.  Workers therefore pause while a trace runs
(``wait_until_eager``), unless a pipeline consumer is itself blocked waiting for them
(it may be the tracing thread: then pausing would deadlock, and the tracer runs
concrete ops eagerly anyway).
"""

from __future__ import annotations

import contextlib
import threading
import time

from fluxion.core import context

_local = threading.local()
_lock = threading.Lock()
_consumers_waiting = 0


def mark_worker() -> None:
    """Marks the calling thread as a pipeline worker (call first thing in the thread)."""
    _local.worker = True


def wait_until_eager() -> None:
    """In a worker thread, waits until no other thread is tracing a graph."""
    if context.tracer is None or not getattr(_local, "worker", False):
        return
    while context.tracer is not None and _consumers_waiting == 0:
        time.sleep(0.0005)


@contextlib.contextmanager
def consumer_waiting():
    """Marks a pipeline consumer as blocked on workers, so workers never wait for it."""
    global _consumers_waiting
    with _lock:
        _consumers_waiting += 1
    try:
        yield
    finally:
        with _lock:
            _consumers_waiting -= 1


def worker_count(num_parallel_calls) -> int:
    """Threads for ``num_parallel_calls`` (AUTOTUNE: the inter-op setting, else one per
    CPU the process may use)."""
    from fluxion.core import blas_threads

    n = int(num_parallel_calls)
    if n == -1:
        return blas_threads.inter_op_threads()
    if n < 1:
        raise ValueError(f"num_parallel_calls must be a positive integer or AUTOTUNE (-1), "
                         f"got {n}.")
    return n
