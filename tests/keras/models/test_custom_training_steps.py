"""Keras 3's patterns for custom training: ``compute_loss``, metric trackers, ``metrics``
overrides, ``compiled_loss``/``compiled_metrics``, ``reset_metrics``, GAN wrappers,
``fit(x)`` without targets."""

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")
    return x, y


def _functional(cls):
    inputs = keras.Input((3,))
    return cls(inputs, keras.layers.Dense(1, kernel_initializer="zeros")(inputs))


def _mse(model, x, y):
    return float(np.mean((model.predict(x, verbose=0) - y) ** 2))


class TrackerModel(keras.Model):
    """keras-io's "customizing fit": own trackers, compute_loss, metrics overridden."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def test_compute_loss_with_own_trackers_and_metrics_override():
    model = _functional(TrackerModel)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")  # lr 0: a fixed model
    x, y = _data()
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0, shuffle=False).history
    expected = float(np.mean(y ** 2))  # zero kernel and bias predict 0
    # fit resets the overridden metrics each epoch: each epoch's mean is the same.
    np.testing.assert_allclose(history["loss"], [expected] * 2, rtol=1e-5)
    np.testing.assert_allclose(history["mae"], [float(np.mean(np.abs(y)))] * 2, rtol=1e-5)


def test_metrics_assigned_as_attributes_are_listed_and_reset():
    model = _functional(TrackerModel)
    model.compile(optimizer="sgd", loss="mse")
    names = [m.name for m in keras.Model.metrics.fget(model)]
    assert names == ["loss", "loss", "mae"]  # Keras's tracker, then the model's own two
    model.loss_tracker.update_state(3.0)
    model.reset_metrics()
    assert float(model.loss_tracker.result()) == 0.0


def test_looping_over_metrics_reaches_compile_metrics_before_their_first_use():
    class LoopModel(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(x, y, y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    model = _functional(LoopModel)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse", metrics=["mae"])
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics"]
    x, y = _data()
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0).history
    assert set(history) == {"loss", "mae"}  # the container's dict result is flattened
    np.testing.assert_allclose(history["mae"], [np.mean(np.abs(y))], rtol=1e-5)


def test_tf_keras_2_compiled_loss_and_compiled_metrics():
    class Legacy(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.compiled_metrics.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    model = _functional(Legacy)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse", metrics=["mae"])
    x, y = _data()
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0).history
    np.testing.assert_allclose(history["loss"], [np.mean(y ** 2)], rtol=1e-5)
    np.testing.assert_allclose(history["mae"], [np.mean(np.abs(y))], rtol=1e-5)


def test_compute_loss_override_without_training_argument():
    class Scaled(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
            return 2.0 * super().compute_loss(x, y, y_pred, sample_weight)

    model = _functional(Scaled)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    x, y = _data()
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), 2 * np.mean(y ** 2), rtol=1e-5)


def test_default_train_step_learns_and_reports_compile_metrics():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    x, y = _data()
    model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    loss, mae = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(_mse(model, x, y), rel=1e-4) and loss < 1e-3
    assert model.get_metrics_result().keys() == {"loss", "mae"}


class GAN(keras.Model):
    """A wrapper with train_step and no call(), as in keras-io's GAN examples."""

    def __init__(self, generator, discriminator):
        super().__init__()
        self.generator, self.discriminator = generator, discriminator
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")

    def compile(self, g_optimizer, d_optimizer, loss_fn):
        super().compile()
        self.g_optimizer, self.d_optimizer, self.loss_fn = g_optimizer, d_optimizer, loss_fn

    def train_step(self, real):
        noise = keras.random.normal((8, 2))
        with tf.GradientTape() as tape:
            fake = self.generator(noise)
            predictions = self.discriminator(tf.concat([fake, real], axis=0))
            labels = tf.concat([tf.zeros((8, 1)), tf.ones((8, 1))], axis=0)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        with tf.GradientTape() as tape:
            g_loss = self.loss_fn(tf.ones((8, 1)), self.discriminator(self.generator(noise)))
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def test_gan_wrapper_without_call_trains_its_sub_models():
    keras.utils.set_random_seed(0)
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])
    discriminator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    gan = GAN(generator, discriminator)
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2),
                keras.losses.BinaryCrossentropy(from_logits=True))
    assert [m.name for m in gan.metrics] == ["loss", "g_loss", "d_loss"]
    before = [w.copy() for w in generator.get_weights() + discriminator.get_weights()]
    real = np.random.default_rng(1).normal(size=(64, 4)).astype("float32")
    history = gan.fit(real, batch_size=8, epochs=2, verbose=0).history
    assert set(history) == {"d_loss", "g_loss"} and len(history["g_loss"]) == 2
    after = generator.get_weights() + discriminator.get_weights()
    assert all(not np.allclose(b, a) for b, a in zip(before, after))


