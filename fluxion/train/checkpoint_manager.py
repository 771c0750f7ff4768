"""``fluxion.train.CheckpointManager``: numbered checkpoints in a directory, old ones pruned.

Each ``save`` writes ``{directory}/{checkpoint_name}-{n}`` (atomically), then rewrites the
directory's ``checkpoint`` state file (atomically) to list it, then deletes the oldest
checkpoints beyond ``max_to_keep``.  A process killed at any point leaves a state file
naming only complete checkpoints, so ``latest_checkpoint`` always restores.
"""

from __future__ import annotations

import collections
import contextlib
import os
import time

from fluxion.train import checkpoint_file, checkpoint_state


class CheckpointManager:
    """Manages the checkpoints of one ``Checkpoint`` in one directory.

    Args:
      checkpoint: the ``fluxion.train.Checkpoint`` to save and restore.
      directory: where to write the checkpoints and the ``checkpoint`` state file.
      max_to_keep: how many recent checkpoints to keep (None keeps all).
      keep_checkpoint_every_n_hours: also keep, forever, one checkpoint per this many
        hours among those pruned.
      checkpoint_name: the prefix of the checkpoint files (``"ckpt"``).
      step_counter: a variable holding the training step, needed with
        ``checkpoint_interval``.
      checkpoint_interval: save only when ``step_counter`` moved at least this much since
        the last save.
      init_fn: called by ``restore_or_initialize`` when there is no checkpoint.
      last_checkpoint_step: the step of the last saved checkpoint, for
        ``checkpoint_interval``.

    >>> manager = CheckpointManager(Checkpoint(step=step), "/tmp/run", max_to_keep=3)
    >>> manager.save()      # '/tmp/run/ckpt-1'
    """

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name: str = "ckpt", step_counter=None, checkpoint_interval=None,
                 init_fn=None, last_checkpoint_step=None):
        if not (hasattr(checkpoint, "write") and hasattr(checkpoint, "save_counter")):
            raise TypeError(f"CheckpointManager expects a fluxion.train.Checkpoint, got "
                            f"{type(checkpoint).__name__}.")
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(f"Expected a positive integer or `None` for `max_to_keep`, got "
                             f"{max_to_keep}.")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is not "
                             "None.")
        self._checkpoint = checkpoint
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._directory = os.fspath(directory)
        self._checkpoint_prefix = os.path.join(self._directory, checkpoint_name)
        self._init_fn = init_fn
        self._step_counter = step_counter
        self._checkpoint_interval = checkpoint_interval
        self._last_checkpoint_step = last_checkpoint_step
        self._maybe_delete: collections.OrderedDict = collections.OrderedDict()
        self._recover_state()

    def _recover_state(self) -> None:
        state = checkpoint_state.get_checkpoint_state(self._directory)
        now = _clock()
        if state is None:
            self._latest_checkpoint = None
            self._last_preserved_timestamp = now - 1.0
            return
        self._latest_checkpoint = state.model_checkpoint_path
        self._last_preserved_timestamp = min(state.last_preserved_timestamp, now)
        timestamps = state.all_model_checkpoint_timestamps or \
            [self._last_preserved_timestamp] * len(state.all_model_checkpoint_paths)
        for path, stamp in zip(state.all_model_checkpoint_paths, timestamps):
            stamp = min(stamp, now)
            if stamp > self._last_preserved_timestamp:
                self._maybe_delete[path] = stamp

    # --- properties ----------------------------------------------------------------------------
    @property
    def directory(self) -> str:
        return self._directory

    @property
    def checkpoint(self):
        """The managed ``Checkpoint``."""
        return self._checkpoint

    @property
    def checkpoint_interval(self):
        return self._checkpoint_interval

    @property
    def latest_checkpoint(self) -> str | None:
        """The prefix of the newest checkpoint (for ``Checkpoint.restore``), or None."""
        return self._latest_checkpoint

    @property
    def checkpoints(self) -> list:
        """The managed checkpoints, oldest first (those kept by the hourly rule excluded)."""
        return list(self._maybe_delete)

    # --- saving --------------------------------------------------------------------------------
    def save(self, checkpoint_number=None, check_interval: bool = True, options=None):
        """Saves a new checkpoint and prunes old ones; returns its path (None if skipped).

        Args:
          checkpoint_number: the number in the file name (an int or an integer variable);
            by default the checkpoint's ``save_counter``, which is incremented either way.
          check_interval: with ``checkpoint_interval``, skip the save unless the step
            moved that far since the last one.
        """
        if self._checkpoint_interval is not None:
            step = int(_value(self._step_counter))
            if self._last_checkpoint_step is not None:
                if step == self._last_checkpoint_step:
                    return None
                if check_interval and step < self._last_checkpoint_step + \
                        self._checkpoint_interval:
                    return None
            self._last_checkpoint_step = step
        counter = self._checkpoint.save_counter
        counter.assign_add(1)
        number = counter if checkpoint_number is None else checkpoint_number
        path = self._checkpoint.write(f"{self._checkpoint_prefix}-{int(_value(number))}")
        self._maybe_delete.pop(path, None)
        self._maybe_delete[path] = _clock()
        self._latest_checkpoint = path
        self._record_state()  # first name the new checkpoint, then delete old ones
        if self._sweep():
            self._record_state()
        return path

    def _sweep(self) -> bool:
        if not self._max_to_keep:
            return False
        swept = False
        while len(self._maybe_delete) > self._max_to_keep:
            path, stamp = self._maybe_delete.popitem(last=False)
            swept = True
            hours = self._keep_checkpoint_every_n_hours
            if hours and stamp - hours * 3600.0 >= self._last_preserved_timestamp:
                self._last_preserved_timestamp = stamp
                continue
            with contextlib.suppress(FileNotFoundError):
                checkpoint_file.remove(path)
        return swept

    def _record_state(self) -> None:
        checkpoint_state.update_checkpoint_state(
            self._directory, self._latest_checkpoint,
            all_model_checkpoint_paths=list(self._maybe_delete),
            all_model_checkpoint_timestamps=list(self._maybe_delete.values()),
            last_preserved_timestamp=self._last_preserved_timestamp)

    # --- restoring -----------------------------------------------------------------------------
    def restore_or_initialize(self):
        """Restores the latest checkpoint, or calls ``init_fn`` if there is none.

        Returns the restored checkpoint's path, or None.
        """
        if self._latest_checkpoint is not None:
            self._checkpoint.restore(self._latest_checkpoint)
            if self._checkpoint_interval is not None:
                self._last_checkpoint_step = int(_value(self._step_counter))
            return self._latest_checkpoint
        if self._init_fn is not None:
            self._init_fn()
        return None

    def sync(self) -> None:
        """Waits for outstanding saves (there are none: saving is synchronous)."""


def _clock() -> float:
    return time.time()


def _value(number):
    return number.numpy() if hasattr(number, "numpy") else number
