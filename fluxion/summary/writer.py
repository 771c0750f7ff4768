"""Summary writers: ``create_file_writer``, ``create_noop_writer`` and the default writer.

A file writer owns one event file (``events.out.tfevents.<time>.<host>.<pid>.<n>``),
in TensorFlow's own format (``fluxion.summary.event_file``): TFRecord framing with
masked CRC-32C, a ``file_version`` event first, events written in batches of at most
``max_queue`` (bounded memory).  Events reach the disk every ``flush_millis``, on
``flush()``, on ``close()`` and at interpreter exit; a killed process leaves every
flushed record readable.

As in TensorFlow, summary ops write to the *default* writer, set with
``writer.as_default(step=...)`` (a context manager) or ``writer.set_as_default()``,
and at the *default step* (``fluxion.summary.experimental.set_step``) unless given one.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import time
import warnings
import weakref

from fluxion.io import tensorboard_package

_state = threading.local()
_live_writers: weakref.WeakSet = weakref.WeakSet()
_process_default: list = []  # writer made default by set_as_default(), shared by threads
_process_step: list = [None]  # set_step() value, shared by threads as in TF


def _writer_stack() -> list:
    if not hasattr(_state, "writers"):
        _state.writers = []
    return _state.writers


class SummaryWriter:
    """Writes summaries to one event file; get one from ``create_file_writer``."""

    def __init__(self, logdir: str, max_queue: int = 10, flush_millis: int = 120_000,
                 filename_suffix: str = ".v2", name: str | None = None,
                 experimental_trackable: bool = False, experimental_mesh=None):
        del experimental_trackable, experimental_mesh  # accepted for compatibility
        logdir = os.fspath(logdir)
        if not isinstance(logdir, str) or not logdir:
            raise ValueError(f"create_file_writer expects a log directory path, got {logdir!r}")
        if max_queue is None or int(max_queue) < 1:
            raise ValueError(f"max_queue must be a positive int, got {max_queue!r}")
        self._logdir = logdir
        self._name = name
        self._max_queue = int(max_queue)
        self._flush_secs = max(float(flush_millis or 120_000) / 1000.0, 0.001)
        self._suffix = filename_suffix or ""
        self._writer = None  # the EventFileWriter, made on first use (as TF makes it lazily)
        self._lock = threading.Lock()
        self._closed = False
        self._failed_warning = False
        self._check_writable()
        _live_writers.add(self)

    # --- the event file ------------------------------------------------------------------------
    def _check_writable(self) -> None:
        try:
            os.makedirs(self._logdir, exist_ok=True)
        except OSError as error:
            raise PermissionError(
                f"create_file_writer: cannot create the log directory {self._logdir!r} "
                f"({error.strerror or error}); pass a directory you can write to.") from None
        if not os.access(self._logdir, os.W_OK | os.X_OK):
            raise PermissionError(
                f"create_file_writer: the log directory {self._logdir!r} is not writable; "
                f"pass a directory you can write to.")

    def _event_writer(self):
        with self._lock:
            if self._writer is None:
                if self._closed:
                    raise ValueError(f"The summary writer for {self._logdir!r} is closed")
                from fluxion.summary.event_file import EventFile

                event_pb2 = tensorboard_package.protos().event_pb2
                first = event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2",
                                        source_metadata=event_pb2.SourceMetadata(
                                            writer="fluxion.summary"))
                self._writer = EventFile(self._logdir, self._max_queue, self._flush_secs,
                                         self._suffix, first.SerializeToString())
            return self._writer

    @property
    def logdir(self) -> str:
        return self._logdir

    def add_event(self, event) -> None:
        """Queues one ``Event`` proto for writing.

        A failure of the disk (full, removed directory) is reported once as a warning:
        logging must never stop training.
        """
        if self._closed:
            return
        if not event.wall_time:
            event.wall_time = time.time()
        try:
            self._event_writer().add(event.SerializeToString())
        except (OSError, ValueError) as error:
            self._warn_failed(error)

    def add_summary(self, summary, step: int) -> None:
        event_pb2 = tensorboard_package.protos().event_pb2
        self.add_event(event_pb2.Event(summary=summary, step=int(step)))

    def _warn_failed(self, error: Exception) -> None:
        if not self._failed_warning:
            self._failed_warning = True
            warnings.warn(f"fluxion.summary: writing to {self._logdir!r} failed ({error}); "
                          f"further summaries to it may be lost.", RuntimeWarning, stacklevel=3)

    # --- TF's writer API -----------------------------------------------------------------------
    def init(self) -> None:
        """Creates the event file now (it is otherwise created at the first write)."""
        self._event_writer()

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Makes this the default writer (and ``step`` the default step) inside the block;
        flushes on leaving it, as TF does."""
        with self.default_without_flush(step):
            yield self
        self.flush()

    @contextlib.contextmanager
    def default_without_flush(self, step=None):
        """``as_default`` without the flush at the end: for per-batch logging, which must
        not wait for the disk (the writer thread flushes every ``flush_millis``)."""
        stack = _writer_stack()
        stack.append((self, step))
        try:
            yield self
        finally:
            stack.pop()

    def set_as_default(self, step=None) -> None:
        """Makes this the default writer for the rest of the program (all threads)."""
        _process_default[:] = [(self, step)]

    def flush(self) -> None:
        if self._writer is not None and not self._closed:
            try:
                self._writer.flush()
            except (OSError, ValueError) as error:
                self._warn_failed(error)

    def close(self) -> None:
        """Flushes and closes the event file; later summaries to this writer are ignored."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.close()
            except (OSError, ValueError) as error:
                self._warn_failed(error)

    def __repr__(self) -> str:
        return f"<SummaryWriter logdir={self._logdir!r}>"


class NoopSummaryWriter(SummaryWriter):
    """A writer that records nothing (``create_noop_writer``)."""

    def __init__(self):  # noqa: D107 - nothing to create
        self._logdir = ""
        self._closed = False

    def add_event(self, event) -> None:
        return None

    def init(self) -> None:
        return None

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def __repr__(self) -> str:
        return "<NoopSummaryWriter>"


def create_file_writer(logdir, max_queue: int | None = None, flush_millis: int | None = None,
                       filename_suffix: str | None = None, name: str | None = None,
                       experimental_trackable: bool = False,
                       experimental_mesh=None) -> SummaryWriter:
    """A summary writer for an event file in ``logdir`` (``tf.summary.create_file_writer``).

    Args:
      logdir: the directory of the event file (created if missing).
      max_queue: at most this many events wait in memory for the writer thread (10).
      flush_millis: the longest time, in ms, between flushes to disk (120,000).
      filename_suffix: appended to the event file's name (``.v2``, as TF 2 does).

    >>> import tempfile, fluxion as tf
    >>> writer = tf.summary.create_file_writer(tempfile.mkdtemp())
    >>> with writer.as_default(step=0):
    ...     _ = tf.summary.scalar("loss", 0.5)
    """
    return SummaryWriter(logdir, 10 if max_queue is None else max_queue,
                         120_000 if flush_millis is None else flush_millis,
                         ".v2" if filename_suffix is None else filename_suffix, name,
                         experimental_trackable, experimental_mesh)


def create_noop_writer() -> SummaryWriter:
    """A writer whose summaries go nowhere (``tf.summary.create_noop_writer``)."""
    return NoopSummaryWriter()


def default_writer_and_step():
    """The innermost default writer and the step given with it, or ``(None, None)``."""
    stack = _writer_stack()
    if stack:
        return stack[-1]
    if _process_default:
        return _process_default[0]
    return None, None


def flush(writer=None, name=None) -> None:
    """Flushes ``writer``, or the default writer (``tf.summary.flush``)."""
    del name
    if writer is None:
        writer = default_writer_and_step()[0]
    if writer is not None:
        writer.flush()


def _close_all_at_exit() -> None:
    for writer in list(_live_writers):
        writer.close()


atexit.register(_close_all_at_exit)