def test_fit_without_targets_hands_train_step_the_inputs_themselves():
    received = []

    class AutoEncoder(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(4)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            received.append(data)
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((self(data) - data) ** 2)
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            return {"loss": loss}

    model = AutoEncoder()
    model.compile("adam")
    model.fit(np.random.rand(32, 4).astype("float32"), epochs=1, batch_size=8, verbose=0)
    assert isinstance(received[0], tf.Tensor) and tuple(received[0].shape) == (None, 4)


def test_fit_without_targets_on_a_list_of_inputs_keeps_the_list_apart():
    from fluxion.keras.models.data_adapter import (
        pack_x_y_sample_weight,
        unpack_x_y_sample_weight,
    )

    a, b = np.ones((2, 1)), np.zeros((2, 1))
    x, y, sample_weight = unpack_x_y_sample_weight(pack_x_y_sample_weight([a, b]))
    assert x == [a, b] and y is None and sample_weight is None
    assert pack_x_y_sample_weight(a) is a


class LogisticEndpoint(keras.layers.Layer):
    """keras-io's endpoint layer: called by keyword, adds the loss, logs a metric."""

    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
        self.accuracy_metric = keras.metrics.BinaryAccuracy(name="accuracy")

    def call(self, logits, targets=None, sample_weight=None):
        if targets is not None:
            self.add_loss(self.loss_fn(targets, logits, sample_weight))
            self.accuracy_metric.update_state(targets, logits, sample_weight)
        return tf.nn.sigmoid(logits)


def test_subclassed_model_on_a_dict_with_a_layer_called_by_keyword():
    class LogReg(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)
            self.endpoint = LogisticEndpoint()

        def call(self, inputs):
            logits = self.dense(inputs["inputs"])
            return self.endpoint(logits=logits, targets=inputs["targets"],
                                 sample_weight=inputs["sample_weight"])

    rng = np.random.default_rng(0)
    data = {"inputs": rng.random((64, 5)), "targets": (rng.random((64, 1)) > 0.5) * 1.0,
            "sample_weight": np.ones((64, 1))}
    model = LogReg()
    model.compile(keras.optimizers.SGD(0.0))
    history = model.fit(data, batch_size=64, verbose=0).history
    assert set(history) == {"loss", "accuracy"}  # the layer's metric is the model's too
    logits = data["inputs"].astype("float32") @ model.dense.kernel.numpy() + \
        model.dense.bias.numpy()
    z = data["targets"]
    expected = np.mean(np.maximum(logits, 0) - logits * z + np.log1p(np.exp(-np.abs(logits))))
    np.testing.assert_allclose(history["loss"], [expected], rtol=1e-5)


def test_compiling_again_reports_the_new_metrics_not_the_old_ones():
    """Fine-tuning recompiles after unfreezing: fit must report the new trackers."""
    keras.utils.set_random_seed(1)
    x = np.random.default_rng(0).uniform(-1, 1, (64, 8)).astype("float32")
    y = np.arange(64) % 5
    base = keras.Sequential([keras.Input((8,)), keras.layers.Dense(8)])
    base.trainable = False
    inputs = keras.Input((8,))
    model = keras.Model(inputs, keras.layers.Dense(5, activation="softmax")(base(inputs)))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    base.trainable = True
    model.compile(keras.optimizers.Adam(1e-4), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert history.history["loss"][0] > 0.5
    assert [m.name for m in model.metrics].count("loss") == 1
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert loss > 0.5 and accuracy > 0.0
