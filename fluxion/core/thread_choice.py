"""Per compiled graph, whether its calls run the native pools with one thread or many.

Measured on this project's 2-core machine (see ``benchmarks/contention.py``), a native
pool of one thread per CPU speeds large products up on an idle machine, and slows a
whole training step down 2-10x the moment other programs compete for the CPUs: the
pool splits each product evenly, so every product waits for its slowest thread, and a
thread that lost its CPU holds everyone for a scheduler time slice.  No static rule
(a FLOP threshold, a thread count) is right on both an idle and a busy machine, so
each compiled graph (per input shapes) measures instead:

1. its first calls run serially (pools at one thread), and are timed;
2. then a few calls run in parallel (pools at ``parallel_threads()``);
3. parallel is kept only if its median time beats the serial median by ``MARGIN``
   (medians, not best times: on a shared machine the parallel mode's times scatter
   far more than the serial ones, as any of its threads may lose its CPU, and one
   lucky parallel call must not decide; see ``MARGIN`` for the figures);
4. while parallel, two calls in a row slower than ``SLOWDOWN`` x the parallel best
   (other programs started) switch back to serial at once;
5. the losing mode is tried again after ``BACKOFF_START`` seconds, doubling after each
   failed try up to ``BACKOFF_MAX``, so a steadily busy machine pays a few slow calls a
   minute at most;
6. a parallel try on a busy machine can be expensive, so before one the serial call is
   checked first: where the calling thread spent too much of it waiting for a CPU
   (Linux's per-thread ``schedstat``), the machine is oversubscribed already and the
   try is put off as if it had failed; so is a try while the one-minute load average
   says other programs hold the CPUs.  How much is too much depends on how the pools
   the backend computes with wait (``blas_threads.set_parallel``: only those grow):

   - OpenMP's pool (oneDNN's, which waits passively: ``OMP_WAIT_POLICY=PASSIVE``) loses
     little when a thread waits for a CPU, and two threads get a larger share of a
     contended machine than one: beside two busy processes on the 2-core machine, the
     MLP's ``fit`` ran 57.8k samples/s on two threads against 45k on one (mnist_convnet
     5.3k against 4.8k); beside six, two threads scattered from 0.5x to 1.1x one
     thread.  So tries stop only where each thread would get under half a CPU:
     ``PASSIVE_MAX_WAITING`` of a serial call spent waiting, or a load average of twice
     the threads;
   - OpenBLAS's pool spins, and a try there cost a parallel call measured 35x slower
     than a serial one at load 7-18 (the workers spin for up to ~0.1 s after it): tries
     stop at ``MAX_WAITING`` and at a load average of the threads parallel would use
     (at load 7-18, 14 interleaved ``contention.py`` comparisons of the choice without
     this rule against one fixed thread came out at 0.97x one thread in the geometric
     mean and spent 5-16% more CPU a sample; on an idle machine the choice measured
     1.01-1.06x one thread).

Graphs whose first serial calls take under ``MIN_SECONDS`` have nothing to gain and
stay serial without further timing.  Only calls on the main thread adapt (the pools are
process-wide; two threads must not resize them against each other); nested calls run
in their caller's mode.  The pools are back at one thread between calls, so eager
code never runs parallel.
"""

from __future__ import annotations

import os
import statistics
import threading
import time

from fluxion.core import blas_threads

MIN_SECONDS = 1e-3
# Parallel must take at most this fraction of the serial time, medians of SAMPLES calls.
# (0.85 until OpenBLAS stayed out of oneDNN's parallel calls: the MLP's step on two
# OpenMP threads takes 0.87x its serial time on the idle 2-core machine.)
# Medians because on a shared machine the parallel times scatter: the MLP 784-256-256-10
# training step (batch 128), modes alternating call by call, 150 calls each, this
# project's 2-core machine at load average 11 (other programs): one thread min 2.12 /
# median 4.03 / p90 30 ms; two threads min 1.93 / median 141 / p90 411 ms.  The best
# of a few parallel calls can beat the serial best while the typical one is 35x slower.
MARGIN = 0.9
SLOWDOWN = 2.0
SAMPLES = 3  # timed calls per mode before comparing
# A call at least this long is timed well by one sample per mode, and a serial one can
# check the machine for the next parallel try as it runs: a compiled ResNet50 predict
# at batch 32 (1.5 s serial, 0.84 s on two threads, quiet 2-core machine) otherwise ran
# five serial calls, 7 s, before its first parallel try.
LONG_CALL = 0.05
BACKOFF_START = 2.0
BACKOFF_MAX = 64.0
MAX_WAITING = 0.1  # share of a serial call spent waiting for a CPU that rules a try out
PASSIVE_MAX_WAITING = 0.5  # the same where the parallel pools wait passively (OpenMP)
_SCHEDSTAT = "/proc/thread-self/schedstat"

_main_thread = threading.main_thread()
_depth = 0  # > 0 while a timed call runs: nested graphs run in the caller's mode


