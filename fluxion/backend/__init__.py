"""The backend seam: where arrays live and which kernels run on them.

A backend is a small module with:

- ``name`` and ``xp``, its array namespace (what generated graph code allocates with);
- ``devices()``: its devices as ``(device_type, name)`` pairs;
- ``asarray(value, dtype)``;
- ``parallel_pools()``: the native thread pools its heavy kernels run on (threadpoolctl's
  ``user_api`` names, e.g. ``("blas",)``); where Fluxion runs a computation in parallel
  only those pools grow, the others stay at one thread (two pools on the CPUs at once
  fight for them);
- ``kernel_for(primitive_name, numpy_kernel)``: the backend's kernel for a primitive, or
  None to run the primitive's own NumPy kernel.  An override takes the same arrays and
  attributes as the NumPy kernel and returns the same results; where the NumPy kernel
  is a ufunc the override must also accept ``out=`` (fused elementwise chains and
  in-place buffers call it so).  An override may fall back to ``numpy_kernel`` for the
  cases it does not handle.

Op code never asks which backend is active: eager ``bind``, the tape (whose gradients
are ops again) and the graph executor all run ``primitive.impl``, which the core points
at the active backend's override or at the primitive's NumPy kernel: for the primitives
defined so far when ``activate`` tells it (``on_activate``: this layer imports nothing
of Fluxion's), and through ``define`` for those defined later.

Which backend is active: ``FLUXION_BACKEND`` when Fluxion starts (``auto``, the
default: ``onednn`` where a oneDNN library is installed, measured 1.2-90x faster per
convolution and 2.2x per mnist_convnet training step, else ``numpy``), then
``fluxion.config.set_backend(name)``.  A backend may also be named for a device type
(``set_backend(name, device_type="GPU")``): inside ``with fluxion.device("/GPU:0")``
that backend is active.  Compiled functions bind the kernels active when they are
first run at given shapes.
"""

from __future__ import annotations

import importlib
import os
import threading

from fluxion.backend import numpy_backend
from fluxion.backend.native_libraries import on_native_library  # noqa: F401 (re-export)

_KNOWN = {"numpy": "fluxion.backend.numpy_backend",
          "checking": "fluxion.backend.checking",
          "onednn": "fluxion.backend.onednn"}
_active = numpy_backend
_by_device_type: dict[str, str] = {}  # device type -> backend name, for device scopes
_lock = threading.RLock()
_listeners: list = []


def active():
    """The active backend module."""
    return _active


def known() -> list[str]:
    """The names ``activate`` accepts."""
    return sorted(_KNOWN)


def register(name: str, module_path: str) -> None:
    """Makes a backend module (by import path) selectable as ``name``."""
    _KNOWN[name] = module_path


def load(name: str):
    """The backend module called ``name`` (imported, not activated)."""
    if name not in _KNOWN:
        raise ValueError(f"Unknown backend {name!r}; expected one of {known()} "
                         f"(or register one with fluxion.backend.register)")
    return importlib.import_module(_KNOWN[name])


def activate(name: str) -> None:
    """Makes the backend called ``name`` active and rebinds every primitive's kernel."""
    global _active
    module = load(name)
    with _lock:
        if module is _active:
            return
        _active = module
        for listener in _listeners:
            listener(module)


def on_activate(listener) -> None:
    """Calls ``listener(backend)`` whenever a backend is activated.

    The core registers here the step that points every primitive at the new backend's
    kernels.  At start-up (``FLUXION_BACKEND``) no listener is registered yet, and no
    primitive is defined either: ``define`` asks the active backend.
    """
    _listeners.append(listener)


def kernel_for(name: str, numpy_kernel):
    """The active backend's kernel for primitive ``name`` (``numpy_kernel`` if none)."""
    override = _active.kernel_for(name, numpy_kernel)
    return numpy_kernel if override is None else override


def overrides(name: str) -> bool:
    """Whether the active backend runs primitive ``name`` with a kernel of its own.

    Graph rewrites that only pay off with the NumPy kernels (sharing im2col patches)
    ask this first.
    """
    return _active.kernel_for(name, _no_kernel) is not None


def _no_kernel(*arrays, **attrs):
    raise RuntimeError("a placeholder kernel, never run")


def parallel_pools() -> tuple[str, ...]:
    """The native pools the active backend computes in parallel with (all pools for a
    backend that does not say)."""
    pools = getattr(_active, "parallel_pools", None)
    return pools() if pools is not None else ("blas", "openmp")


def tune_allocator() -> None:
    """Lets the active backend prepare its allocator for training (if it has one)."""
    tune = getattr(_active, "tune_allocator", None)
    if tune is not None:
        tune()


# --- backends per device type ----------------------------------------------------------------
def set_for_device_type(device_type: str, name: str | None) -> None:
    """Names the backend that device scopes of ``device_type`` run on (None: forget)."""
    device_type = device_type.upper()
    if name is None:
        _by_device_type.pop(device_type, None)
        return
    load(name)  # fail now on an unknown name
    _by_device_type[device_type] = name


def device_types() -> list[str]:
    """The device types that have a backend named for them."""
    return list(_by_device_type)


def for_device_type(device_type: str) -> str | None:
    """The backend named for ``device_type``, or None."""
    return _by_device_type.get(device_type.upper())


def default_name() -> str:
    """The backend Fluxion starts with: ``FLUXION_BACKEND``, else ``auto``'s choice."""
    name = os.environ.get("FLUXION_BACKEND", "").strip().lower() or "auto"
    if name != "auto":
        return name
    from fluxion.backend.onednn import library  # light: loads nothing

    return "onednn" if library.present() else "numpy"


def _from_environment() -> None:
    name = default_name()
    if name == "numpy":
        return
    try:
        activate(name)
    except ValueError as error:  # a typo in the environment must not break the import
        import warnings

        warnings.warn(f"FLUXION_BACKEND: {error}; running on NumPy", stacklevel=2)


_from_environment()
