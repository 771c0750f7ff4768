"""``LearningRateScheduler`` and ``ReduceLROnPlateau``: callbacks that set the learning rate.

Both read and write ``model.optimizer.learning_rate`` (a settable float-valued property);
an optimizer that wraps several (``optimizer.optimizers``) has each one updated.  Both add
the current rate to the epoch's logs as ``learning_rate``.
"""

from __future__ import annotations

import warnings

import numpy as np

from fluxion.keras.callbacks.callback import Callback
from fluxion.keras.callbacks.monitor_callback import MonitorCallback
from fluxion.keras.saving.serialization import keras_class
from fluxion.keras.utils import io_utils


def _as_float(value) -> float:
    if hasattr(value, "numpy"):
        value = value.numpy()
    return float(value)


def _optimizers(model) -> list:
    """(name, optimizer) pairs: the inner optimizers of a multi-optimizer, else the one."""
    optimizer = model.optimizer
    inner = getattr(optimizer, "optimizers", None)
    if inner:
        return [(getattr(opt, "name", str(i)), opt) for i, opt in enumerate(inner)]
    return [("", optimizer)]


def _log_learning_rates(model, logs: dict) -> None:
    for name, optimizer in _optimizers(model):
        key = f"learning_rate_{name}" if name else "learning_rate"
        logs[key] = _as_float(optimizer.learning_rate)


@keras_class("keras.callbacks")
class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of each epoch from ``schedule``.

    Args:
        schedule: ``schedule(epoch, lr) -> new_lr`` (or ``schedule(epoch)``), epochs
            counted from 0; it must return a float.
        verbose: 1 prints each change.

    Example:
    >>> callback = LearningRateScheduler(lambda epoch, lr: lr if epoch < 10 else lr * 0.9)
    """

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _update(self, optimizer, epoch: int) -> float:
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            learning_rate = self.schedule(epoch, _as_float(optimizer.learning_rate))
        except TypeError:  # a one-argument schedule
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.floating)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: "
                             f"{learning_rate}")
        optimizer.learning_rate = float(learning_rate)
        return float(learning_rate)

    def on_epoch_begin(self, epoch, logs=None):
        for name, optimizer in _optimizers(self.model):
            learning_rate = self._update(optimizer, epoch)
            if self.verbose > 0:
                which = f" {name}" if name else ""
                io_utils.print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting{which} "
                                   f"learning rate to {learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            _log_learning_rates(self.model, logs)


@keras_class("keras.callbacks")
class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by ``factor`` when ``monitor`` stops improving.

    Args:
        monitor: the metric to watch.
        factor: the multiplier (< 1): ``new_lr = lr * factor``.
        patience: epochs without improvement before the rate is reduced.
        verbose: 1 prints each reduction.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the rate is never reduced below this.

    Example:
    >>> callback = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5)
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0, **kwargs):
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received "
                             f"factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()

    def _reduce(self, optimizer, epoch: int, name: str) -> bool:
        old_lr = _as_float(optimizer.learning_rate)
        if old_lr <= np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            which = f" {name}" if name else ""
            io_utils.print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing{which} "
                               f"learning rate to {new_lr}.")
        return True

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        _log_learning_rates(self.model, logs)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                          f"which is not available. Available metrics are: {','.join(logs)}.",
                          stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                reduced = [self._reduce(opt, epoch, name) for name, opt in _optimizers(self.model)]
                if any(reduced):
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
