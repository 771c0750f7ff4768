"""``Coordinator``: stops a set of threads together (``tf.train.Coordinator``), and
``LooperThread``, a thread that runs a function on a timer until told to stop.

Threads poll ``should_stop()``; any of them (or the main thread) calls
``request_stop(error)``; ``join`` waits for them and re-raises the first error
reported, so a failure in a queue runner thread surfaces in the training loop.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time

from fluxion.core import errors


class Coordinator:
    """Coordinates the stopping of threads.

    Args:
      clean_stop_exception_types: errors that stop the threads without being
        re-raised by ``join`` (default: ``OutOfRangeError``, the end of input).

    >>> coord = Coordinator()
    >>> coord.request_stop()
    >>> coord.should_stop()
    True
    """

    def __init__(self, clean_stop_exception_types=None):
        if clean_stop_exception_types is None:
            clean_stop_exception_types = (errors.OutOfRangeError,)
        self._clean_stop_exception_types = tuple(clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info = None
        self._joined = False
        self._registered_threads: set = set()

    def should_stop(self) -> bool:
        return self._stop_event.is_set()

    def request_stop(self, ex=None) -> None:
        """Asks every thread to stop; ``ex`` (an exception or ``sys.exc_info()``) is kept
        for ``join`` to re-raise, unless it is a clean stop."""
        with self._lock:
            if ex is not None and self._exc_info is None and not self._joined:
                exc_info = ex if isinstance(ex, tuple) else (type(ex), ex, ex.__traceback__)
                if not issubclass(exc_info[0], self._clean_stop_exception_types):
                    self._exc_info = exc_info
            self._stop_event.set()

    def clear_stop(self) -> None:
        """Forgets the stop request and its error (to start threads again)."""
        with self._lock:
            self._joined = False
            self._exc_info = None
            self._stop_event.clear()

    @contextlib.contextmanager
    def stop_on_exception(self):
        """A block whose error (any but a clean stop) requests a stop with that error."""
        try:
            yield
        except Exception:  # noqa: BLE001 - every error stops the threads
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout=None) -> bool:
        """Waits until a stop is requested (or ``timeout`` seconds); whether it was."""
        return self._stop_event.wait(timeout)

    def register_thread(self, thread) -> None:
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False):
        """Waits for ``threads`` (and registered ones) once a stop is requested; raises
        the error a thread reported, or ``RuntimeError`` if some are still running
        ``stop_grace_period_secs`` after the request."""
        with self._lock:
            threads = set(threads or ()) | self._registered_threads
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(0.05):
            pass
        deadline = time.monotonic() + stop_grace_period_secs
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            self._joined = True
            self._registered_threads = set()
            if self._exc_info:
                _kind, error, traceback = self._exc_info
                raise error.with_traceback(traceback)
        stragglers = [t.name for t in threads if t.is_alive()]
        if stragglers and not ignore_live_threads:
            raise RuntimeError(f"Coordinator stopped with threads still running: "
                               f"{' '.join(stragglers)}")

    @property
    def joined(self) -> bool:
        return self._joined

    def raise_requested_exception(self) -> None:
        """Raises the error passed to ``request_stop``, if any."""
        with self._lock:
            if self._exc_info:
                raise self._exc_info[1].with_traceback(self._exc_info[2])

    def loop(self, timer_interval_secs, target, args=None, kwargs=None):
        """Starts a ``LooperThread`` calling ``target`` every ``timer_interval_secs``."""
        looper = LooperThread(self, timer_interval_secs, target, args, kwargs)
        looper.start()
        return looper


class LooperThread(threading.Thread):
    """A daemon thread calling ``target(*args, **kwargs)`` (or ``run_loop``) every
    ``timer_interval_secs`` seconds (back to back if None) until the coordinator stops;
    an error in it requests the stop."""

    def __init__(self, coord, timer_interval_secs, target=None, args=None, kwargs=None):
        if not isinstance(coord, Coordinator):
            raise ValueError(f"'coord' argument must be a Coordinator: {coord!r}")
        super().__init__()
        self.daemon = True
        self._coord = coord
        self._timer_interval_secs = timer_interval_secs
        self._target = target
        self._args = args or ()
        self._kwargs = kwargs or {}
        coord.register_thread(self)

    @staticmethod
    def loop(coord, timer_interval_secs, target, args=None, kwargs=None):
        looper = LooperThread(coord, timer_interval_secs, target, args, kwargs)
        looper.start()
        return looper

    def run(self) -> None:
        with self._coord.stop_on_exception():
            self.start_loop()
            if self._timer_interval_secs is None:
                while not self._coord.should_stop():
                    self.run_loop()
            else:
                next_time = time.monotonic()
                while not self._coord.wait_for_stop(max(0.0, next_time - time.monotonic())):
                    next_time += self._timer_interval_secs
                    self.run_loop()
            self.stop_loop()

    def start_loop(self) -> None:
        """Called once when the thread starts."""

    def stop_loop(self) -> None:
        """Called once when the thread stops."""

    def run_loop(self) -> None:
        """One iteration: calls ``target``."""
        if self._target:
            self._target(*self._args, **self._kwargs)
