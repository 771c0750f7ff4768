"""Tests of fluxion.keras.callbacks, each driven through a CallbackList on a stub model."""

import csv
import io
import math
import re
import sys

import numpy as np
import pytest

from fluxion.keras import callbacks as cbks

GLYPH = "\u2501"


class StubOptimizer:
    def __init__(self, learning_rate=0.1, name="sgd"):
        self._lr = learning_rate
        self.name = name

    @property
    def learning_rate(self):
        return self._lr

    @learning_rate.setter
    def learning_rate(self, value):
        self._lr = float(value)


class StubModel:
    """What callbacks use of a Model: weights, stop_training, save, optimizer, metrics."""

    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros(2)]
        self.optimizer = StubOptimizer()
        self.metrics = []
        self.saved = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save(self, filepath, overwrite=True):
        self.saved.append(("model", filepath))

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(("weights", filepath))


def run_fit(callbacks, epoch_logs, model=None, steps=2, verbose=0, batch_logs=None):
    """Drives callbacks like Model.fit: one entry of epoch_logs per epoch, stops on request.

    epoch_logs[i] may be a callable(model) -> logs, so logs can depend on the weights.
    Each epoch's weights become [epoch, epoch] before its logs are computed.
    """
    model = model or StubModel()
    callback_list = cbks.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                                      model=model, verbose=verbose, epochs=len(epoch_logs),
                                      steps=steps)
    callback_list.on_train_begin()
    for epoch, logs in enumerate(epoch_logs):
        callback_list.on_epoch_begin(epoch)
        for batch in range(steps):
            callback_list.on_train_batch_begin(batch)
            callback_list.on_train_batch_end(batch, batch_logs or {"loss": 1.0})
        model.weights = [np.full(2, float(epoch))]
        callback_list.on_epoch_end(epoch, logs(model) if callable(logs) else dict(logs))
        if model.stop_training:
            break
    callback_list.on_train_end()
    return model


# -- CallbackList and History -------------------------------------------------------------

def test_callback_list_adds_defaults_in_keras_order_and_sets_params():
    user = cbks.TerminateOnNaN()
    model = StubModel()
    callback_list = cbks.CallbackList([[user]], add_history=True, add_progbar=True, model=model,
                                      verbose=1, epochs=3, steps=5)
    kinds = [type(c).__name__ for c in callback_list.callbacks]
    assert kinds == ["TerminateOnNaN", "History", "ProgbarLogger"]
    assert callback_list.params == {"verbose": 1, "epochs": 3, "steps": 5}
    assert all(c.params == callback_list.params for c in callback_list.callbacks)
    assert all(c.model is model for c in callback_list.callbacks)
    assert model.history is callback_list.callbacks[1]


def test_callback_list_keeps_user_history_and_progbar():
    history, progbar = cbks.History(), cbks.ProgbarLogger()
    callback_list = cbks.CallbackList([progbar, history], add_history=True, add_progbar=True)
    assert callback_list.callbacks == [progbar, history]


def test_callback_list_logs_are_python_floats_sorted():
    seen = []
    probe = cbks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(logs))
    callback_list = cbks.CallbackList([probe], model=StubModel())
    callback_list.on_epoch_end(0, {"loss": np.float32(0.5), "acc": np.array(0.25)})
    assert list(seen[0]) == ["acc", "loss"]
    assert all(type(v) is float for v in seen[0].values())


def test_callback_list_end_without_begin_raises():
    callback_list = cbks.CallbackList([])
    with pytest.raises(ValueError, match="without corresponding"):
        callback_list.on_test_end()


def test_callback_base_hooks_are_noops_and_batch_aliases_forward():
    calls = []

    class Legacy(cbks.Callback):
        def on_batch_end(self, batch, logs=None):
            calls.append(batch)

    callback = Legacy()
    for hook in ("on_train_begin", "on_train_end", "on_test_begin", "on_test_end",
                 "on_predict_begin", "on_predict_end"):
        getattr(callback, hook)({})
    callback.on_test_batch_end(0, {})
    callback.on_train_batch_end(4, {})
    assert calls == [4]
    callback.set_model("m")
    assert callback.model == "m"


def test_history_records_every_epoch():
    model = run_fit([], [{"loss": 3.0}, {"loss": 2.0, "val_loss": 4.0}])
    assert model.history.history == {"loss": [3.0, 2.0], "val_loss": [4.0]}
    assert model.history.epoch == [0, 1]


# -- ProgbarLogger --------------------------------------------------------------------------

def _normalize_times(text):
    return re.sub(r"\d+(us|ms|s)/step", "T/step", re.sub(r" \d+s ", " Ns ", text))


