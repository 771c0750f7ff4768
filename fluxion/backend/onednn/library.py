"""Finding and loading the oneDNN 3.x shared library, once, on first use.

Which file: ``FLUXION_ONEDNN_LIBRARY`` (a path, or a name the dynamic loader finds)
when set, else the ``onednn-cpu-gomp`` wheel's ``libdnnl.so.3`` (installed at the
environment's ``lib`` directory), else whatever ``libdnnl.so.3`` the loader finds.
Loading takes 55-100 ms, so it happens at the first oneDNN kernel call, never at
``import fluxion``.  Failure is remembered with its reason: ``load()`` then returns None
and ``reason()`` says why (the backend warns once and runs NumPy's kernels).
"""

from __future__ import annotations

import glob
import os
import sys
import threading

ENVIRONMENT_VARIABLE = "FLUXION_ONEDNN_LIBRARY"
SONAME = "libdnnl.so.3"

_lock = threading.Lock()
_state: dict = {"library": None, "reason": None, "tried": False}


def candidates() -> list[str]:
    """The files to try, in order."""
    chosen = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if chosen:
        return [chosen]
    found = []
    for prefix in dict.fromkeys([sys.prefix, sys.base_prefix, sys.exec_prefix]):
        found += sorted(glob.glob(os.path.join(prefix, "lib", "libdnnl.so.3*")))
    return found + [SONAME]


def present() -> bool:
    """Whether a oneDNN library is there to load: named in the environment, or the
    wheel's file found (cheap: nothing is loaded)."""
    return bool(os.environ.get(ENVIRONMENT_VARIABLE, "").strip()) or len(candidates()) > 1


def load():
    """The loaded ``ctypes.CDLL``, or None when no oneDNN 3.x library loads."""
    if _state["tried"]:
        return _state["library"]
    with _lock:
        if not _state["tried"]:
            _state["library"], _state["reason"] = _load()
            _state["tried"] = True
    return _state["library"]


def reason() -> str | None:
    """Why the library is not available (None when it is, or was not tried yet)."""
    return _state["reason"]


def reset() -> None:
    """Forgets the outcome so that the next ``load()`` tries again (tests)."""
    with _lock:
        _state.update(library=None, reason=None, tried=False)


def _load():
    from fluxion.backend.native_libraries import loading_native_library

    with loading_native_library():  # the core's thread settings reach its pool
        return _load_first_candidate()


def _load_first_candidate():
    import ctypes  # here, not at import: deciding the default backend must stay cheap

    errors = []
    for path in candidates():
        try:
            library = ctypes.CDLL(path)
        except OSError as error:
            errors.append(f"{path}: {error}")
            continue
        version = _version(library)
        if version is None or version[0] != 3:
            errors.append(f"{path}: oneDNN {version or 'of unknown version'} (3.x needed)")
            continue
        return library, None
    hint = (f"install it with `pip install fluxion-ml[onednn]` or name the file in "
            f"{ENVIRONMENT_VARIABLE}")
    return None, f"no oneDNN 3.x library could be loaded ({'; '.join(errors)}); {hint}"


def _version(library) -> tuple | None:
    import ctypes

    class Version(ctypes.Structure):  # dnnl_version_t
        _fields_ = [("major", ctypes.c_int), ("minor", ctypes.c_int), ("patch", ctypes.c_int),
                    ("hash", ctypes.c_char_p), ("cpu_runtime", ctypes.c_uint),
                    ("gpu_runtime", ctypes.c_uint)]

    try:
        function = library.dnnl_version
    except AttributeError:
        return None
    function.restype = ctypes.POINTER(Version)
    function.argtypes = []
    found = function().contents
    return found.major, found.minor, found.patch


def version() -> tuple | None:
    """``(major, minor, patch)`` of the loaded library, or None."""
    library = load()
    return None if library is None else _version(library)


_omp: dict = {}


def openmp_threads() -> int:
    """OpenMP's thread count for the next parallel region of the calling thread (0 where
    no OpenMP runtime is loaded).  oneDNN fixes a primitive's threading when it creates
    it, so the kernels key their cached primitives by this: a primitive made for one
    thread would run on one thread after the pool grew."""
    function = _omp.get("max_threads")
    if function is None:
        import ctypes

        try:
            function = ctypes.CDLL("libgomp.so.1").omp_get_max_threads
            function.restype = ctypes.c_int
        except (OSError, AttributeError):
            function = _omp["max_threads"] = lambda: 0
        _omp["max_threads"] = function
    return function()
