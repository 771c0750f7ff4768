"""A checking backend: NumPy's kernels, each run recorded and its results checked.

It proves the seam (every kernel eager execution, the tape and compiled graphs run goes
through the active backend) and helps debugging: activate it, run a program, and read
which kernels ran, with their input shapes.

    import fluxion as tf
    from fluxion.backend import checking

    tf.config.set_backend("checking")
    with checking.recording() as runs:
        tf.nn.relu(tf.ones([2]))
    runs[0].name  # 'relu'

Each result is checked to be a NumPy array (or a tuple of them for a primitive with
several results) so that a kernel returning a Python scalar or a list is caught where
it happens.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from typing import NamedTuple

import numpy

from fluxion.backend import numpy_backend

name = "checking"
xp = numpy
devices = numpy_backend.devices
asarray = numpy_backend.asarray
tune_allocator = numpy_backend.tune_allocator
parallel_pools = numpy_backend.parallel_pools


class KernelRun(NamedTuple):
    """One kernel run: the primitive's name and its inputs' shapes."""

    name: str
    shapes: tuple


_recorders: list[list] = []
_lock = threading.Lock()


@contextlib.contextmanager
def recording():
    """Collects a ``KernelRun`` for every kernel run inside the block (all threads)."""
    runs: list[KernelRun] = []
    with _lock:
        _recorders.append(runs)
    try:
        yield runs
    finally:
        with _lock:
            _recorders.remove(runs)


class KernelResultError(TypeError):
    """A kernel returned something that is not an array."""


def kernel_for(primitive_name: str, numpy_kernel):
    """Every primitive's NumPy kernel, wrapped to record its runs and check its results."""
    @functools.wraps(numpy_kernel, assigned=("__doc__",))
    def checked(*arrays, **attrs):
        if _recorders:
            run = KernelRun(primitive_name, tuple(numpy.shape(a) for a in arrays))
            with _lock:
                for runs in _recorders:
                    runs.append(run)
        result = numpy_kernel(*arrays, **attrs)
        _check(primitive_name, result)
        return result

    checked.__name__ = f"checked_{primitive_name}"
    return checked


_ARRAY_TYPES = (numpy.ndarray, numpy.generic)


def _check(primitive_name: str, result) -> None:
    if isinstance(result, _ARRAY_TYPES):
        return
    if isinstance(result, tuple | list):
        bad = [type(r).__name__ for r in result if not isinstance(r, _ARRAY_TYPES)
               and r is not None]
        if not bad:
            return
        raise KernelResultError(f"the kernel of {primitive_name!r} returned {bad} among its "
                                f"results; expected NumPy arrays")
    raise KernelResultError(f"the kernel of {primitive_name!r} returned a "
                            f"{type(result).__name__}; expected a NumPy array")