def test_progbar_logger_verbose1_log_file_prints_one_clean_line_per_epoch(capsys):
    run_fit([], [{"loss": 0.5, "accuracy": 0.9}, {"loss": 0.25, "accuracy": 0.95}],
            steps=3, verbose=1, batch_logs={"loss": 1.0, "accuracy": 0.1})
    out = capsys.readouterr().out
    assert "\r" not in out and "\b" not in out and "\x1b" not in out
    assert _normalize_times(out) == (
        "Epoch 1/2\n"
        f"3/3 {GLYPH * 20} Ns T/step - accuracy: 0.9000 - loss: 0.5000\n"
        "Epoch 2/2\n"
        f"3/3 {GLYPH * 20} Ns T/step - accuracy: 0.9500 - loss: 0.2500\n")


def test_progbar_logger_verbose2_one_line_per_epoch(capsys):
    run_fit([], [{"loss": 0.5, "val_loss": 0.00001}], steps=32, verbose=2)
    out = capsys.readouterr().out
    assert re.fullmatch(r"32/32 - \d+s - \d+(us|ms|s)/step - loss: 0\.5000 - "
                        r"val_loss: 1\.0000e-05\n", out), out


def test_progbar_logger_verbose0_prints_nothing(capsys):
    model = StubModel()
    callback_list = cbks.CallbackList([], add_progbar=True, model=model, verbose=0, epochs=2,
                                      steps=2)
    callback_list.on_train_begin()
    callback_list.on_epoch_begin(0)
    callback_list.on_train_batch_end(0, {"loss": 1.0})
    callback_list.on_epoch_end(0, {"loss": 1.0})
    callback_list.on_train_end()
    assert capsys.readouterr().out == ""


def test_progbar_logger_validation_in_fit_is_silent_and_evaluate_counts_steps(capsys):
    callback_list = cbks.CallbackList([], add_progbar=True, model=StubModel(), verbose=2,
                                      epochs=1, steps=1)
    callback_list.on_train_begin()
    callback_list.on_epoch_begin(0)
    callback_list.on_train_batch_end(0, {"loss": 1.0})
    callback_list.on_test_begin()
    callback_list.on_test_batch_end(0, {"loss": 9.0})
    callback_list.on_test_end({"loss": 9.0})
    callback_list.on_epoch_end(0, {"loss": 1.0, "val_loss": 9.0})
    callback_list.on_train_end()
    out = capsys.readouterr().out
    assert "Epoch" not in out  # a single epoch gets no header, as in Keras
    assert out.count("\n") == 1 and "val_loss: 9.0000" in out
    # evaluate with an unknown number of steps: the count is learned at the end
    evaluate = cbks.CallbackList([], add_progbar=True, model=StubModel(), verbose=2, epochs=1,
                                 steps=None)
    evaluate.on_test_begin()
    for batch in range(12):
        evaluate.on_test_batch_end(batch, {"loss": 2.0})
    evaluate.on_test_end({"loss": 2.0})
    assert capsys.readouterr().out.startswith("12/12 - ")


def test_progbar_logger_terminal_redraws_in_place(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    run_fit([], [{"loss": 0.5}], steps=3, verbose=1)
    out = terminal.getvalue()
    assert out.startswith("\r\x1b[1m1/3\x1b[0m ")
    assert "\b" in out and out.endswith("loss: 0.5000\n")
    assert out.count("\n") == 1


# -- EarlyStopping --------------------------------------------------------------------------

def test_early_stopping_patience_and_restore_best_weights(capsys):
    losses = [1.0, 0.5, 0.6, 0.7, 0.4]
    stopper = cbks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True,
                                 verbose=1)
    model = run_fit([stopper], [{"val_loss": v} for v in losses])
    assert stopper.stopped_epoch == 3 and model.history.epoch == [0, 1, 2, 3]
    assert stopper.best == 0.5 and stopper.best_epoch == 1
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])  # weights of epoch 1
    out = capsys.readouterr().out
    assert "Epoch 4: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out


def test_early_stopping_min_delta_and_max_mode():
    stopper = cbks.EarlyStopping(monitor="acc", min_delta=0.1, patience=1, mode="max")
    model = run_fit([stopper], [{"acc": a} for a in (0.5, 0.55, 0.58, 0.9)])
    assert model.history.epoch == [0, 1]  # +0.05 is no improvement with min_delta=0.1


