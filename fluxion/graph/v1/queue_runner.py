"""``QueueRunner`` and ``start_queue_runners``: threads that keep queues filled.

A queue runner holds a queue and the enqueue ops that fill it; ``create_threads``
starts one thread per enqueue op, each running its op in the session until the
coordinator stops, the input ends (``OutOfRangeError``: the last thread to see it
closes the queue, so readers drain what is left and then get ``OutOfRangeError``
themselves) or the queue is closed.  Another thread waits for the coordinator's stop
and cancels the queue, waking enqueues blocked on a full queue.
"""

from __future__ import annotations

import threading

from fluxion.core import errors
from fluxion.graph.v1.graph import get_default_graph

QUEUE_RUNNERS = "queue_runners"


class QueueRunner:
    """Runs ``enqueue_ops`` of ``queue`` in threads (``tf.compat.v1.train.QueueRunner``)."""

    def __init__(self, queue=None, enqueue_ops=None, close_op=None, cancel_op=None,
                 queue_closed_exception_types=None, queue_runner_def=None, import_scope=None):
        if queue is None or not enqueue_ops:
            raise ValueError("QueueRunner needs a queue and at least one enqueue op")
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = close_op if close_op is not None else queue.close()
        self._cancel_op = cancel_op if cancel_op is not None else \
            queue.close(cancel_pending_enqueues=True)
        self._closed_types = tuple(queue_closed_exception_types or
                                   (errors.OutOfRangeError, errors.CancelledError))
        self._lock = threading.Lock()
        self._runs_per_session: dict = {}
        self._exceptions_raised: list = []

    queue = property(lambda self: self._queue)
    enqueue_ops = property(lambda self: list(self._enqueue_ops))
    close_op = property(lambda self: self._close_op)
    cancel_op = property(lambda self: self._cancel_op)
    exceptions_raised = property(lambda self: list(self._exceptions_raised))

    @property
    def name(self) -> str:
        return self._queue.name

    def _run(self, sess, enqueue_op, coord) -> None:
        decremented = False
        try:
            while not (coord is not None and coord.should_stop()):
                try:
                    sess.run(enqueue_op)
                except self._closed_types:
                    with self._lock:  # the last thread of this session closes the queue
                        self._runs_per_session[id(sess)] -= 1
                        decremented = True
                        if self._runs_per_session[id(sess)] == 0:
                            try:
                                sess.run(self._close_op)
                            except Exception:  # noqa: BLE001 - closing is best effort
                                pass
                    return
        except Exception as error:  # noqa: BLE001 - reported to the coordinator
            if coord is not None:
                coord.request_stop(error)
            else:
                with self._lock:
                    self._exceptions_raised.append(error)
                raise
        finally:
            if not decremented:
                with self._lock:
                    self._runs_per_session[id(sess)] -= 1

    def _close_on_stop(self, sess, coord) -> None:
        coord.wait_for_stop()
        try:
            sess.run(self._cancel_op)
        except Exception:  # noqa: BLE001 - the session may be closing too
            pass

    def create_threads(self, sess, coord=None, daemon=False, start=False) -> list:
        """Threads running the enqueue ops in ``sess`` (started if ``start``)."""
        with self._lock:
            if self._runs_per_session.get(id(sess), 0) > 0:
                return []  # already running in this session
            self._runs_per_session[id(sess)] = len(self._enqueue_ops)
            self._exceptions_raised = []
        threads = [threading.Thread(target=self._run, args=(sess, op, coord), daemon=daemon,
                                    name=f"QueueRunnerThread-{self.name}-{index}")
                   for index, op in enumerate(self._enqueue_ops)]
        if coord is not None:
            threads.append(threading.Thread(target=self._close_on_stop, args=(sess, coord),
                                            daemon=daemon))
        for thread in threads:
            if coord is not None:
                coord.register_thread(thread)
            if start:
                thread.start()
        return threads


def add_queue_runner(qr, collection: str = QUEUE_RUNNERS) -> None:
    """Adds ``qr`` to the graph's queue runners (``start_queue_runners`` starts them)."""
    get_default_graph().add_to_collection(collection, qr)


def start_queue_runners(sess=None, coord=None, daemon=True, start=True,
                        collection: str = QUEUE_RUNNERS) -> list:
    """Starts the threads of every queue runner of the graph; returns them."""
    from fluxion.graph.v1.session import get_default_session

    sess = sess if sess is not None else get_default_session()
    if sess is None:
        raise ValueError("Cannot start queue runners: No default session is registered. "
                         "Use `with sess.as_default()` or pass an explicit session to "
                         "tf.start_queue_runners(sess=sess)")
    threads = []
    for runner in sess.graph.get_collection(collection):
        threads.extend(runner.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads
