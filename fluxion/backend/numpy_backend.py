"""The default backend: NumPy arrays on the host CPU."""

from __future__ import annotations

import numpy

name = "numpy"
xp = numpy


def kernel_for(name: str, numpy_kernel):
    """No overrides: every primitive runs its own NumPy kernel."""
    return None


def parallel_pools() -> tuple[str, ...]:
    """The native thread pools (threadpoolctl's ``user_api`` names) this backend's heavy
    kernels run on: NumPy's products run in its BLAS library."""
    return ("blas",)


def devices() -> list[tuple[str, str]]:
    """The devices of this backend as (device_type, name) pairs."""
    return [("CPU", "/physical_device:CPU:0")]


def asarray(value, dtype=None):
    return numpy.asarray(value, dtype=dtype)


_allocator_tuned = False


def tune_allocator() -> None:
    """Keeps freed memory in the process for reuse (glibc only; once; opt out with
    ``FLUXION_TUNE_MALLOC=0``).

    Training allocates and frees the same large arrays every step.  By default glibc
    serves arrays above its mmap threshold with fresh pages from the kernel and returns
    them on free, so every step pays thousands of page faults (measured: a convnet step
    ran 1.37x faster with this setting).  Raising the mmap and trim thresholds makes
    freed blocks reusable instead.  Called when the first compiled graph is specialised.
    """
    global _allocator_tuned
    if _allocator_tuned:
        return
    _allocator_tuned = True
    import os
    import sys

    if sys.platform != "linux" or os.environ.get("FLUXION_TUNE_MALLOC", "1") == "0":
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, 32 * 1024 * 1024)
        libc.mallopt(m_trim_threshold, 1024 * 1024 * 1024)
    except (OSError, AttributeError):  # not glibc (e.g. musl): leave the allocator alone
        pass
