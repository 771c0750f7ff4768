"""``Trainer``: ``compile``, ``fit``, ``evaluate``, ``predict`` and the step functions.

The step functions (``train_step``, ``test_step``, ``predict_step``) are plain Fluxion
code; unless ``run_eagerly``, each runs as one compiled ``fluxion.function`` whose batch
dimension is traced as unknown, so one trace serves every batch size, the short last
batch included, and repeated ``predict`` calls reuse it.
"""

from __future__ import annotations

import warnings

import numpy as np

from fluxion.core import nest
from fluxion.core.errors import OpError, user_location
from fluxion.core.tape import GradientTape
from fluxion.core.tensor import Tensor
from fluxion.core.tensor_spec import TensorSpec
from fluxion.graph.function import function
from fluxion.keras.models import data_adapter
from fluxion.keras.models.compile_utils import CompileLoss, CompileMetrics
from fluxion.keras.models.data_adapter import unpack_x_y_sample_weight
from fluxion.keras.models.trainer_metrics import TrainerMetrics


class Trainer(TrainerMetrics):
    """The training loop shared by every ``Model``."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._run_eagerly = False
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self._reset_step_functions()

    def _reset_step_functions(self) -> None:
        self._train_function = self._test_function = self._predict_function = None

    # --- compile ---------------------------------------------------------------------------------
    def compile_is_overridden(self) -> bool:
        """Whether this model's class defines its own ``compile`` (loading a saved model
        then cannot compile it from the saved compile config)."""
        return type(self).compile is not Trainer.compile

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly: bool = False, steps_per_execution: int = 1,
                jit_compile="auto", auto_scale_loss: bool = True) -> None:
        """Configures training: optimizer, loss(es), metrics (``'accuracy'`` fits the loss)."""
        from fluxion.keras import metrics as metrics_module
        from fluxion.keras import optimizers

        self.optimizer = optimizers.get(optimizer)
        if auto_scale_loss and self.optimizer is not None and \
                self.dtype_policy.name == "mixed_float16" and \
                not isinstance(self.optimizer, optimizers.LossScaleOptimizer):
            # float16 gradients underflow: scale the loss dynamically, as Keras does
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer,
                                                           name="loss_scale_optimizer")
        self.loss = loss
        output_names = self._output_names()
        self._compile_loss = CompileLoss(loss, loss_weights, output_names) \
            if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics, loss, output_names) \
            if metrics or weighted_metrics else None
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._run_eagerly = bool(run_eagerly)
        self.steps_per_execution = steps_per_execution
        self.jit_compile = jit_compile
        self._compile_config = {"optimizer": optimizer if isinstance(optimizer, str) else None,
                                "loss": loss if isinstance(loss, str) else None,
                                "metrics": metrics, "loss_weights": loss_weights,
                                "weighted_metrics": weighted_metrics, "run_eagerly": run_eagerly,
                                "steps_per_execution": steps_per_execution,
                                "jit_compile": jit_compile}
        self.compiled = True
        self.stop_training = False
        self._reset_step_functions()

    def _output_names(self):
        outputs = getattr(self, "outputs", None)
        if outputs:
            return [t._keras_history[0].name for t in outputs]
        return None

    @property
    def run_eagerly(self) -> bool:
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value: bool) -> None:
        self._run_eagerly = bool(value)
        self._reset_step_functions()

    # --- the steps --------------------------------------------------------------------------------
    def train_step(self, data) -> dict:
        """One optimizer step on ``data``; returns the metrics' results (Keras 3's step)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True) if self._call_has_training else self(x)
            loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                      training=True)
            scaled_loss = self.optimizer.scale_loss(loss)  # loss scaling, where set
        self._update_loss_tracker(loss, x)
        variables = self.trainable_weights
        if variables:
            grads = tape.gradient(scaled_loss, variables)
            self.optimizer.apply(grads, variables)
        else:
            warnings.warn("The model does not have any trainable weights.", stacklevel=2)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data) -> dict:
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False) if self._call_has_training else self(x)
        loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                  training=False)
        self._update_loss_tracker(loss, x)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # --- compiled step functions ------------------------------------------------------------------
    def _step_function(self, kind: str, example):
        attribute = f"_{kind}_function"
        step = getattr(self, attribute)
        if step is None:
            body = getattr(self, f"{kind}_step")
            if self._run_eagerly:
                step = body
            else:
                step = function(body, name=f"{kind}_function")
                # Trace once with the batch dimension unknown: every batch size reuses it.
                step.get_concrete_function(_batch_free_spec(example))
            setattr(self, attribute, step)
        return step

    def _run_step(self, kind: str, data):
        """Runs one ``kind`` step on ``data``; data errors name the user's line, not ours."""
        if kind != "predict":
            self._check_targets(kind, data)
        step = self._step_function(kind, data)
        try:
            return step(data)
        except OpError as error:
            if not _raised_in_compiled_graph(error):
                raise  # e.g. a shape error while tracing: its frames show the user's code
            # A bad value met while the compiled step ran (a label out of range): the
            # message names the op and the user's line; the frames inside are noise.
            raise error.with_traceback(None) from None

    def _check_targets(self, kind: str, data) -> None:
        default_step = getattr(type(self), f"{kind}_step") is getattr(Trainer, f"{kind}_step")
        if not default_step or self._compile_loss is None:
            return
        _, y, _ = unpack_x_y_sample_weight(data)
        for leaf in nest.flatten(y):
            if isinstance(leaf, Tensor) and leaf.dtype.name == "string":
                example = _first_string(leaf)
                raise TypeError(
                    f"The targets `y` given to {'fit' if kind == 'train' else 'evaluate'}() "
                    f"are strings (e.g. {example!r}), but the loss "
                    f"{self.loss!r} compares numbers. Turn the labels into class indices "
                    f"first, e.g. with keras.layers.StringLookup or "
                    f"`classes, y = np.unique(y, return_inverse=True)`. (at {user_location()})")

    def _ensure_built(self, example) -> None:
        if self.built:
            return
        from fluxion.keras.layers.layer import Layer

        if type(self).call is Layer.call:
            # No call(): a wrapper whose train_step drives its sub-models (a GAN); they
            # build on their first use, as in Keras.
            self.built = True
            return
        x, _, _ = unpack_x_y_sample_weight(example)
        self(x)  # builds every layer eagerly, outside any trace

    # --- fit --------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs: int = 1, verbose="auto",
            callbacks=None, validation_split: float = 0.0, validation_data=None,
            shuffle: bool = True, class_weight=None, sample_weight=None, initial_epoch: int = 0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None,
            validation_freq: int = 1):
        """Trains for ``epochs`` epochs; returns the ``History``."""
        from fluxion.keras.callbacks import CallbackList

        self._require_compiled("fit")
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = data_adapter.split_for_validation(
                x, y, sample_weight, validation_split)
        strategy = _multi_worker_strategy(self)
        is_dataset = hasattr(x, "_iteration_counters")
        if strategy is not None and is_dataset:
            # This worker's part of the pipeline, as its auto-shard policy says.
            x = strategy.experimental_distribute_dataset(x)
        batches = data_adapter.make_batches(x, y, sample_weight, batch_size, shuffle,
                                            steps_per_epoch, class_weight)
        # The input pipeline, when it is a Dataset: BackupAndRestore saves its state.
        self._fit_dataset = x if is_dataset else None
        verbose = 1 if verbose == "auto" else verbose
        if strategy is not None:
            verbose = verbose if strategy.is_chief else 0  # only the chief prints
        callback_list = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_history=True, add_progbar=verbose != 0, model=self,
            verbose=verbose, epochs=epochs, steps=batches.steps)
        self.stop_training = False
        callback_list.on_train_begin()
        logs = {}
        # BackupAndRestore.on_train_begin sets these to resume an interrupted fit.
        resume_epoch = getattr(self, "_initial_epoch", None)
        initial_epoch = initial_epoch if resume_epoch is None else resume_epoch
        skip_steps = getattr(self, "_initial_step", None) or 0
        self._initial_epoch = self._initial_step = None
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            epoch_batches = batches.batches()
            if strategy is not None and batches.steps is None:
                epoch_batches = strategy._batches_in_lockstep(epoch_batches)
            for step, data in epoch_batches:
                if skip_steps:  # trained before the interruption
                    skip_steps -= 1
                    continue
                callback_list.on_train_batch_begin(step)
                self._ensure_built(data)
                if strategy is not None:  # this worker's share; the same weights everywhere
                    if not is_dataset:
                        data = strategy._local_batch(data)
                    _sync_once(self, strategy)
                results = self._run_step("train", data)
                logs = _to_python(results)
                if strategy is not None and (batches.steps is None or
                                             step + 1 == batches.steps):
                    # averaged over workers at the epoch's end (and every step when the
                    # epoch's length is unknown): one collective less a step
                    logs = strategy._mean_logs(logs)
                callback_list.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            epoch_logs = dict(logs)
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                val_x, val_y, val_sw = unpack_x_y_sample_weight(validation_data)
                val_logs = self.evaluate(val_x, val_y, sample_weight=val_sw,
                                         batch_size=validation_batch_size or batch_size,
                                         steps=validation_steps, verbose=0, return_dict=True,
                                         _reset_train_metrics=False)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            logs = epoch_logs
            if self.stop_training:
                break
        callback_list.on_train_end(logs)
        return self.history

    # --- evaluate / predict -----------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict: bool = False,
                 _reset_train_metrics: bool = True, **kwargs):
        """The loss and metrics on the given data (a float, a list, or a dict)."""
        from fluxion.keras.callbacks import CallbackList

        self._require_compiled("evaluate")
        batches = data_adapter.make_batches(x, y, sample_weight, batch_size, False, steps)
        verbose = 1 if verbose == "auto" else verbose
        callback_list = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
            steps=batches.steps)
        self.reset_metrics()
        callback_list.on_test_begin()
        logs = {}
        for step, data in batches.batches():
            callback_list.on_test_batch_begin(step)
            self._ensure_built(data)
            logs = _to_python(self._run_step("test", data))
            callback_list.on_test_batch_end(step, logs)
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        return self._ordered_values(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs on ``x``, batch by batch, as NumPy arrays."""
        from fluxion.keras.callbacks import CallbackList

        batches = data_adapter.make_batches(x, None, None, batch_size, False, steps)
        verbose = 1 if verbose == "auto" else verbose
        callback_list = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
            steps=batches.steps)
        callback_list.on_predict_begin()
        outputs = []
        for step, data in batches.batches():
            callback_list.on_predict_batch_begin(step)
            self._ensure_built(data)
            batch_out = self._run_step("predict", data)
            outputs.append(nest.map_structure(lambda t: np.asarray(t._value), batch_out))
            callback_list.on_predict_batch_end(step, {"outputs": batch_out})
        callback_list.on_predict_end()
        if not outputs:
            raise ValueError("Unexpected result of `predict_function` (empty batch_outputs). "
                             "Please use `Model.compile(..., run_eagerly=True)`, or "
                             "`tf.config.run_functions_eagerly(True)` for more information "
                             "of where went wrong, or file a issue/bug to `tf.keras`.")
        return nest.map_structure(lambda *parts: np.concatenate(parts, axis=0), *outputs)

    # --- single batches ---------------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict: bool = False):
        self._require_compiled("train_on_batch")
        batches = data_adapter.ArrayBatches(x, y, sample_weight, batch_size=_len(x),
                                            class_weight=class_weight)
        self.reset_metrics()
        _, data = next(iter(batches.batches()))
        self._ensure_built(data)
        logs = _to_python(self._run_step("train", data))
        return logs if return_dict else self._ordered_values(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict: bool = False):
        self._require_compiled("test_on_batch")
        batches = data_adapter.ArrayBatches(x, y, sample_weight, batch_size=_len(x))
        self.reset_metrics()
        _, data = next(iter(batches.batches()))
        self._ensure_built(data)
        logs = _to_python(self._run_step("test", data))
        return logs if return_dict else self._ordered_values(logs)

    def predict_on_batch(self, x):
        batches = data_adapter.ArrayBatches(x, None, None, batch_size=_len(x))
        _, data = next(iter(batches.batches()))
        self._ensure_built(data)
        out = self._run_step("predict", data)
        return nest.map_structure(lambda t: np.asarray(t._value), out)

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"You must call `compile()` before using the model in "
                               f"`{what}()`; e.g. model.compile(optimizer='adam', loss='mse').")


def _batch_free_spec(example):
    def spec(leaf):
        if isinstance(leaf, Tensor):
            shape = tuple(leaf.shape)
            return TensorSpec((None,) + shape[1:] if shape else shape, leaf.dtype)
        return leaf

    return nest.map_structure(spec, example)


def _raised_in_compiled_graph(error: BaseException) -> bool:
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_filename.startswith("<fluxion graph"):
            return True
        frame = frame.tb_next
    return False


def _first_string(tensor) -> str:
    value = np.asarray(tensor._value).ravel()
    first = value[0] if value.size else ""
    return first.decode("utf-8", "replace") if isinstance(first, bytes) else str(first)


def _to_python(logs: dict) -> dict:
    """Logs as Python floats; a dict value (a metric container's result) is merged in."""
    flat = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            flat.update(_to_python(value))
        else:
            flat[key] = float(np.asarray(value._value if isinstance(value, Tensor) else value))
    return flat


def _len(x) -> int:
    return len(nest.flatten(x)[0])


def _multi_worker_strategy(model):
    """The fluxion.distribute strategy of the model's optimizer, if it has several workers."""
    strategy = getattr(getattr(model, "optimizer", None), "_distribute_strategy", None)
    return strategy if strategy is not None and strategy.num_replicas_in_sync > 1 else None


def _sync_once(model, strategy) -> None:
    """Before the first update: every worker takes the chief's weights and optimizer state."""
    if getattr(model, "_synced_with_workers", False):
        return
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    strategy._sync_variables(list(model.weights) + list(optimizer.variables))
    model._synced_with_workers = True