def test_early_stopping_auto_mode_from_metric_direction_and_name():
    class Metric:
        name = "score"
        _direction = "up"

    model = StubModel()
    model.metrics = [type("Container", (), {"metrics": [Metric()]})()]
    stopper = cbks.EarlyStopping(monitor="val_score", patience=0)
    run_fit([stopper], [{"val_score": 1.0}, {"val_score": 2.0}, {"val_score": 1.5}], model=model)
    assert stopper.stopped_epoch == 2
    accuracy = cbks.EarlyStopping(monitor="val_accuracy")
    accuracy.set_model(StubModel())
    accuracy._set_monitor_op()
    assert accuracy._is_improvement(0.9, 0.8)
    mystery = cbks.EarlyStopping(monitor="zork")
    mystery.set_model(StubModel())
    with pytest.raises(ValueError, match="mode='max'"):
        mystery.on_epoch_end(0, {"zork": 1.0})


def test_early_stopping_baseline_and_start_from_epoch():
    # As in Keras 3: epochs that fail to beat the baseline use up the patience...
    stopper = cbks.EarlyStopping(monitor="loss", baseline=0.5, patience=2)
    model = run_fit([stopper], [{"loss": v} for v in (0.9, 0.95, 0.97, 0.99)])
    assert model.history.epoch == [0, 1]
    # ...but an epoch improving on the best so far never stops training, even above it.
    stopper = cbks.EarlyStopping(monitor="loss", baseline=0.5, patience=2)
    model = run_fit([stopper], [{"loss": v} for v in (0.9, 0.8, 0.7, 0.6, 0.1)])
    assert model.history.epoch == [0, 1, 2, 3, 4] and stopper.wait == 0
    late = cbks.EarlyStopping(monitor="loss", patience=0, start_from_epoch=3)
    model = run_fit([late], [{"loss": v} for v in (1.0, 2.0, 3.0, 4.0, 5.0)])
    assert model.history.epoch == [0, 1, 2, 3, 4]


def test_early_stopping_missing_metric_warns():
    stopper = cbks.EarlyStopping(monitor="val_loss")
    with pytest.warns(UserWarning, match="Available metrics are: loss"):
        run_fit([stopper], [{"loss": 1.0}])


# -- ModelCheckpoint ------------------------------------------------------------------------

def test_model_checkpoint_formats_file_names(tmp_path):
    pattern = str(tmp_path / "sub" / "ckpt-{epoch:02d}-{val_loss:.2f}.keras")
    model = run_fit([cbks.ModelCheckpoint(pattern)], [{"val_loss": 0.123}, {"val_loss": 2.0}])
    assert model.saved == [("model", str(tmp_path / "sub" / "ckpt-01-0.12.keras")),
                           ("model", str(tmp_path / "sub" / "ckpt-02-2.00.keras"))]
    assert (tmp_path / "sub").is_dir()


def test_model_checkpoint_best_only_and_threshold(tmp_path, capsys):
    path = str(tmp_path / "best.weights.h5")
    checkpoint = cbks.ModelCheckpoint(path, monitor="val_acc", mode="max", verbose=1,
                                      save_best_only=True, save_weights_only=True,
                                      initial_value_threshold=0.3)
    model = run_fit([checkpoint], [{"val_acc": a} for a in (0.2, 0.5, 0.4, 0.6)])
    assert model.saved == [("weights", path)] * 2
    assert checkpoint.best == 0.6
    out = capsys.readouterr().out
    assert "Epoch 1: val_acc did not improve from 0.30000" in out
    assert f"Epoch 2: val_acc improved from 0.30000 to 0.50000, saving model to {path}" in out


def test_model_checkpoint_save_freq_in_batches(tmp_path):
    pattern = str(tmp_path / "e{epoch}-b{batch}.keras")
    model = run_fit([cbks.ModelCheckpoint(pattern, save_freq=3)], [{}, {}], steps=4)
    names = [p.rsplit("/", 1)[1] for _, p in model.saved]
    assert names == ["e1-b3.keras", "e2-b2.keras"]  # batches 3 and 6 of 8


def test_model_checkpoint_validates_arguments(tmp_path):
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        cbks.ModelCheckpoint(str(tmp_path / "w.keras"), save_weights_only=True)
    with pytest.raises(ValueError, match=r"must end in `\.keras`"):
        cbks.ModelCheckpoint(str(tmp_path / "m.ckpt"))
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        cbks.ModelCheckpoint(str(tmp_path / "m.keras"), save_freq="batch")
    checkpoint = cbks.ModelCheckpoint(str(tmp_path / "{val_acc}.keras"))
    with pytest.raises(KeyError, match="Failed to format"):
        run_fit([checkpoint], [{"loss": 1.0}])


