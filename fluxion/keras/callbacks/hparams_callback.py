"""``keras.callbacks.HParamsCallback``: one row of TensorBoard's HParams table per run.

The equivalent of TensorBoard's ``hp.KerasCallback`` (which needs TensorFlow): it
records the run's hyperparameters when training starts and the run's end (success, or
failure when training raised) when it stops, in ``log_dir``.  Log the metrics with the
``TensorBoard`` callback into the same ``log_dir``; the HParams dashboard joins them.
"""

from __future__ import annotations

from fluxion.keras.callbacks.callback import Callback


class HParamsCallback(Callback):
    """Writes the HParams session start and end of a training run.

    Args:
      log_dir: the run's log directory (the ``TensorBoard`` callback's ``log_dir``).
      hparams: ``{name or tensorboard HParam: value}``.
      trial_id: the run's id in the table (default: a hash of the values).
    """

    def __init__(self, log_dir, hparams: dict, trial_id: str | None = None):
        super().__init__()
        if not isinstance(hparams, dict):
            raise TypeError(f"HParamsCallback: hparams must be a dict, got "
                            f"{type(hparams).__name__}")
        self.log_dir = log_dir
        self.hparams = dict(hparams)
        self.trial_id = trial_id
        self._writer = None

    def on_train_begin(self, logs=None):
        from fluxion import summary

        self._writer = summary.create_file_writer(self.log_dir)
        with self._writer.as_default():
            summary.hparams(self.hparams, trial_id=self.trial_id)
        self._writer.flush()

    def on_train_end(self, logs=None):
        from fluxion import summary

        if self._writer is None:
            return
        status = "STATUS_FAILURE" if getattr(self.model, "_fit_failed", False) \
            else "STATUS_SUCCESS"
        with self._writer.as_default():
            summary.hparams_end(status)
        self._writer.close()
        self._writer = None
