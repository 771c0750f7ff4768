"""The backend seam: where arrays live and which kernels run on them.

A backend is a small module with ``name``, its array namespace ``xp``, ``devices()``,
``asarray(value, dtype)`` and a ``kernels`` dict that overrides the NumPy kernel of any
primitive by name where it has something faster.  Op code never asks which backend is
active: ``bind`` runs ``primitive.impl``, which the core points at the active backend's
override or at the primitive's NumPy kernel when ``activate`` tells it (``on_activate``).
NumPy is the only backend shipped today; CuPy and JAX slot in as further modules here.
"""

from __future__ import annotations

import importlib

from fluxion.backend import numpy_backend

_active = numpy_backend
_KNOWN = {"numpy": "fluxion.backend.numpy_backend"}
_listeners: list = []


def active():
    """The active backend module."""
    return _active


def activate(name: str) -> None:
    """Makes the backend called ``name`` active and rebinds every primitive's kernel."""
    global _active
    if name not in _KNOWN:
        raise ValueError(f"Unknown backend {name!r}; expected one of {sorted(_KNOWN)}")
    _active = importlib.import_module(_KNOWN[name])
    for listener in _listeners:
        listener(_active)


def on_activate(listener) -> None:
    """Calls ``listener(backend)`` whenever a backend is activated.

    The engine core registers here the step that points every primitive at the new
    backend's kernels: the backend layer sits below core and never imports it.
    """
    _listeners.append(listener)
