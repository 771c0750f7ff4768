"""``tf.train.Coordinator``: lets a group of threads stop together.

Threads loop ``while not coord.should_stop(): ...``; any of them (or the main thread)
calls ``request_stop()`` - with the exception that made it stop, if any - and ``join``
waits for all of them, then re-raises that exception in the caller.  Threads that are
still running ``stop_grace_period_secs`` after the stop request make ``join`` raise.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time


class Coordinator:
    """A coordinator of threads (``tf.train.Coordinator``).

    Args:
      clean_stop_exception_types: exception types that stop the threads without being
        re-raised by ``join`` (by default ``OutOfRangeError``, the end of the input).

    >>> coord = Coordinator()
    >>> workers = [threading.Thread(target=work, args=(coord,)) for _ in range(4)]
    >>> for w in workers: w.start()
    >>> coord.join(workers)
    """

    def __init__(self, clean_stop_exception_types=None):
        if clean_stop_exception_types is None:
            from fluxion.core.errors import OutOfRangeError

            clean_stop_exception_types = (OutOfRangeError,)
        self._clean_stop_exception_types = tuple(clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info_to_raise = None
        self._joined = False
        self._registered_threads: set = set()

    def _filter_exception(self, exc_info):
        """None for a clean-stop exception, else the exc_info to re-raise."""
        error = exc_info[1]
        if isinstance(error, self._clean_stop_exception_types):
            return None
        return exc_info

    def request_stop(self, ex=None) -> None:
        """Asks every thread to stop; ``ex`` (an exception or exc_info) is raised by ``join``.

        The first exception reported wins; later ones are ignored.
        """
        with self._lock:
            if ex is not None and self._exc_info_to_raise is None and not self._joined:
                if isinstance(ex, tuple):
                    exc_info = self._filter_exception(ex)
                else:
                    if not isinstance(ex, BaseException):
                        raise TypeError(f"request_stop: ex must be an exception or exc_info, "
                                        f"got {type(ex).__name__}")
                    exc_info = self._filter_exception((type(ex), ex, ex.__traceback__))
                self._exc_info_to_raise = exc_info
            self._stop_event.set()

    def clear_stop(self) -> None:
        """Clears the stop request and any recorded exception, so the threads may run again."""
        with self._lock:
            self._joined = False
            self._exc_info_to_raise = None
            self._stop_event.clear()

    def should_stop(self) -> bool:
        """Whether a stop has been requested."""
        return self._stop_event.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self):
        """A block that, when it raises, requests a stop with that exception (not re-raised)."""
        try:
            yield
        except BaseException:  # noqa: BLE001 - reported to the coordinator, as TF does
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout=None) -> bool:
        """Waits until a stop is requested (or ``timeout`` seconds); whether it was."""
        return self._stop_event.wait(timeout)

    def register_thread(self, thread) -> None:
        """Adds ``thread`` to those ``join`` waits for."""
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs: float = 120,
             ignore_live_threads: bool = False) -> None:
        """Waits for the threads (and the registered ones) to finish after a stop request.

        Raises the exception given to ``request_stop``, if any; raises RuntimeError when
        threads are still alive ``stop_grace_period_secs`` after the stop was requested
        (unless ``ignore_live_threads``).
        """
        with self._lock:
            threads = set(threads or ()) | self._registered_threads
        threads = list(threads)
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(0.1):
            pass
        deadline = time.monotonic() + stop_grace_period_secs
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            self._joined = True
            self._registered_threads = set()
            exc_info = self._exc_info_to_raise
        if exc_info:
            raise exc_info[1].with_traceback(exc_info[2])
        stragglers = [t.name for t in threads if t.is_alive()]
        if stragglers and not ignore_live_threads:
            raise RuntimeError(f"Coordinator stopped with threads still running: "
                               f"{' '.join(stragglers)}")

    @property
    def joined(self) -> bool:
        """Whether ``join`` has returned since the last ``clear_stop``."""
        return self._joined

    def raise_requested_exception(self) -> None:
        """Raises the exception given to ``request_stop``, if any."""
        with self._lock:
            exc_info = self._exc_info_to_raise
        if exc_info:
            raise exc_info[1].with_traceback(exc_info[2])
