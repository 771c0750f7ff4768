"""MPI for ``fluxion.distribute``: the world communicator (``mpi4py``, the extra
``fluxion[mpi]``), and collectives that never hang silently.

Collectives use the buffer API (``Iallreduce``/``Ibcast``/``Iallgather`` on NumPy
arrays, 10x faster than pickling) and are polled with a deadline: a rank that died or
hangs makes the others raise ``UnavailableError`` naming the operation and the
timeout (``FLUXION_COLLECTIVE_TIMEOUT`` seconds, default 120), instead of waiting
forever.
"""

from __future__ import annotations

import os
import time

import numpy as np

from fluxion.core import errors

_YIELD_SECONDS = 0.001  # poll, yielding the CPU between polls, this long; then sleep.
_LONGEST_PAUSE = 2e-4  # the sleeps between later polls grow from 10 us to this.
# Polling without yielding was 5-20x slower than a blocking Allreduce on a shared 2-core
# machine (a 1 MB all-reduce: 5-23 ms against 1 ms): the spinning rank takes the core
# the other rank, or MPI's shared-memory copy, needs.  ``os.sched_yield`` between polls
# gives the core to whatever else is runnable on it and returns at once otherwise:
# polling a 1 MB all-reduce that way takes what a blocking ``Allreduce`` takes (0.22 ms,
# 2 ranks, quiet machine), where ``time.sleep(0)`` (a timed sleep, with the kernel's
# timer slack) took 0.49 ms.  A wait longer than a millisecond means another worker is
# behind (descheduled on a busy machine, a slower step): sleeping then leaves the core
# to the programs that need it, at the price of up to 0.2 ms of extra latency.
_INSTALL_HINT = "pip install 'fluxion-ml[mpi]' (mpi4py and an MPI such as mpich)"


def world():
    """The world communicator, or None when not started by ``mpiexec`` with mpi4py."""
    try:
        from mpi4py import MPI
    except ImportError:
        return None
    comm = MPI.COMM_WORLD
    if comm.Get_size() > 1:
        _abort_on_uncaught_errors(comm)
    return comm


_hook_installed = [False]


def _abort_on_uncaught_errors(comm) -> None:
    """An error that ends one worker ends them all: without this, the others would wait
    in their next collective, and ``MPI_Finalize`` at exit would wait for them."""
    import sys

    if _hook_installed[0]:
        return
    _hook_installed[0] = True
    previous = sys.excepthook

    def report_and_abort(kind, value, trace):
        # The error's own line first: mpiexec may cut what follows when the job aborts.
        sys.stderr.write(f"{kind.__name__}: {value}\n")
        previous(kind, value, trace)
        sys.stderr.flush()
        time.sleep(0.5)  # let mpiexec forward the report before the job is torn down
        comm.Abort(1)

    sys.excepthook = report_and_abort


def local_rank_count(comm) -> int:
    """How many ranks of ``comm`` run on this machine (they share its CPUs)."""
    for name in ("MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE"):  # MPICH, Open MPI
        text = os.environ.get(name, "")
        if text.isdigit() and int(text) > 0:
            return int(text)
    from mpi4py import MPI

    local = comm.Split_type(MPI.COMM_TYPE_SHARED)  # collective: every rank gets here
    try:
        return local.Get_size()
    finally:
        local.Free()


