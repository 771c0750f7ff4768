"""Hooks around a backend's loading of a native library (oneDNN's, with an OpenMP pool).

The core registers what must happen then (``on_native_library``): before, idle OpenMP
threads are told to sleep instead of spinning; after, the new library's thread pools get
Fluxion's thread settings.  This module imports nothing, so a backend's loader can use
it without importing the backend package that chooses among backends.
"""

from __future__ import annotations

import contextlib

_hooks: list = []  # (before, after) pairs


def on_native_library(before, after) -> None:
    """Registers ``before()`` and ``after()`` to run around loading a native library."""
    _hooks.append((before, after))


@contextlib.contextmanager
def loading_native_library():
    """A backend loads its native library inside this block."""
    for before, _ in _hooks:
        before()
    yield
    for _, after in _hooks:
        after()
