"""``keras.callbacks.TensorBoard``: training logs TensorBoard shows, laid out as Keras 3's.

Under ``log_dir`` it writes two runs, ``train/`` and ``validation/``:

- each epoch, ``epoch_<metric>`` (``epoch_loss``, ``epoch_accuracy``...) in both runs,
  ``epoch_learning_rate`` (and ``epoch_steps_per_second``) in ``train/``, and
  ``evaluation_<metric>_vs_iterations`` in ``validation/`` at the optimizer's step;
- with ``update_freq="batch"`` or an int N, ``batch_<metric>`` every N steps, at the
  optimizer's step;
- with ``histogram_freq``, weight histograms ``<model>/<layer>/<weight>/histogram``
  (and ``.../image`` with ``write_images``);
- with ``write_graph``, the model's config (tag ``keras``: TensorBoard's conceptual
  graph) and the traced training step as a ``GraphDef`` (the op graph, nodes grouped by
  layer, each with the line of code that made it).

Writing goes through ``fluxion.summary`` (the ``tensorboard`` package must be installed).
A failing disk is reported once and never stops training.
"""

from __future__ import annotations

import os
import time

import numpy as np

from fluxion.keras.callbacks.callback import Callback, worker_write_path
from fluxion.keras.saving.serialization import keras_class