def share_cpus_between_local_ranks(comm) -> None:
    """Each rank takes its share of this machine's CPUs as its thread count.

    Only where the user left the choice to Fluxion (no ``FLUXION_NUM_THREADS``,
    ``OMP_NUM_THREADS`` or ``set_intra_op_parallelism_threads``): ranks that each sized
    their pools for the whole machine would oversubscribe it (``fluxion launch`` sets
    ``FLUXION_NUM_THREADS``; this covers a plain ``mpiexec``).
    """
    from fluxion.core import blas_threads
    from fluxion.core.usable_cpus import usable_cpu_count

    if not blas_threads.chooses_threads():
        return
    blas_threads.set_intra_op(max(1, usable_cpu_count() // local_rank_count(comm)))


def require_world():
    comm = world()
    if comm is None:
        raise ImportError(f"Multi-worker training needs mpi4py: {_INSTALL_HINT}")
    return comm


_timeout_option: list = [None]  # CommunicationOptions.timeout_seconds, when given


def set_timeout_option(seconds: float | None) -> None:
    """The strategy's ``communication_options.timeout_seconds`` (None: the default)."""
    _timeout_option[0] = seconds


def timeout_seconds() -> float:
    if _timeout_option[0] is not None:
        return float(_timeout_option[0])
    return float(os.environ.get("FLUXION_COLLECTIVE_TIMEOUT", "120"))


def _wait(request, what: str) -> None:
    start = time.monotonic()
    deadline = start + timeout_seconds()
    pause = 1e-5
    while not request.Test():
        now = time.monotonic()
        if now - start < _YIELD_SECONDS:
            _yield_cpu()  # the other workers are usually a step behind at most
            continue
        if now > deadline:
            # TF raises DeadlineExceededError for a timeout the user set in the options.
            kind = errors.UnavailableError if _timeout_option[0] is None \
                else errors.DeadlineExceededError
            raise kind(
                None, None,
                f"{what}: no answer from the other workers within {timeout_seconds():.0f} s "
                f"(a worker died or hangs). Stopping this worker; rerun with "
                f"BackupAndRestore to resume. (FLUXION_COLLECTIVE_TIMEOUT or "
                f"CommunicationOptions(timeout_seconds=...) sets the wait.)")
        time.sleep(pause)
        # Long waits (a checkpoint written by the chief, a dead worker) poll less often.
        pause = min(pause * 2, _LONGEST_PAUSE if now - start < 0.1 else 0.01)


_yield_cpu = getattr(os, "sched_yield", lambda: time.sleep(0))  # not on Windows


_OPS = ("sum", "mean", "max", "min")


def allreduce(array: np.ndarray, op: str = "sum") -> np.ndarray:
    """The elementwise sum (or mean, max, min) of ``array`` over all workers."""
    from mpi4py import MPI

    if op not in _OPS:
        raise ValueError(f"allreduce: op must be one of {', '.join(_OPS)}, got {op!r}")
    comm = require_world()
    send = np.ascontiguousarray(array)
    receive = np.empty_like(send)
    mpi_op = {"max": MPI.MAX, "min": MPI.MIN}.get(op, MPI.SUM)
    _wait(comm.Iallreduce(send, receive, op=mpi_op), "all-reduce")
    if op == "mean":
        if np.issubdtype(receive.dtype, np.inexact):
            np.divide(receive, comm.Get_size(), out=receive)  # in place: no second buffer
        else:
            receive = (receive / comm.Get_size()).astype(send.dtype)
    return receive


def start_allreduce(send: np.ndarray):
    """Begins summing ``send`` (contiguous, left untouched until finished) over all
    workers; returns the request and the buffers for ``finish_allreduce``."""
    from mpi4py import MPI

    comm = require_world()
    receive = np.empty_like(send)
    return comm.Iallreduce(send, receive, op=MPI.SUM), (send, receive)


def finish_allreduce(request, send: np.ndarray, receive: np.ndarray,
                     op: str = "sum") -> np.ndarray:
    """Waits (with the deadline) for a ``start_allreduce``; the sum or the mean."""
    del send  # kept alive by the caller until here: MPI reads it until the end
    _wait(request, "all-reduce")
    if op == "mean":
        np.divide(receive, require_world().Get_size(), out=receive)
    return receive


def broadcast(array: np.ndarray, root: int = 0) -> np.ndarray:
    comm = require_world()
    buffer = np.ascontiguousarray(array).copy()
    _wait(comm.Ibcast(buffer, root=root), "broadcast")
    return buffer


def allgather(array: np.ndarray) -> np.ndarray:
    """The arrays of all workers (same shape), stacked on a new first axis."""
    comm = require_world()
    send = np.ascontiguousarray(array)
    receive = np.empty((comm.Get_size(),) + send.shape, dtype=send.dtype)
    _wait(comm.Iallgather(send, receive), "all-gather")
    return receive
