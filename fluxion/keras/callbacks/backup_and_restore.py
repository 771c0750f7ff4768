"""``keras.callbacks.BackupAndRestore``: resume a ``fit`` that was killed, exactly.

The backup is one ``fluxion.train.Checkpoint`` file in ``backup_dir``, replaced
atomically at each save, holding everything the rest of training depends on:

- the model's weights (with the random layers' seed states) and the optimizer's
  variables (its slots and its step counter);
- where training stood: the epoch, and the number of batches of it already trained;
- the random state outside the model: NumPy's global generator as it was at the start
  of the epoch (it draws the epoch's shuffling order) and as it was at the save,
  Python's ``random``, Fluxion's global random streams and Keras's global seed
  generator;
- the input pipeline's state when ``fit`` reads a ``Dataset``: how many passes each
  reshuffling stage (``shuffle(seed=...)``...) had made when the epoch began, so the
  resumed epoch is shuffled as the interrupted one was (TF checkpoints iterators).

A new ``fit`` with this callback restores all of it in ``on_train_begin`` and tells the
trainer to start at that epoch and to skip the batches already trained
(``model._initial_epoch`` / ``model._initial_step``).  The data order is replayed from
the saved NumPy state, so the run continues on exactly the batches and random draws an
uninterrupted run would have used: its final weights are the same.  (Keras 3 restarts
the interrupted epoch from its beginning; Fluxion resumes at the batch.)  Metrics of the
resumed epoch cover the batches trained after the restart.
"""

from __future__ import annotations

import os
import random
import shutil

import numpy as np

from fluxion.core.errors import DataLossError, NotFoundError
from fluxion.keras.callbacks.callback import Callback
from fluxion.keras.saving.serialization import keras_class


