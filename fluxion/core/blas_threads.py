"""Fluxion's thread settings and the native thread pools they drive (BLAS, OpenMP).

NumPy's products run in a native library (OpenBLAS, MKL, BLIS...) with its own thread
pool, sized by default to every CPU of the machine.  Those pools split each product
statically between their threads and spin while they wait: on a machine where other
programs also run, one descheduled thread stalls the whole product, and a training step
of many small products collapses (measured on a busy 2-core machine: 1.7k samples/s
for an MLP with the default pool against 14.7k with one thread).  So Fluxion owns the
pools' sizes, at run time, through ``threadpoolctl`` (which works whether NumPy was
imported before Fluxion or not):

- ``intra_op`` threads (``fluxion.config.threading``, or ``FLUXION_NUM_THREADS``):
  ``0`` (the default, as in TensorFlow) lets Fluxion choose; ``n > 0`` fixes the pools
  the active backend computes with at ``n`` threads (NumPy's BLAS; oneDNN's OpenMP pool,
  which also takes the float32 products there) and keeps any other at one
  (``set_parallel``: two pools busy at once fight for the CPUs).
- Fluxion's choice: the pools stay at one thread, so eager code and small products never
  wait on a descheduled thread; a compiled function (a training step) may run with one
  thread per usable CPU, but only where it measured faster so (see ``thread_choice``).
  A user's ``OMP_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS`` / ``MKL_NUM_THREADS`` is
  respected: with one of them set and no Fluxion setting, the pools are left alone.
- ``inter_op`` threads: how many independent pieces of work Fluxion runs side by side;
  today the input pipeline's ``AUTOTUNE`` parallelism (``0``: one per usable CPU).

The environment (``FLUXION_NUM_THREADS``, ``OMP_NUM_THREADS``...) and the usable CPU
count are read when the settings are applied; ``get_intra_op_parallelism_threads``
reads ``FLUXION_NUM_THREADS`` afresh.  Settings apply at the first kernel run (eager or
compiled) or ``fluxion.config.threading.set_*`` call, whichever comes first, and at every
change after that: scanning the loaded libraries takes ~10 ms, too much for
``import fluxion``.
"""

from __future__ import annotations

import os
import threading
import warnings

import numpy as np

from fluxion import backend
from fluxion.core.usable_cpus import usable_cpu_count

ENV_VAR = "FLUXION_NUM_THREADS"
NATIVE_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                   "BLIS_NUM_THREADS")

_intra_op: int | None = None  # None: not set by the user (FLUXION_NUM_THREADS, else 0)
_inter_op = 0
_controllers: list | None = None  # threadpoolctl's controllers of the loaded libraries
_applied = False
_lock = threading.Lock()
_warned_missing = False
_first_run_hooks: list = []  # (primitive, its kernel, the wrapper standing in for it)
# What the last apply_settings found, for thread_choice's per-call checks (reading the
# environment and the cgroup files on every call would cost more than the call).
choosing = False
threads_when_parallel = 1
# GNU libgomp keeps its thread pool's bookkeeping across fork() but not its threads: a
# child's first parallel region with more than one thread waits for threads that do not
# exist (a multiprocessing worker forked after training hung in its first Dense layer).
# So in a child forked while an OpenMP runtime was loaded, OpenMP stays at one thread.
_openmp_single_after_fork = False


def intra_op_setting() -> int:
    """The intra-op setting: the user's, else ``FLUXION_NUM_THREADS``, else 0 (choose)."""
    if _intra_op is not None:
        return _intra_op
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return 0
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{ENV_VAR} must be a non-negative integer (0: Fluxion chooses), "
                         f"got {text!r}.") from None
    if value < 0:
        raise ValueError(f"{ENV_VAR} must be a non-negative integer (0: Fluxion chooses), "
                         f"got {value}.")
    return value


def set_intra_op(count: int) -> None:
    global _intra_op
    _intra_op = _checked_count(count, "set_intra_op_parallelism_threads")
    apply_settings()


def inter_op_setting() -> int:
    return _inter_op


def set_inter_op(count: int) -> None:
    global _inter_op
    _inter_op = _checked_count(count, "set_inter_op_parallelism_threads")


def inter_op_threads() -> int:
    """Threads for independent work run side by side (0 or unset: one per usable CPU)."""
    return _inter_op if _inter_op > 0 else usable_cpu_count()


def parallel_threads() -> int:
    """Threads a native pool gets where Fluxion runs a computation in parallel."""
    if _openmp_single_after_fork and "openmp" in backend.parallel_pools():
        return 1
    setting = intra_op_setting()
    return setting if setting > 0 else usable_cpu_count()


def chooses_threads() -> bool:
    """True when Fluxion picks the pools' sizes itself (no user setting of any kind)."""
    if intra_op_setting() > 0:
        return False
    return not any(os.environ.get(name) for name in NATIVE_ENV_VARS)


def _checked_count(count, where: str) -> int:
    if isinstance(count, np.integer):
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"{where}: expected an integer number of threads (0: Fluxion "
                        f"chooses), got {count!r} of type {type(count).__name__}.")
    if count < 0:
        raise ValueError(f"{where}: expected a non-negative number of threads (0: Fluxion "
                         f"chooses), got {count}.")
    return count


