"""Dropout's keep mask from raw bits (``random_keep_mask``) equals ``uniform >= rate``."""

import math

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras
from fluxion.core.primitives.random_keep import keep_threshold
from fluxion.ops.dropout_ops import dropout, stateless_dropout


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
@pytest.mark.parametrize("shape", [[7], [3, 5], [0], [128, 160], [2, 3, 33]])
@pytest.mark.parametrize("rate", [0.5, 0.1, 1 / 3, 0.999, 1e-9, 0.75])
def test_mask_is_the_uniform_draw_compared_with_the_rate(dtype, shape, rate):
    for seed in ([1, 2], [123456789, -5]):
        kept = stateless_dropout(tf.ones(shape, dtype), rate, seed=seed).numpy() != 0
        uniform = tf.random.stateless_uniform(shape, seed, dtype=dtype).numpy()
        np.testing.assert_array_equal(kept, uniform >= np.asarray(rate, uniform.dtype))


def test_tensor_rates_eager_and_traced_with_an_unknown_batch():
    x = np.ones((37, 11), np.float32)
    uniform = tf.random.stateless_uniform([37, 11], [4, 9]).numpy()

    @tf.function(input_signature=[tf.TensorSpec([None, 11], tf.float32),
                                  tf.TensorSpec([], tf.float32)])
    def traced(x, rate):
        return stateless_dropout(x, rate, seed=[4, 9])

    for rate in (0.2, 0.5, 0.9):
        expected = np.where(uniform >= np.float32(rate), np.float32(1) / np.float32(1 - rate), 0)
        eager = stateless_dropout(x, tf.constant(rate), seed=[4, 9]).numpy()
        np.testing.assert_allclose(eager, expected, rtol=1e-6)
        np.testing.assert_allclose(traced(x, tf.constant(rate)).numpy(), expected, rtol=1e-6)


def test_thresholds_at_the_edges():
    assert keep_threshold(0.5, "float32") == 1 << 31
    assert keep_threshold(0.0, "float32") == 0 and keep_threshold(-1.0, "float64") == 0
    assert keep_threshold(1.0, "float32") == 1 << 32
    assert keep_threshold(math.nan, "float64") == 1 << 64
    # the largest float32 below 1 keeps only the top uniform, (2**24 - 1) * 2**-24
    assert keep_threshold(float(np.float32(1 - 2**-24)), "float32") == (2**24 - 1) << 8
    assert keep_threshold(2.0**-53, "float64") == 1 << 11
    ones = tf.ones([1000])
    assert np.all(stateless_dropout(ones, tf.constant(0.0), seed=[1, 1]).numpy() == 1)
    assert np.all(stateless_dropout(ones, tf.constant(1.0), seed=[1, 1]).numpy() == 0)


def test_keep_probability_and_stateful_seeds():
    y = dropout(tf.ones([400_000]), 0.3).numpy()
    assert abs((y != 0).mean() - 0.7) < 0.004
    tf.random.set_seed(11)
    a = dropout(tf.ones([300]), 0.5, seed=2).numpy()
    b = dropout(tf.ones([300]), 0.5, seed=2).numpy()
    tf.random.set_seed(11)
    np.testing.assert_array_equal(a, dropout(tf.ones([300]), 0.5, seed=2).numpy())
    assert not np.array_equal(a, b)  # an op called twice draws twice


def test_narrow_floats_keep_the_uniform_draw():
    y = stateless_dropout(tf.ones([500], tf.float16), 0.5, seed=[3, 4]).numpy()
    u = tf.random.stateless_uniform([500], [3, 4], dtype=tf.float16).numpy()
    np.testing.assert_array_equal(y != 0, u >= np.float16(0.5))


def test_keras_dropout_in_a_compiled_step_uses_the_mask_and_repeats_with_its_seed():
    def train(seed):
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input((20,)), keras.layers.Dropout(0.5, seed=7),
                                  keras.layers.Dense(3)])
        model.compile(optimizer="sgd", loss="mse")
        x = np.random.default_rng(0).normal(size=(64, 20)).astype("float32")
        y = np.random.default_rng(1).normal(size=(64, 3)).astype("float32")
        model.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=False)
        names = [n.prim.name for n in model._train_function._latest().graph.nodes]
        return model.get_weights()[0], names

    w1, names = train(5)
    w2, _ = train(5)
    np.testing.assert_array_equal(w1, w2)
    assert "random_keep_mask" in names and "random_uniform_dynamic" not in names