@keras_class("keras.callbacks")
class BackupAndRestore(Callback):
    """Backs up the training state, and restores it when ``fit`` starts again.

    Args:
        backup_dir: a directory for the backup, used by this callback only.
        save_freq: ``"epoch"`` (back up after each epoch), an integer (after every that
            many batches), or ``False`` (never back up).
        double_checkpoint: also keep the previous backup, and fall back to it if the
            latest one cannot be read.
        delete_checkpoint: delete the backup when ``fit`` finishes.

    Example:
    >>> callback = BackupAndRestore(backup_dir="/tmp/backup", save_freq=100)
    >>> model.fit(x, y, epochs=10, callbacks=[callback])  # killed? run it again
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True):
        super().__init__()
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: "
                             f"save_freq={save_freq}. Expected either 'epoch' or an integer "
                             f"value.")
        self.backup_dir = os.fspath(backup_dir)
        self._latest = os.path.join(self.backup_dir, "latest")
        self._previous = os.path.join(self.backup_dir, "previous")
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        self._save_at_epoch_end = False
        self._state = None
        self._pending_numpy_state = None

    # --- restoring ---------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        model = self.model
        if not model.built:
            raise ValueError(f"To use the BackupAndRestore callback, you model must be built "
                             f"before you call `fit()`. Model {model} is unbuilt. You can "
                             f"build it beforehand by calling it on a batch of data.")
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and not optimizer.built:
            optimizer.build(model.trainable_variables)  # its slots must exist to be restored
        self._state = _TrainingState()
        self._checkpoint = _checkpoint_for(model, self._state)
        self._pending_numpy_state = None
        if not self._load():
            return
        state = self._state
        if state.numpy_epoch_state is None:
            raise DataLossError(f"{self.backup_dir!r} holds a checkpoint that "
                                f"BackupAndRestore did not write (it has no training state). "
                                f"Give BackupAndRestore a directory of its own.")
        model._initial_epoch = state.epoch
        model._initial_step = state.step
        state.apply_global_random_state()
        dataset = getattr(model, "_fit_dataset", None)
        if dataset is not None and state.data_counters is not None:
            dataset._set_iteration_counters(state.data_counters)
        np.random.set_state(state.numpy_epoch_state)  # replays the epoch's shuffling
        self._pending_numpy_state = state.numpy_state if state.step else None
        self._current_epoch = state.epoch

    def _load(self) -> bool:
        """Restores the latest backup (or the previous one); False if there is none."""
        from fluxion.train import checkpoint_file

        candidates = [self._latest] + ([self._previous] if self.double_checkpoint else [])
        candidates = [c for c in candidates if checkpoint_file.exists(c)]
        for i, prefix in enumerate(candidates):
            try:
                self._checkpoint.read(prefix)
                return True
            except (DataLossError, NotFoundError):
                if i == len(candidates) - 1:
                    raise
        return False

    def on_train_batch_begin(self, batch, logs=None):
        self._apply_pending_numpy_state()

    def _apply_pending_numpy_state(self) -> None:
        if self._pending_numpy_state is not None:
            # The resumed epoch's order is drawn: continue from the state at the backup.
            np.random.set_state(self._pending_numpy_state)
            self._pending_numpy_state = None

    # --- saving ------------------------------------------------------------------------------
    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch
        self._epoch_numpy_state = np.random.get_state()
        self._epoch_data_counters = self._data_counters()

    def _data_counters(self):
        dataset = getattr(self.model, "_fit_dataset", None)
        return None if dataset is None else dataset._iteration_counters()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            steps = (self.params or {}).get("steps")
            if steps is not None and batch + 1 >= steps:
                self._save_at_epoch_end = True  # the epoch is done: back up after on_epoch_end
            else:
                self._save(self._current_epoch, batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        self._apply_pending_numpy_state()  # a resumed epoch with no batch left to train
        self._last_batch_seen = None
        if self.save_freq == "epoch" or self._save_at_epoch_end:
            self._save_at_epoch_end = False
            self._save(epoch + 1, 0)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir) and \
                _is_chief(self.model):
            shutil.rmtree(self.backup_dir)

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch" or self.save_freq is False:
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:  # a new epoch
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save(self, epoch: int, step: int) -> None:
        from fluxion.train import checkpoint_file

        epoch_state = np.random.get_state() if step == 0 else self._epoch_numpy_state
        counters = self._data_counters() if step == 0 else self._epoch_data_counters
        self._state.capture(epoch, step, epoch_state, counters)
        if not _is_chief(self.model):
            return  # every worker restores the chief's backup; only the chief writes it
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and checkpoint_file.exists(self._latest):
            checkpoint_file.move(self._latest, self._previous)
        self._checkpoint.write(self._latest)


def _is_chief(model) -> bool:
    strategy = getattr(getattr(model, "optimizer", None), "_distribute_strategy", None)
    return strategy is None or strategy.is_chief


def _checkpoint_for(model, state):
    from fluxion.train import Checkpoint

    objects = {"model": model, "training_state": state}
    if getattr(model, "optimizer", None) is not None:
        objects["optimizer"] = model.optimizer
    return Checkpoint(**objects)


class _TrainingState:
    """Where training stands and the random state outside the model, as tensors."""

    def __init__(self):
        self.epoch = 0
        self.step = 0
        self.numpy_epoch_state = None
        self.numpy_state = None
        self.data_counters = None
        self._values: dict = {}

    def capture(self, epoch: int, step: int, numpy_epoch_state, data_counters=None) -> None:
        values = {"epoch": np.int64(epoch), "step": np.int64(step)}
        if data_counters is not None:
            values["data_counters"] = np.asarray(data_counters, dtype=np.int64)
        values.update(_numpy_state_arrays("numpy_epoch", numpy_epoch_state))
        values.update(_numpy_state_arrays("numpy", np.random.get_state()))
        values.update(_python_state_arrays("python", random.getstate()))
        values.update(_global_random_arrays())
        self._values = values

    def _serialize_to_tensors(self) -> dict:
        return dict(self._values)

    def _restore_from_tensors(self, values: dict) -> None:
        self._values = dict(values)
        self.epoch = int(values["epoch"])
        self.step = int(values["step"])
        self.numpy_epoch_state = _numpy_state_from(values, "numpy_epoch")
        self.numpy_state = _numpy_state_from(values, "numpy")
        counters = values.get("data_counters")
        self.data_counters = None if counters is None else [int(c) for c in counters]

    def apply_global_random_state(self) -> None:
        random.setstate(_python_state_from(self._values, "python"))
        _set_global_random(self._values)


# --- NumPy's and Python's generators as arrays ------------------------------------------------
def _numpy_state_arrays(name: str, state) -> dict:
    _, keys, position, has_gauss, cached = state
    return {f"{name}_keys": np.asarray(keys, dtype=np.uint32),
            f"{name}_extra": np.array([position, has_gauss, cached], dtype=np.float64)}


def _numpy_state_from(values: dict, name: str):
    position, has_gauss, cached = values[f"{name}_extra"].tolist()
    return ("MT19937", values[f"{name}_keys"], int(position), int(has_gauss), cached)


def _python_state_arrays(name: str, state) -> dict:
    version, internal, gauss = state
    return {f"{name}_internal": np.asarray(internal, dtype=np.int64),
            f"{name}_extra": np.array([version, gauss is not None,
                                       0.0 if gauss is None else gauss], dtype=np.float64)}


def _python_state_from(values: dict, name: str):
    version, has_gauss, gauss = values[f"{name}_extra"].tolist()
    internal = tuple(int(x) for x in values[f"{name}_internal"])
    return int(version), internal, gauss if has_gauss else None


# --- Fluxion's and Keras's global random streams -----------------------------------------------
def _global_random_arrays() -> dict:
    """The global streams of stateful random ops and of Keras's unseeded draws."""
    from fluxion.core import random_state
    from fluxion.keras import random as keras_random

    keys, states = [], []
    for key, variable in random_state._streams.items():
        if key is None:
            keys.append([0, 0, 0])
        else:
            keys.append([1 if key[1] is None else 2, key[0], key[1] or 0])
        states.append(variable.numpy())
    values = {"fluxion_stream_keys": np.array(keys, dtype=np.int64).reshape(-1, 3),
              "fluxion_stream_states": np.array(states, dtype=np.int64).reshape(-1, 3)}
    generator = random_state.global_generator
    values["fluxion_global_generator"] = np.zeros((0,), np.int64) if generator is None \
        else np.asarray(generator.state.numpy(), np.int64)
    values.update(_python_state_arrays("keras_python", keras_random._python_rng.getstate()))
    keras_generator = keras_random._global_generator
    values["keras_global_generator"] = np.zeros((0,), np.int64) if keras_generator is None \
        else np.asarray(keras_generator.state.numpy(), np.int64)
    return values


def _set_global_random(values: dict) -> None:
    from fluxion.core import random_state
    from fluxion.keras import random as keras_random

    for (kind, global_seed, op_seed), state in zip(values["fluxion_stream_keys"].tolist(),
                                                   values["fluxion_stream_states"]):
        key = None if kind == 0 else (global_seed, None if kind == 1 else op_seed)
        variable = random_state._streams.get(key)
        if variable is None:
            variable = random_state._streams[key] = random_state.new_state(0)
        variable.assign(state)
    saved = values["fluxion_global_generator"]
    if saved.size:
        from fluxion.ops.random_generator import get_global_generator

        get_global_generator().state.assign(saved)
    keras_random._python_rng.setstate(_python_state_from(values, "keras_python"))
    saved = values["keras_global_generator"]
    if saved.size:
        keras_random.global_seed_generator().state.assign(saved)
