"""``keras.callbacks.LambdaCallback``: a callback from plain functions."""

from __future__ import annotations

from fluxion.keras.callbacks.callback import Callback
from fluxion.keras.saving.serialization import keras_class


@keras_class("keras.callbacks")
class LambdaCallback(Callback):
    """Calls the given functions at the matching hooks.

    ``on_epoch_begin`` / ``on_epoch_end`` take ``(epoch, logs)``, ``on_train_begin`` /
    ``on_train_end`` take ``(logs)``, the batch hooks ``(batch, logs)``.  Other hooks
    (``on_test_begin=...``, ``on_predict_batch_end=...``) may be passed as keywords.

    Example:
    >>> seen = []
    >>> callback = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    >>> callback.on_epoch_end(3, {}); seen
    [3]
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        for name, function in hooks.items():
            if function is not None:
                setattr(self, name, function)
