"""``keras.callbacks.TerminateOnNaN``: stop training when the loss becomes NaN or infinite."""

from __future__ import annotations

import math

from fluxion.keras.callbacks.callback import Callback
from fluxion.keras.saving.serialization import keras_class
from fluxion.keras.utils import io_utils


@keras_class("keras.callbacks")
class TerminateOnNaN(Callback):
    """Stops training at the first batch whose ``loss`` is NaN or infinite.

    Args:
        raise_error: raise a ``RuntimeError`` at once instead of setting
            ``model.stop_training`` (which lets the epoch's other callbacks run).
    """

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                                   f"{loss}. Terminating training immediately.")
            io_utils.print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
