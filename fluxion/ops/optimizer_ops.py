"""Fused optimizer updates as public ops (Keras's optimizers call them).

``adam_update`` computes Adam's new moments and variable in one primitive, bit for bit
what the composed elementwise ops give, in fewer passes over memory where the backend
fuses it (``fluxion.core.primitives.optimizer_updates`` says why it is a primitive).
"""

from fluxion.core.primitives.optimizer_updates import adam_update

__all__ = ["adam_update"]
