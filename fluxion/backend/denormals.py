"""Denormal floats flushed to zero while Fluxion's compiled graphs run, as TensorFlow does.

A denormal (subnormal) float is one below the normal range (``|x| < 1.2e-38`` in
float32).  x86 and ARM CPUs handle them in microcode, 10 to 100 times slower than normal
numbers, and training produces them steadily: Adam's first moment of a weight whose
gradient stays zero (a dead ReLU unit, an embedding row no batch touches) decays by
``beta_1 = 0.9`` a step and is denormal after ~750 steps.  Measured here: an MLP
784-256-256-10 trained with ``fit`` on one thread ran 2.1 ms a step for its first ~600
steps, then 4.0-4.7 ms once 130,000 of its first layer's 200,704 first moments were
denormal.

TensorFlow sets the CPU's flush-to-zero and denormals-are-zero modes around every kernel
it runs (eager and in graphs), so in TF ``1e-40 * 1.0 == 0.0`` and Keras-TF's Adam moments
reach zero instead of lingering as denormals; NumPy code outside TF keeps IEEE
behaviour.  Fluxion does the same for compiled graphs (``tf.function``, Keras ``fit``'s
train step; ``fluxion/graph/executor.py``) and for Keras optimizers' eager updates:
``flush_to_zero()`` sets the modes on the calling thread and returns what ``restore()``
puts back, leaving the thread's exception flags alone.  Other eager ops keep NumPy's
IEEE behaviour (three C calls per op would be a large share of an eager op), except
oneDNN's kernels, which always run flushed (``fluxion/backend/onednn/__init__.py``).
That is for their OpenMP pool: threads inherit the mode of the thread that starts them,
and a pool started by an eager oneDNN call outside any flushed scope kept IEEE modes on
its workers for good (measured: the workers' share of Adam's moments, 80,000 of the MLP's
200,704, turned denormal and the step went from 2.5 to 3.3 ms of CPU at two threads).

The modes are set through C's ``fegetmode`` / ``fesetmode`` (glibc 2.25+) with
``ctypes``: x86-64's MXCSR bits FTZ (15) and DAZ (6), AArch64's FPCR bit FZ (24).  Where
those functions or that layout are not available (another C library, another CPU), or a
check at first use finds the bits did not take, nothing is changed and numbers follow
IEEE rules.  ``set_enabled(False)`` (public: ``fluxion.config.floating_point``), or
``FLUXION_FLUSH_DENORMALS=0``, turns it off.
"""

from __future__ import annotations

import os
import platform
import threading

# Per machine: (how many 32-bit words a C ``femode_t`` holds, which word holds the
# control register's bits, the bits that make denormals zero).
_LAYOUTS = {
    "x86_64": (2, 1, 0x8040),    # {uint16 x87 control, uint16 reserved, uint32 MXCSR}
    "AMD64": (2, 1, 0x8040),
    "aarch64": (1, 0, 1 << 24),  # {uint32 FPCR}
    "arm64": (1, 0, 1 << 24),
}

_enabled = os.environ.get("FLUXION_FLUSH_DENORMALS", "1").strip().lower() not in (
    "0", "false", "no", "off")
# (fegetmode, fesetmode, per-thread buffers) once loaded and checked; False if unusable.
_functions = None
_layout = _LAYOUTS.get(platform.machine())
_, _WORD, _BITS = _layout or (1, 0, 0)


def set_enabled(enabled: bool) -> None:
    """Whether compiled graphs flush denormals to zero (the default: True, as TF does)."""
    global _enabled
    _enabled = bool(enabled)


def is_enabled() -> bool:
    """True when compiled graphs run with denormals flushed to zero on this machine."""
    return _enabled and bool(_load())


def flush_to_zero():
    """Sets flush-to-zero on this thread; returns the token ``restore`` takes.

    The token is None when nothing changed (turned off, not supported, or the thread
    already flushes: a nested call), so the outermost caller restores.  A call nested in
    one of this module's own scopes costs one attribute read (the oneDNN backend brackets
    every kernel with it, inside graphs too); an outermost one two C calls, and
    ``restore`` one (about a microsecond in all)."""
    if not _enabled:
        return None
    functions = _functions or _load()
    if not functions:
        return None
    get_mode, set_mode, modes = functions
    if modes.active:
        return None
    found = modes.found
    get_mode(modes.found_ref)
    current = found[_WORD]
    if current & _BITS == _BITS:  # set by someone else: theirs to restore
        return None
    if current != modes.saved_word or found[0] != modes.saved[0]:  # a mode not seen before
        modes.saved[:] = found
        modes.flushed[:] = found
        modes.flushed[_WORD] = current | _BITS
        modes.saved_word = current
    set_mode(modes.flushed_ref)
    modes.active = True
    return modes


def restore(token) -> None:
    """Puts back the mode ``flush_to_zero`` found (the exception flags stay as they are)."""
    if token is not None:
        _functions[1](token.saved_ref)
        token.active = False


def _load():
    """``(fegetmode, fesetmode, buffers)`` from the C library, checked once (``ctypes`` is
    imported here: ``import fluxion`` stays light); False if unusable."""
    global _functions
    if _functions is None:
        _functions = _load_and_check()
    return _functions


def _load_and_check():
    if _layout is None:
        return False
    import ctypes
    import ctypes.util

    try:
        try:  # glibc's name; find_library runs ldconfig, tens of milliseconds
            libm = ctypes.CDLL("libm.so.6")
        except OSError:
            libm = ctypes.CDLL(ctypes.util.find_library("m"))
        get_mode, set_mode = libm.fegetmode, libm.fesetmode
    except (OSError, AttributeError, TypeError):  # no C math library, or pre-glibc 2.25
        return False
    words, word, bits = _layout
    # No argtypes: each call passes a byref made once per buffer, ctypes' quickest path.
    get_mode.restype = set_mode.restype = ctypes.c_int
    # The check: set the bits, read them back, restore; a layout this module misreads
    # would show here rather than as wrong numbers.
    saved, flushed, seen = ((ctypes.c_uint32 * words)() for _ in range(3))
    if get_mode(ctypes.byref(saved)) != 0:
        return False
    flushed[:] = saved
    flushed[word] |= bits
    try:
        if (set_mode(ctypes.byref(flushed)) != 0 or get_mode(ctypes.byref(seen)) != 0
                or seen[word] & bits != bits):
            return False
    finally:
        set_mode(ctypes.byref(saved))

    class ThreadModes(threading.local):
        """A thread's buffers: the mode found on entry, the last one saved and its
        flushing version (rebuilt when the thread's mode changes), and whether one of
        this module's scopes is open on the thread."""

        def __init__(self):
            self.found, self.saved, self.flushed = (
                (ctypes.c_uint32 * words)() for _ in range(3))
            self.found_ref, self.saved_ref, self.flushed_ref = (
                ctypes.byref(self.found), ctypes.byref(self.saved),
                ctypes.byref(self.flushed))
            self.saved_word = None
            self.active = False

    return get_mode, set_mode, ThreadModes()