def test_model_checkpoint_best_only_without_metric_saves_with_warning(tmp_path):
    checkpoint = cbks.ModelCheckpoint(str(tmp_path / "m.keras"), save_best_only=True)
    with pytest.warns(UserWarning, match="Can save best model only with val_loss"):
        model = run_fit([checkpoint], [{"loss": 1.0}])
    assert len(model.saved) == 1


# -- learning rate ----------------------------------------------------------------------------

def test_reduce_lr_on_plateau_patience_cooldown_min_lr(capsys):
    reducer = cbks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, cooldown=1,
                                     min_lr=0.03, verbose=1)
    model = StubModel()
    seen = []
    recorder = cbks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(
        logs.get("learning_rate")))
    run_fit([reducer, recorder], [{"val_loss": 1.0}] * 6, model=model)
    # Logged before the change (values checked against Keras 3): epoch 1 reduces to 0.05,
    # epoch 2 ends the cooldown and reduces to min_lr, which then holds.
    assert seen == [0.1, 0.1, 0.05, 0.03, 0.03, 0.03]
    assert math.isclose(model.optimizer.learning_rate, 0.03)
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05." in capsys.readouterr().out
    with pytest.raises(ValueError, match="factor >= 1.0"):
        cbks.ReduceLROnPlateau(factor=1.0)


def test_learning_rate_scheduler_one_and_two_argument_schedules(capsys):
    model = StubModel()
    two = cbks.LearningRateScheduler(lambda epoch, lr: lr * 0.5, verbose=1)
    run_fit([two], [{}, {}], model=model)
    assert math.isclose(model.optimizer.learning_rate, 0.025)
    assert model.history.history["learning_rate"] == [0.05, 0.025]
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.05." in (
        capsys.readouterr().out)
    one = cbks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))
    run_fit([one], [{}, {}, {}], model=model)
    assert math.isclose(model.optimizer.learning_rate, 0.03)
    bad = cbks.LearningRateScheduler(lambda epoch: 1)
    with pytest.raises(ValueError, match="should be a float"):
        run_fit([bad], [{}], model=model)


# -- CSVLogger ---------------------------------------------------------------------------------

def test_csv_logger_content_and_na_for_late_validation(tmp_path):
    path = tmp_path / "log.csv"
    run_fit([cbks.CSVLogger(str(path))],
            [{"loss": 0.5, "acc": 0.25}, {"loss": 0.4, "acc": 0.5, "val_loss": 1.0}])
    assert path.read_bytes() == (b"epoch,acc,loss,val_acc,val_loss\r\n0,0.25,0.5,NA,NA\r\n"
                                 b"1,0.5,0.4,NA,1.0\r\n")


def test_csv_logger_append_and_separator(tmp_path):
    path = tmp_path / "log.tsv"
    run_fit([cbks.CSVLogger(str(path), separator="\t", append=True)], [{"loss": 1.0}])
    run_fit([cbks.CSVLogger(str(path), separator="\t", append=True)], [{"loss": 2.0}])
    rows = list(csv.reader(path.read_text().splitlines(), delimiter="\t"))
    assert rows == [["epoch", "loss", "val_loss"], ["0", "1.0", "NA"], ["0", "2.0", "NA"]]


def test_csv_logger_file_is_valid_after_a_crash(tmp_path):
    path = tmp_path / "log.csv"
    logger = cbks.CSVLogger(str(path))
    callback_list = cbks.CallbackList([logger], model=StubModel())
    callback_list.on_train_begin()
    for epoch in range(2):
        callback_list.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1), "val_loss": 2.0})
    # No on_train_end: the process "crashed". Another reader sees every finished epoch.
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert [row["loss"] for row in rows] == ["1.0", "0.5"]
    logger.on_train_end()


# -- TerminateOnNaN and LambdaCallback -------------------------------------------------------

def test_terminate_on_nan_sets_stop_training(capsys):
    model = run_fit([cbks.TerminateOnNaN()], [{}, {}], batch_logs={"loss": float("nan")})
    assert model.stop_training and model.history.epoch == [0]
    assert "Batch 0: Invalid loss, terminating training" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="NaN or Inf loss"):
        run_fit([cbks.TerminateOnNaN(raise_error=True)], [{}],
                batch_logs={"loss": float("inf")})


def test_lambda_callback_hooks_and_extra_keywords():
    events = []
    callback = cbks.LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: events.append(("epoch", epoch)),
        on_train_batch_end=lambda batch, logs: events.append(("batch", batch)),
        on_train_end=lambda logs: events.append("train_end"),
        on_test_begin=lambda logs: events.append("test_begin"))
    run_fit([callback], [{}], steps=2)
    callback.on_test_begin({})
    assert events == ["train_begin", ("epoch", 0), ("batch", 0), ("batch", 1), "train_end",
                      "test_begin"]