class ThreadChoice:
    """The serial/parallel decision of one compiled graph specialisation."""

    __slots__ = ("settled", "parallel", "serial_times", "parallel_times", "slow_calls",
                 "next_try", "backoff", "calls", "cleared")

    def __init__(self):
        self.settled = False  # True: always serial, untimed (fast graph)
        self.parallel = False
        self.serial_times: list[float] = []
        self.parallel_times: list[float] = []
        self.slow_calls = 0
        self.next_try = 0.0
        self.backoff = BACKOFF_START
        self.calls = 0
        self.cleared = False  # the machine looked free just before a parallel try

    def run(self, runner, arrays):
        """Runs ``runner(*arrays)`` in the chosen mode, timing it to refine the choice."""
        global _depth
        if (self.settled or _depth or not blas_threads.choosing
                or threading.current_thread() is not _main_thread):
            return runner(*arrays)
        threads = blas_threads.threads_when_parallel
        if threads < 2:
            return runner(*arrays)
        self.calls += 1
        if self.calls == 1:  # the first call allocates and warms caches: not timed
            return runner(*arrays)
        now = time.perf_counter()
        parallel = self._next_mode(now)
        check = parallel and not self.parallel and not self.cleared
        # a long serial call checks the machine as it runs, clearing the next try early
        early = not check and not parallel and not self.parallel and self._long()
        if check:  # a parallel try is due: first see whether a serial call waits for CPUs
            parallel = False
        if check or early:
            waited = _waiting_ns()
        if parallel:
            blas_threads.set_parallel(threads)
        _depth += 1
        try:
            outputs = runner(*arrays)
        finally:
            _depth -= 1
            if parallel:
                blas_threads.set_pool_size(1)
        end = time.perf_counter()
        if check:
            self._check_for_try(waited, _waiting_ns(), end - now, end)
        elif early:
            self.cleared = self._machine_free(waited, _waiting_ns(), end - now)
        self._record(parallel, end - now, now)
        return outputs

    def _check_for_try(self, waited_before, waited_after, seconds: float, now: float) -> None:
        if self._machine_free(waited_before, waited_after, seconds):
            self.cleared = True
            return
        # other programs hold the CPUs: count it as a lost try
        self.backoff = min(self.backoff * 2, BACKOFF_MAX)
        self.next_try = now + self.backoff

    def _long(self) -> bool:
        return bool(self.serial_times) and min(self.serial_times) >= LONG_CALL

    def _samples(self) -> int:
        """Timed calls a mode needs before comparing: one for long calls."""
        return 1 if self._long() else SAMPLES

    @staticmethod
    def _machine_free(waited_before, waited_after, seconds: float) -> bool:
        """Whether a serial call just run shows CPUs free enough for a parallel try."""
        threads = blas_threads.threads_when_parallel
        passive = blas_threads.parallel_pools_wait_passively()
        if _load_average() >= (2 * threads if passive else threads):
            return False
        limit = PASSIVE_MAX_WAITING if passive else MAX_WAITING
        return (waited_before is None or waited_after is None  # no schedstat
                or (waited_after - waited_before) * 1e-9 <= limit * seconds)

    def _next_mode(self, now: float) -> bool:
        if len(self.serial_times) < self._samples() and not self.parallel:
            return False  # still measuring the serial baseline
        if now >= self.next_try:  # a try of the other mode is due
            return not self.parallel \
                if len(self._times(not self.parallel)) < self._samples() else self.parallel
        return self.parallel

    def _times(self, parallel: bool) -> list[float]:
        return self.parallel_times if parallel else self.serial_times

    def _record(self, parallel: bool, seconds: float, now: float) -> None:
        times = self._times(parallel)
        times.append(seconds)
        del times[:-SAMPLES]
        if not parallel and len(times) == SAMPLES and self.next_try == 0.0 \
                and min(times) < MIN_SECONDS:
            self.settled = True  # too quick for threads to pay off
            return
        if parallel != self.parallel:  # a try of the other mode
            current = self._times(self.parallel)
            # A try far slower than the current mode has lost already: stop it early.
            if len(times) >= self._samples() or (current and
                                         seconds > SLOWDOWN * statistics.median(current)):
                self._decide(now)
            return
        if parallel:
            if seconds > SLOWDOWN * min(times[:-1] or times):
                self.slow_calls += 1
                if self.slow_calls >= 2:  # contention started: back to serial now
                    self.parallel = False
                    self.slow_calls = 0
                    self.serial_times.clear()
                    self.parallel_times.clear()
                    self.next_try = now + self.backoff
            else:
                self.slow_calls = 0

    def _decide(self, now: float) -> None:
        """Both modes have fresh samples: keep the faster, try the other again later."""
        self.cleared = False
        faster = bool(self.parallel_times and self.serial_times) and \
            statistics.median(self.parallel_times) < \
            MARGIN * statistics.median(self.serial_times)
        if faster == self.parallel:  # the try lost: wait longer before the next one
            self.backoff = min(self.backoff * 2, BACKOFF_MAX)
        else:
            self.backoff = BACKOFF_START
        self.parallel = faster
        self.slow_calls = 0
        # The losing mode's samples are stale by the time of its next try.
        self._times(not faster).clear()
        self.next_try = now + self.backoff


def _load_average() -> float:
    """The machine's one-minute load average (0 where the system does not say)."""
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return 0.0


def _waiting_ns() -> int | None:
    """Nanoseconds the calling thread has spent runnable but waiting for a CPU."""
    try:
        with open(_SCHEDSTAT, "rb") as file:
            return int(file.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
