"""What Keras attaches to tensors: a layer output's mask and the logits behind a
probability output.

Keras 3 keeps a layer output's mask on the tensor itself (``output._keras_mask``), and
Keras code reads it there.  The engine's ``Tensor`` knows nothing of Keras: it offers a
neutral ``attach(name, value)``, and attached values read as attributes.  Symbolic
``KerasTensor``s are plain Python objects and take the attribute directly.  Losses find the
logits a ``softmax`` or ``sigmoid`` output came from (``_keras_logits``) to compute a
cross-entropy stably.
"""

from __future__ import annotations

MASK = "_keras_mask"
LOGITS = "_keras_logits"


def _attach(tensor, name: str, value) -> None:
    attach = getattr(tensor, "attach", None)
    if attach is not None:
        attach(name, value)
    else:
        setattr(tensor, name, value)


def get_keras_mask(tensor):
    """The Keras mask travelling with ``tensor``, or None."""
    return getattr(tensor, MASK, None)


def set_keras_mask(tensor, mask) -> None:
    """Makes ``mask`` travel with ``tensor`` (None removes it)."""
    _attach(tensor, MASK, mask)


def get_keras_logits(tensor):
    """The logits ``tensor`` (a softmax or sigmoid output) was computed from, or None."""
    return getattr(tensor, LOGITS, None)


def set_keras_logits(tensor, logits) -> None:
    """Records that ``tensor`` was computed from ``logits`` (for stable cross-entropies)."""
    _attach(tensor, LOGITS, logits)
