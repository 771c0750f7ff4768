"""The backend seam: where arrays live and which kernels run on them.

A backend is a small module with ``name``, its array namespace ``xp``, ``devices()``,
``asarray(value, dtype)`` and a ``kernels`` dict that overrides the NumPy kernel of any
primitive by name where it has something faster.  Op code never asks which backend is
active: ``bind`` runs ``primitive.impl``, which ``activate`` points at the active
backend's override or at the primitive's NumPy kernel.  NumPy is the only backend
shipped today; CuPy and JAX slot in as further modules of this package.
"""

from __future__ import annotations

import importlib

from fluxion.backend import numpy_backend

_active = numpy_backend
_KNOWN = {"numpy": "fluxion.backend.numpy_backend"}


def active():
    """The active backend module."""
    return _active


def activate(name: str) -> None:
    """Makes the backend called ``name`` active and rebinds every primitive's kernel."""
    global _active
    if name not in _KNOWN:
        raise ValueError(f"Unknown backend {name!r}; expected one of {sorted(_KNOWN)}")
    _active = importlib.import_module(_KNOWN[name])
    from fluxion.core import primitive

    primitive.rebind_kernels(_active.kernels)