@keras_class("keras.callbacks")
class TensorBoard(Callback):
    """Logs metrics, weights and the model's graph for TensorBoard.

    Args:
      log_dir: where the ``train`` and ``validation`` runs are written.
      histogram_freq: every this many epochs, weight histograms (0: never).
      write_graph: write the model's graph.
      write_images: write weights as images (with ``histogram_freq``).
      write_steps_per_second: log training speed.
      update_freq: ``"epoch"``, ``"batch"`` or an int N: log batch metrics every N steps.
      profile_batch, embeddings_freq, embeddings_metadata: accepted for compatibility;
        Fluxion records no profiles or embeddings.

    >>> import tempfile
    >>> callback = TensorBoard(log_dir=tempfile.mkdtemp(), histogram_freq=1)
    """

    def __init__(self, log_dir="logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False,
                 update_freq="epoch", profile_batch=0, embeddings_freq: int = 0,
                 embeddings_metadata=None):
        super().__init__()
        from fluxion.io import tensorboard_package

        tensorboard_package.protos()  # fail now, with the install hint, if tensorboard is missing
        del profile_batch, embeddings_metadata
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (not isinstance(update_freq, int) or update_freq < 1):
            raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or a positive "
                             f"int, got {update_freq!r}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = int(histogram_freq)
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq
        self.embeddings_freq = embeddings_freq
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers: dict = {}
        self._graph_written = False

    # --- writers --------------------------------------------------------------------------------
    def _writer(self, run: str):
        from fluxion import summary

        if run not in self._writers:
            path = self._train_dir if run == "train" else self._val_dir
            path = worker_write_path(self.model, path)  # the chief's logs are the run's
            self._writers[run] = summary.create_file_writer(path)
        return self._writers[run]

    def _scalars(self, run: str, values: dict, step: int, prefix: str = "",
                 suffix: str = "") -> None:
        from fluxion import summary

        with self._writer(run).default_without_flush(step=int(step)):
            for name, value in values.items():
                if _is_number(value):
                    summary.scalar(f"{prefix}{name}{suffix}", float(value))

    def _iterations(self) -> int:
        optimizer = getattr(self.model, "optimizer", None)
        iterations = getattr(optimizer, "iterations", None)
        return int(np.asarray(iterations.numpy())) if iterations is not None else 0

    # --- hooks -------------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._graph_written = False
        self._epoch_started = time.perf_counter()
        self._batch_started = time.perf_counter()
        if self.write_graph:
            self._write_keras_model()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_started = time.perf_counter()
        self._epoch_steps = 0

    def on_train_batch_begin(self, batch, logs=None):
        self._batch_started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._epoch_steps = getattr(self, "_epoch_steps", 0) + 1
        if self.write_graph and not self._graph_written:
            self._write_train_graph()
        if self.update_freq == "epoch" or not logs:
            return
        step = self._iterations()
        if step % self.update_freq:
            return
        values = dict(logs)
        if self.write_steps_per_second:
            values["steps_per_second"] = 1.0 / max(time.perf_counter() - self._batch_started,
                                                   1e-9)
        self._scalars("train", values, step, prefix="batch_")

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        validation = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        learning_rate = _learning_rate(self.model)
        if learning_rate is not None:
            train["learning_rate"] = learning_rate
        if self.write_steps_per_second:
            elapsed = max(time.perf_counter() - self._epoch_started, 1e-9)
            train["steps_per_second"] = getattr(self, "_epoch_steps", 0) / elapsed
        self._scalars("train", train, epoch, prefix="epoch_")
        if validation:
            self._scalars("validation", validation, epoch, prefix="epoch_")
            self._scalars("validation", validation, self._iterations(), prefix="evaluation_",
                          suffix="_vs_iterations")
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_weights(epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    # --- what is written ------------------------------------------------------------------------
    def _write_keras_model(self) -> None:
        from fluxion import summary
        from fluxion.io import tensorboard_package

        try:
            config = self.model.to_json()
        except (TypeError, ValueError, NotImplementedError, AttributeError):
            return  # subclassed models without a config have no conceptual graph
        graph_metadata = tensorboard_package.plugin_metadata("graph")
        summary_pb2 = tensorboard_package.protos().summary_pb2
        metadata = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name=graph_metadata.PLUGIN_NAME_KERAS_MODEL, content=b"1"))
        with self._writer("train").as_default(step=0):
            summary.write("keras", config, metadata=metadata)

    def _write_train_graph(self) -> None:
        from fluxion import summary

        self._graph_written = True
        step_function = getattr(self.model, "_train_function", None)
        if getattr(step_function, "_traces", None):
            with self._writer("train").as_default(step=0):
                summary.graph(step_function)

    def _write_weights(self, epoch: int) -> None:
        from fluxion import summary

        model_name = self.model.name
        with self._writer("train").as_default(step=int(epoch)):
            for weight in self.model.weights:
                path = getattr(weight, "path", None) or weight.name
                if not path.startswith(model_name + "/"):
                    path = f"{model_name}/{path}"
                tag = path.replace(":", "_")
                value = np.asarray(weight.numpy())
                summary.histogram(f"{tag}/histogram", value)
                if self.write_images:
                    image = _weight_image(value)
                    if image is not None:
                        summary.image(f"{tag}/image", image)


def _is_number(value) -> bool:
    try:
        return np.asarray(value).size == 1 and np.asarray(value).dtype.kind in "biuf"
    except (TypeError, ValueError):
        return False


def _learning_rate(model):
    optimizer = getattr(model, "optimizer", None)
    rate = getattr(optimizer, "learning_rate", None)
    if rate is None:
        return None
    if callable(rate) and not hasattr(rate, "numpy"):
        rate = rate(optimizer.iterations)
    try:
        return float(np.asarray(rate.numpy() if hasattr(rate, "numpy") else rate))
    except (TypeError, ValueError):
        return None


def _weight_image(value: np.ndarray):
    """A weight as images, as Keras draws it: [k, height, width, 1] floats."""
    value = np.squeeze(value)
    if value.ndim == 1:
        return value.reshape(1, value.shape[0], 1, 1)
    if value.ndim == 2:
        if value.shape[0] > value.shape[1]:
            value = value.T
        return value.reshape(1, value.shape[0], value.shape[1], 1)
    if value.ndim == 3:  # convolution kernels: one image per output channel
        return np.transpose(value, (2, 0, 1))[..., np.newaxis]
    return None
