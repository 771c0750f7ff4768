"""``keras.callbacks.History``: the per-epoch metrics ``fit`` returns."""

from __future__ import annotations

from fluxion.keras.callbacks.callback import Callback
from fluxion.keras.saving.serialization import keras_class


@keras_class("keras.callbacks")
class History(Callback):
    """Records each epoch's logs; ``fit`` returns it (and sets it as ``model.history``).

    Attributes:
        epoch: the epoch indices seen.
        history: metric name -> list of per-epoch values.

    Example:
    >>> history = History(); history.on_train_begin()
    >>> history.on_epoch_end(0, {"loss": 0.5}); history.history
    {'loss': [0.5]}
    """

    def __init__(self):
        super().__init__()
        self.history: dict = {}
        self.epoch: list = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self  # the latest state, even if training stops later
