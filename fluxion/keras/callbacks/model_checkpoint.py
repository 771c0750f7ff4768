"""``keras.callbacks.ModelCheckpoint``: save the model (or its weights) during training.

The file name may hold ``str.format`` fields filled from the epoch (1-based), the batch
(1-based, when saving every N batches) and the logs: ``"ckpt-{epoch:02d}-{val_loss:.2f}.keras"``.
Writing the file is the model's job (``model.save`` / ``model.save_weights``), which saves
atomically, so an interrupted checkpoint never leaves a half-written file in place.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from fluxion.keras.callbacks.callback import worker_write_path
from fluxion.keras.callbacks.monitor_callback import MonitorCallback
from fluxion.keras.saving.serialization import keras_class
from fluxion.keras.utils import io_utils


@keras_class("keras.callbacks")
class ModelCheckpoint(MonitorCallback):
    """Saves the model or its weights at some frequency.

    Args:
        filepath: where to save; ``.keras`` (or legacy ``.h5``) for the whole model,
            ``.weights.h5`` with ``save_weights_only=True``; may hold format fields.
        monitor: the metric ``save_best_only`` compares.
        verbose: 1 prints a message for each save.
        save_best_only: save only when ``monitor`` improves on the best so far.
        save_weights_only: ``model.save_weights`` instead of ``model.save``.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        save_freq: ``"epoch"``, or an int: save every that many training batches.
        initial_value_threshold: the value ``monitor`` must beat for the first save.

    Example:
    >>> callback = ModelCheckpoint("best.keras", monitor="val_accuracy", mode="max",
    ...                            save_best_only=True)
    """

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq,
                                                                                   bool)):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are "
                             f"'epoch' or integer values")
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(f"When using `save_weights_only=True` in `ModelCheckpoint`, "
                                 f"the filepath provided must end in `.weights.h5` (Keras "
                                 f"weights format). Received: filepath={self.filepath}")
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(f"The filepath provided must end in `.keras` (Keras model "
                             f"format). Received: filepath={self.filepath}")

    def on_train_begin(self, logs=None):
        """Checks now, before any training, that the checkpoints can be written."""
        from fluxion.keras.saving.weights_h5 import require_h5py
        from fluxion.keras.saving.writable import check_writable

        require_h5py()
        static = self.filepath
        while "{" in os.path.dirname(static):  # folders named from the logs: check above
            static = os.path.dirname(static)
        check_writable(static if static != self.filepath else self.filepath,
                       "ModelCheckpoint", create_parents=True,
                       is_directory=static != self.filepath)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        # Batch indices restart every epoch: a smaller index means a new epoch began.
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _should_save_model(self, epoch: int, logs: dict, filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                io_utils.print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        if self.monitor_op is None:  # saving on batches before the first epoch ended
            self._set_monitor_op()
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=2)
            return True
        if np.ndim(current) > 0:
            warnings.warn(f"Can save best model only when `monitor` is a scalar value. "
                          f"Received: {current}. Falling back to `save_best_only=False`.",
                          stacklevel=2)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                io_utils.print_msg(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} "
                                   f"to {current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            io_utils.print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                               f"{best}")
        return False

    def _save_model(self, epoch: int, batch: int | None, logs) -> None:
        logs = logs or {}
        filepath = worker_write_path(self.model, self._get_file_path(epoch, batch, logs))
        if os.path.isdir(filepath):
            raise OSError(f"Please specify a non-directory filepath for ModelCheckpoint. "
                          f"Filepath used is an existing directory: {filepath}")
        if not self._should_save_model(epoch, logs, filepath):
            return
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        if self.verbose > 0:
            io_utils.print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _get_file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {error} is not in the logs (available: "
                           f"{', '.join(sorted(fields))}).") from None