def apply_settings() -> None:
    """Sizes the native pools from the settings; rescans the loaded libraries first."""
    global _applied, choosing, threads_when_parallel
    with _lock:
        _applied = True
        _remove_first_run_hooks()
        _scan_libraries()
        choosing = chooses_threads()
        threads_when_parallel = parallel_threads()
        if intra_op_setting() > 0:
            set_parallel(intra_op_setting())
        elif choosing:
            set_pool_size(1)
        # else: the user sized the pools with OMP_NUM_THREADS & co; leave them.


def apply_settings_on_first_run(prim) -> None:
    """Until the settings are applied, makes ``prim``'s first run apply them.

    The wrapper replaces the primitive's ``impl`` until ``apply_settings`` runs, which
    puts every original back: after that, kernels run with no indirection at all.
    """
    if _applied:
        return
    original = prim.impl
    if isinstance(original, np.ufunc):
        # Elementwise ufuncs never reach BLAS, and graph passes recognise them by type
        # (fusion, in-place buffers): leave them unwrapped.
        return

    def first_run(*arrays, **attrs):
        ensure_applied()
        return original(*arrays, **attrs)

    _first_run_hooks.append((prim, original, first_run))
    prim.impl = first_run


def _remove_first_run_hooks() -> None:
    for prim, original, first_run in _first_run_hooks:
        if prim.impl is first_run:  # a backend switch may have rebound it already
            prim.impl = original
    _first_run_hooks.clear()


def ensure_applied() -> None:
    """Applies the settings once (cheap after the first call)."""
    if not _applied:
        apply_settings()


def rescan_libraries() -> None:
    """Call after loading a native library with its own pool (oneDNN, an OpenMP runtime),
    so that Fluxion's settings reach it too."""
    apply_settings()


def prepare_openmp_runtime() -> None:
    """Call before loading a native library that brings an OpenMP runtime (oneDNN's
    ``libgomp``): makes its idle threads sleep instead of spinning, unless the user chose.

    The runtime reads ``OMP_WAIT_POLICY`` once, when it loads.  Spinning threads burn the
    CPUs other programs (and Fluxion's own main thread) need; measured on the busy
    2-core machine with PyTorch's OpenMP pool, passive waiting trained an MLP at 10.6k
    samples/s against 82 (and a convnet at 514 against 58) beside two busy processes.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def set_pool_size(count: int) -> None:
    """Sets every known native pool to ``count`` threads (about a microsecond each)."""
    for controller in _controllers or ():
        _resize(controller, count)


def _resize(controller, count: int) -> None:
    if _openmp_single_after_fork and controller.user_api == "openmp":
        count = 1
    controller.set_num_threads(count)
    # threadpoolctl lets only the thread that first set an OpenBLAS pthreads pool's
    # size set it again; releasing that claim lets any thread apply the settings.
    release = getattr(controller, "clear_controlling_thread", None)
    if release is not None:
        release()


def _after_fork_in_child() -> None:
    global _openmp_single_after_fork, threads_when_parallel
    openmp = [c for c in _controllers or () if c.user_api == "openmp"]
    if not openmp:
        return
    _openmp_single_after_fork = True
    for controller in openmp:
        _resize(controller, 1)
    threads_when_parallel = parallel_threads()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def set_parallel(count: int) -> None:
    """Sets the pools the active backend computes with to ``count`` threads and every
    other pool to one.

    Two pools busy on the same CPUs fight for them: OpenBLAS's idle workers spin after
    each product while oneDNN's OpenMP threads want the same cores (measured on the
    2-core machine: mnist_convnet ``fit`` with both pools at two threads ran 5.3k
    samples/s and 360 us of CPU a sample; with OpenBLAS at one thread, 9.6k and 164 us;
    one thread everywhere 7.1k and 140 us).
    """
    pools = backend.parallel_pools()
    for controller in _controllers or ():
        _resize(controller, count if controller.user_api in pools else 1)


def parallel_pools_wait_passively() -> bool:
    """Whether the pools the active backend computes with sleep while idle: OpenMP's
    with a passive wait policy (Fluxion's default for the runtimes it loads), not
    OpenBLAS's, whose workers spin after each product."""
    pools = backend.parallel_pools()
    return "blas" not in pools and \
        os.environ.get("OMP_WAIT_POLICY", "").strip().upper() == "PASSIVE"


def pool_sizes() -> dict[str, int]:
    """``{library file: threads}`` of the pools Fluxion controls (for tests and reports)."""
    return {c.filepath: c.get_num_threads() for c in _controllers or ()}


def _scan_libraries() -> None:
    global _controllers, _warned_missing
    try:
        import threadpoolctl
    except ImportError:
        _controllers = []
        if not _warned_missing:
            _warned_missing = True
            warnings.warn("threadpoolctl is not installed, so Fluxion cannot size the BLAS "
                          "thread pool; training may slow down badly on a busy machine. "
                          "Install it with `pip install threadpoolctl`.", stacklevel=3)
        return
    _controllers = list(threadpoolctl.ThreadpoolController().lib_controllers)
