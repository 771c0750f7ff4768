"""Models train: real tasks to a stated accuracy, every input kind, and the step machinery."""

import os
import subprocess
import sys

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras
from fluxion.datasets import digits

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))


def digits_data():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    return ((x_train.reshape(-1, 64) / 16.0).astype("float32"), y_train,
            (x_test.reshape(-1, 64) / 16.0).astype("float32"), y_test)


def test_mlp_learns_the_digits():
    keras.utils.set_random_seed(0)
    x_train, y_train, x_test, y_test = digits_data()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=12, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] / 5
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.95


def test_xor_is_learned():
    keras.utils.set_random_seed(1)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], "float32")
    y = np.array([[0], [1], [1], [0]], "float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=300, batch_size=4, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] == 1.0


def test_regression_reaches_low_error():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(512, 3)).astype("float32")
    y = x @ np.array([[1.5], [-2.0], [0.5]], "float32") + 0.3
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), "mse", metrics=["mae"])
    model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert model.evaluate(x, y, verbose=0)[0] < 1e-3


def test_functional_multi_input_multi_output_with_shared_layer():
    keras.utils.set_random_seed(3)
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    shared = keras.layers.Dense(8, activation="relu")
    merged = keras.layers.Concatenate()([shared(a), shared(b)])
    total = keras.layers.Dense(1, name="total")(merged)
    kind = keras.layers.Dense(3, activation="softmax", name="kind")(merged)
    model = keras.Model([a, b], [total, kind])
    rng = np.random.default_rng(3)
    xa, xb = rng.normal(size=(64, 4)).astype("float32"), rng.normal(size=(64, 4)).astype("float32")
    y_total = (xa.sum(1) + xb.sum(1))[:, None]
    y_kind = rng.integers(0, 3, 64)
    model.compile("adam", loss=["mse", "sparse_categorical_crossentropy"],
                  loss_weights=[1.0, 0.5], metrics=[[], ["accuracy"]])
    history = model.fit([xa, xb], [y_total, y_kind], epochs=5, batch_size=16, verbose=0)
    assert "kind_accuracy" in history.history and history.history["loss"][-1] < \
        history.history["loss"][0]
    out_total, out_kind = model.predict({"a": xa, "b": xb}, verbose=0)
    assert out_total.shape == (64, 1) and out_kind.shape == (64, 3)
    assert len(shared.weights) == 2 and len(model.layers) == 6


def test_subclassed_model_with_custom_train_step():
    class Linear(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)
            self.steps = 0

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            self.steps += 1  # Python side effect: runs at trace time only
            return super().train_step(data)

    model = Linear()
    model.compile("sgd", "mse")
    x = np.ones((10, 2), "float32")
    model.fit(x, x[:, :1] * 2, epochs=3, batch_size=3, verbose=0)
    assert model.steps == 1  # one trace serves every batch, the short last one included
    assert model.predict(x, verbose=0).shape == (10, 1)


def test_run_eagerly_matches_the_compiled_step():
    def train(run_eagerly):
        keras.utils.set_random_seed(4)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                                  keras.layers.Dense(1)])
        model.compile("adam", "mse", run_eagerly=run_eagerly)
        x = np.random.default_rng(4).normal(size=(32, 3)).astype("float32")
        model.fit(x, x[:, :1], epochs=2, batch_size=8, verbose=0, shuffle=False)
        return model.get_weights()

    for eager, compiled in zip(train(True), train(False)):
        np.testing.assert_allclose(eager, compiled, rtol=1e-5, atol=1e-6)


def test_same_seed_gives_identical_weights():
    def train():
        keras.utils.set_random_seed(5)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4),
                                  keras.layers.Dropout(0.5), keras.layers.Dense(1)])
        model.compile("adam", "mse")
        x = np.random.default_rng(5).normal(size=(32, 3)).astype("float32")
        model.fit(x, x[:, :1], epochs=2, batch_size=8, verbose=0)
        return model.get_weights()

    for a, b in zip(train(), train()):
        np.testing.assert_array_equal(a, b)


