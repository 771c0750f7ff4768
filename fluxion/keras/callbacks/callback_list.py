"""``keras.callbacks.CallbackList``: one object the training loop calls, fanning out to all.

The list adds the default callbacks ``fit`` needs (a ``History``, a ``ProgbarLogger``),
after the user's, in Keras 3's order: user callbacks, then History, then the progress
bar.  Each hook receives ``logs`` converted to plain Python values with their keys
sorted, so every callback (and the printed bar) sees metrics in the same order.
"""

from __future__ import annotations

import numpy as np

from fluxion.keras.callbacks.callback import Callback
from fluxion.keras.callbacks.history import History
from fluxion.keras.callbacks.progbar_logger import ProgbarLogger
from fluxion.keras.saving.serialization import keras_class


def _flatten(callbacks) -> list:
    if callbacks is None:
        return []
    if isinstance(callbacks, (list, tuple)):
        return [leaf for item in callbacks for leaf in _flatten(item)]
    return [callbacks]


def _to_python(value):
    """A metric value as a Python float when it is a scalar (tensor, NumPy or number)."""
    if isinstance(value, (float, str)):
        return value
    if hasattr(value, "numpy"):
        value = value.numpy()
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.asarray(value) if hasattr(value, "__array__") else value


def pythonify_logs(logs) -> dict:
    """Logs as a new dict of Python values, keys sorted, nested dicts merged in."""
    result: dict = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
        else:
            result[key] = _to_python(value)
    return result


@keras_class("keras.callbacks")
class CallbackList(Callback):
    """A list of callbacks called as one.

    Args:
        callbacks: the ``Callback`` instances (nested lists are flattened).
        add_history: add a ``History`` unless one is in ``callbacks``.
        add_progbar: add a ``ProgbarLogger`` unless one is in ``callbacks``.
        model: the model the callbacks act on.
        **params: passed to every callback by ``set_params`` (``verbose``, ``epochs``,
            ``steps``).

    Example:
    >>> callbacks = CallbackList([], add_history=True, verbose=0, epochs=1, steps=1)
    >>> [type(c).__name__ for c in callbacks.callbacks]
    ['History']
    """

    def __init__(self, callbacks=None, add_history: bool = False, add_progbar: bool = False,
                 model=None, **params):
        super().__init__()
        self.callbacks = _flatten(callbacks)
        self._open_blocks = 0
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self.set_model(model)
        self.set_params(params)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def set_params(self, params: dict) -> None:
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model) -> None:
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)

    def _call(self, hook: str, *args, logs=None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            getattr(callback, hook)(*args, logs)

    def _begin(self) -> None:
        self._open_blocks += 1

    def _end(self) -> None:
        self._open_blocks -= 1
        if self._open_blocks < 0:
            self._open_blocks = 0
            raise ValueError("`on_xxx_end` called without corresponding `on_xxx_begin`")

    # -- epoch and batch hooks ----------------------------------------------------------

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs=logs)

    def on_batch_begin(self, batch, logs=None):
        self._call("on_batch_begin", batch, logs=logs)

    def on_batch_end(self, batch, logs=None):
        self._call("on_batch_end", batch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", batch, logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, logs=logs)

    # -- begin / end of fit, evaluate, predict --------------------------------------------

    def on_train_begin(self, logs=None):
        self._begin()
        self._call("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs=logs)
        self._end()

    def on_test_begin(self, logs=None):
        self._begin()
        self._call("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs=logs)
        self._end()

    def on_predict_begin(self, logs=None):
        self._begin()
        self._call("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs=logs)
        self._end()
