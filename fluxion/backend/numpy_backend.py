"""The default backend: NumPy arrays on the host CPU."""

from __future__ import annotations

import numpy

name = "numpy"
xp = numpy

# Kernel overrides by primitive name; NumPy's own kernels live on the primitives.
kernels: dict = {}


def devices() -> list[tuple[str, str]]:
    """The devices of this backend as (device_type, name) pairs."""
    return [("CPU", "/physical_device:CPU:0")]


def asarray(value, dtype=None):
    return numpy.asarray(value, dtype=dtype)
