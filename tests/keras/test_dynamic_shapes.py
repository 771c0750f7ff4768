"""Dimensions known only at run time inside layers and traced functions.

``batch = ops.shape(x)[0]`` is a symbolic scalar while ``fit`` traces a step with an
unknown batch size (the VAE sampling layer draws ``keras.random.normal((batch, dim))``).
Shape-taking ops must accept it.  Oracle: the same op run eagerly with the concrete size
(values for deterministic ops, shape and range for random draws).
"""

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras
from fluxion.keras import ops

X = np.arange(24, dtype="float32").reshape(4, 6)


def _traced(fn):
    """``fn(x, batch)`` traced with an unknown batch size; ``batch`` is symbolic."""
    return tf.function(lambda t: fn(t, ops.shape(t)[0]),
                       input_signature=[tf.TensorSpec((None, 6), "float32")])


DETERMINISTIC = {
    "zeros": lambda x, b: ops.zeros((b, 3)),
    "ones": lambda x, b: ops.ones((b, 2)),
    "full": lambda x, b: ops.full((b, 2), 7.0),
    "arange": lambda x, b: ops.arange(b),
    "eye": lambda x, b: ops.eye(b),
    "tf.eye": lambda x, b: tf.eye(b),
    "tf.eye batched": lambda x, b: tf.eye(b, 3, batch_shape=[2]),
    "reshape": lambda x, b: ops.reshape(x, (b, 2, -1)),
    "broadcast_to": lambda x, b: ops.broadcast_to(ops.arange(3.0), (b, 3)),
    "tile by batch": lambda x, b: ops.tile(x[:1], (b, 1)),
    "tile shorter repeats": lambda x, b: ops.tile(x[0, :2], (b,)),
    "tile unknown input": lambda x, b: ops.tile(x, (2, 1)),
    "repeat unknown axis": lambda x, b: ops.repeat(x, 2, axis=0),
    "slice to batch": lambda x, b: x[1:b - 1, :2],
    "index by batch": lambda x, b: x[b - 1],
    "slice with ellipsis": lambda x, b: x[..., :b],
    "slice step": lambda x, b: x[None, b - 2, ::b // 2],
    "ops.slice": lambda x, b: ops.slice(x, (0, 1), (b - 1, 2)),
    "tf.slice to end": lambda x, b: tf.slice(x, [1, 0], [-1, b]),
    "cast": lambda x, b: ops.cast(b, "float32") * x,
}


@pytest.mark.parametrize("name", list(DETERMINISTIC))
def test_traced_size_gives_eager_result(name):
    fn = DETERMINISTIC[name]
    expected = fn(tf.constant(X), X.shape[0])
    got = _traced(fn)(tf.constant(X))
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_gradient_through_slice_with_traced_bounds():
    @tf.function(input_signature=[tf.TensorSpec((None, 6), "float32")])
    def gradient(t):
        with tf.GradientTape() as tape:
            tape.watch(t)
            loss = tf.reduce_sum(t[1:tf.shape(t)[0] - 1, :2] ** 2)
        return tape.gradient(loss, t)

    expected = np.zeros_like(X)
    expected[1:3, :2] = 2 * X[1:3, :2]
    np.testing.assert_array_equal(gradient(tf.constant(X)).numpy(), expected)


@pytest.mark.parametrize("draw, check", [
    (lambda b: keras.random.normal((b, 3), seed=1), lambda v: True),
    (lambda b: keras.random.uniform((b, 3), seed=1), lambda v: ((v >= 0) & (v < 1)).all()),
    (lambda b: keras.random.truncated_normal((b, 3), seed=1), lambda v: (abs(v) <= 2).all()),
    (lambda b: keras.random.randint((b, 3), 0, 5, seed=1),
     lambda v: ((v >= 0) & (v < 5)).all() and v.dtype == np.int32),
    (lambda b: tf.random.normal((b, 3)), lambda v: True),
], ids=["normal", "uniform", "truncated_normal", "randint", "tf.random.normal"])
def test_random_draws_take_traced_sizes(draw, check):
    values = _traced(lambda x, b: draw(b))(tf.constant(X)).numpy()
    assert values.shape == (4, 3)
    assert check(values)


def test_dropout_noise_shape_with_traced_batch():
    out = _traced(lambda x, b: keras.random.dropout(x, 0.5, noise_shape=(b, 1), seed=3))(
        tf.constant(X)).numpy()
    for row, original in zip(out, X):  # whole rows kept (scaled by 2) or dropped
        assert np.array_equal(row, 2 * original) or not row.any()


def test_ops_shape_as_keras_gives_it():
    assert ops.shape(keras.Input((4,))) == (None, 4)
    assert ops.shape(np.ones((2, 3))) == (2, 3)
    seen = []
    _traced(lambda x, b: seen.append(ops.shape(x)) or x)(tf.constant(X))
    batch, width = seen[0]
    assert isinstance(batch, tf.Tensor) and width == 6


class Sampling(keras.layers.Layer):
    """The VAE reparameterisation: z = mean + exp(log_var / 2) * eps, eps ~ N(0, I)."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim))
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


def test_vae_sampling_layer_trains_with_fit():
    rng = np.random.default_rng(0)
    x = rng.random((30, 4)).astype("float32")  # 30 = 3 batches of 8 and one of 6
    inputs = keras.Input((4,))
    z = Sampling()([keras.layers.Dense(2)(inputs), keras.layers.Dense(2)(inputs)])
    model = keras.Model(inputs, keras.layers.Dense(4)(z))
    model.compile("adam", "mse")
    history = model.fit(x, x, batch_size=8, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(x, batch_size=8, verbose=0).shape == (30, 4)
