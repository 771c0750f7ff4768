"""``keras.callbacks.Callback``: the hooks ``fit``, ``evaluate`` and ``predict`` call.

Every hook is a no-op here; a subclass overrides the ones it needs.  ``logs`` are dicts
of Python floats (metric name -> value).  The training loop calls, in order::

    on_train_begin
      on_epoch_begin(epoch)
        on_train_batch_begin(batch) / on_train_batch_end(batch, logs)   per step
        (validation: on_test_begin, on_test_batch_*, on_test_end)
      on_epoch_end(epoch, logs)          logs hold the epoch's metrics and val_ metrics
    on_train_end

``on_train_batch_begin`` / ``on_train_batch_end`` forward to the older ``on_batch_begin``
/ ``on_batch_end``, so callbacks written against either name work.
"""

from __future__ import annotations

from fluxion.keras.saving.serialization import keras_class


@keras_class("keras.callbacks")
class Callback:
    """Base class of callbacks.

    Attributes:
        params: the training parameters (``verbose``, ``epochs``, ``steps``).
        model: the model being trained, evaluated or used for prediction.

    Example:
    >>> class Count(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         self.last = epoch
    >>> callback = Count(); callback.on_epoch_end(2); callback.last
    2
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self._model = model

    @property
    def model(self):
        return self._model

    @model.setter
    def model(self, model) -> None:
        self._model = model

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """A backwards-compatible alias for ``on_train_batch_begin``."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """A backwards-compatible alias for ``on_train_batch_end``."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of an epoch (training only)."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of an epoch with its metrics (validation ones prefixed val_)."""

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called at the start of a training step."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called at the end of a training step with the metrics so far."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called at the start of an evaluation step."""

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called at the end of an evaluation step."""

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called at the start of a prediction step."""

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called at the end of a prediction step."""

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called at the start of training."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called at the end of training."""

    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called at the start of evaluation (or validation)."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """Called at the end of evaluation (or validation)."""

    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called at the start of prediction."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called at the end of prediction."""


def worker_write_path(model, path: str) -> str:
    """Where a callback writes: ``path`` on the chief (or without a multi-worker
    strategy); on other workers a private temporary directory, as TF does, so workers
    never write the same files."""
    strategy = getattr(getattr(model, "optimizer", None), "_distribute_strategy", None)
    if strategy is None or strategy.num_replicas_in_sync == 1 or strategy.is_chief:
        return path
    import os
    import tempfile

    base = tempfile.mkdtemp(prefix=f"fluxion-worker{strategy.cluster_resolver.task_id}-")
    return os.path.join(base, os.path.basename(os.path.normpath(path)) or "files")
