"""Floating-point modes of Fluxion's computations: denormals flushed to zero, as in TF.

TensorFlow runs its kernels with denormal floats flushed to zero; Fluxion does the same
in compiled graphs and in Keras optimizers' updates (``fluxion/backend/denormals.py`` says
why: a training run's decaying values otherwise turn into denormals and slow every pass
over them).  ``set_flush_denormals(False)`` (or ``FLUXION_FLUSH_DENORMALS=0``) keeps
IEEE arithmetic everywhere.  Code that runs kernels outside a compiled graph (an
optimizer's eager update) brackets them with ``flush_to_zero()`` / ``restore(token)``.
"""

from __future__ import annotations

from fluxion.backend.denormals import flush_to_zero, is_enabled, restore, set_enabled

__all__ = ["flush_to_zero", "get_flush_denormals", "restore", "set_flush_denormals"]


def set_flush_denormals(enabled: bool) -> None:
    """Whether Fluxion flushes denormals to zero (default True, as TensorFlow does)."""
    set_enabled(enabled)


def get_flush_denormals() -> bool:
    """True when Fluxion's compiled graphs and optimizer updates flush denormals to zero
    (False when turned off, or on a machine whose float modes Fluxion cannot set)."""
    return is_enabled()