def test_predict_reuses_one_trace():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    for n in (1, 5, 7, 1):
        assert model.predict(np.ones((n, 3), "float32"), verbose=0).shape == (n, 2)
    assert model._predict_function.experimental_get_tracing_count() == 1


def test_input_kinds_generator_pydataset_and_tensors():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.ones((8, 2), "float32")
    y = np.ones((8, 1), "float32")

    def generator():
        while True:
            yield x, y

    class Data(keras.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            return x[:4], y[:4]

    assert model.fit(generator(), steps_per_epoch=3, epochs=2, verbose=0).history["loss"]
    assert model.fit(Data(), epochs=2, verbose=0).history["loss"]
    assert model.fit(tf.constant(x), tf.constant(y), epochs=1, verbose=0).history["loss"]
    assert np.isfinite(model.evaluate(Data(), verbose=0))


def test_sample_and_class_weights_and_validation():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(6).normal(size=(40, 2)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    history = model.fit(x, y, sample_weight=np.linspace(0.5, 1.5, 40), epochs=2, verbose=0,
                        validation_data=(x, y))
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history.history)
    history = model.fit(x, y, class_weight={0: 1.0, 1: 3.0}, epochs=1, verbose=0,
                        validation_split=0.25)
    assert "val_loss" in history.history
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}


def test_batch_methods():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    x, y = np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
    loss, mae = model.train_on_batch(x, y)
    assert np.isfinite(loss) and np.isfinite(mae)
    assert set(model.test_on_batch(x, y, return_dict=True)) == {"loss", "mae"}
    assert model.predict_on_batch(x).shape == (4, 1)


def test_callbacks_drive_training():
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.0), "mse")
    x = np.ones((8, 1), "float32")
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=1)
    seen = []
    log = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    history = model.fit(x, x, epochs=20, callbacks=[stop, log], verbose=0)
    assert len(history.history["loss"]) == len(seen) < 20


def test_progress_bar_output(capsys):
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.ones((64, 1), "float32"), np.ones((64, 1), "float32"), epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "2/2" in out and "loss:" in out and "step" in out
    model.fit(np.ones((8, 1), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_compile_errors_are_clear():
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.ones((2, 1)), np.ones((2, 1)), verbose=0)
    with pytest.raises(ValueError, match="samples"):
        model.compile("sgd", "mse")
        model.fit(np.ones((3, 1)), np.ones((2, 1)), verbose=0)


def test_summary_and_json_round_trip(capsys):
    model = keras.Sequential([keras.layers.Dense(64, activation="relu", input_dim=100),
                              keras.layers.Dense(10, activation="softmax")])
    model.summary()
    out = capsys.readouterr().out
    assert "(None, 64)" in out and "6,464" in out and "Total params: 7,114" in out
    clone = keras.models.model_from_json(model.to_json())
    assert [layer.get_config()["units"] for layer in clone.layers] == [64, 10]


def test_seed_keras_example_runs():
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "seed_keras.py")],
                            capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, PYTHONPATH=ROOT))
    assert result.returncode == 0, result.stderr
    assert "Epoch 5/5" in result.stdout and "final loss" in result.stdout


def test_fit_evaluate_predict_on_datasets():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    train = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64, seed=1).batch(16).prefetch(2)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.05), "mse")
    history = model.fit(train, epochs=4, validation_data=train, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 4 and losses[-1] < losses[0] and "val_loss" in history.history
    infinite = tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(8)
    assert len(model.fit(infinite, steps_per_epoch=5, epochs=2, verbose=0).history["loss"]) == 2
    assert model.predict(tf.data.Dataset.from_tensor_slices(x).batch(10),
                         verbose=0).shape == (64, 1)
    assert np.isfinite(model.evaluate(train, verbose=0))


def test_pydataset_with_workers_and_epoch_hooks():
    events = []

    class Data(keras.utils.PyDataset):
        def __init__(self):
            super().__init__(workers=2)

        def __len__(self):
            return 3

        def __getitem__(self, index):
            return np.full((4, 2), index, "float32"), np.ones((4, 1), "float32")

        def on_epoch_end(self):
            events.append("end")

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(Data(), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and events.count("end") == 2
