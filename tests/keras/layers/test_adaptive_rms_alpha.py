"""AdaptiveAverage/MaxPooling (bins as Keras 3: floor/ceil edges), RMSNormalization and
AlphaDropout: values recorded from Keras 3, NumPy oracles, configs, gradients."""

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras

X = np.arange(1 * 7 * 5 * 2, dtype="float32").reshape(1, 7, 5, 2)


def test_adaptive_pooling_2d_matches_keras():
    average = keras.layers.AdaptiveAveragePooling2D((3, 2))
    np.testing.assert_allclose(np.asarray(average(X))[0, :, :, 0],
                               [[12, 16], [32, 36], [52, 56]])
    np.testing.assert_allclose(np.asarray(keras.layers.AdaptiveMaxPooling2D((3, 2))(X))[
        0, :, :, 0], [[24, 28], [44, 48], [64, 68]])
    assert keras.layers.AdaptiveAveragePooling2D.from_config(
        average.get_config()).output_size == (3, 2)


def test_adaptive_pooling_1d_3d_and_channels_first():
    sequence = np.arange(2 * 10 * 3, dtype="float32").reshape(2, 10, 3)
    out = np.asarray(keras.layers.AdaptiveAveragePooling1D(4)(sequence))
    edges = [(0, 3), (2, 5), (5, 8), (7, 10)]
    np.testing.assert_allclose(out, np.stack([sequence[:, a:b].mean(1) for a, b in edges], 1))
    volume = np.random.default_rng(0).normal(size=(1, 4, 4, 4, 2)).astype("float32")
    assert tuple(keras.layers.AdaptiveMaxPooling3D(2)(volume).shape) == (1, 2, 2, 2, 2)
    first = keras.layers.AdaptiveMaxPooling2D((3, 2), data_format="channels_first")
    np.testing.assert_allclose(np.asarray(first(np.moveaxis(X, -1, 1))),
                               np.moveaxis(np.asarray(keras.layers.AdaptiveMaxPooling2D(
                                   (3, 2))(X)), -1, 1))
    with pytest.raises(ValueError, match="output_size"):
        keras.layers.AdaptiveAveragePooling2D((1, 2, 3))


def test_adaptive_average_gradient_counts_overlaps():
    x = tf.Variable(np.ones((1, 5, 1), "float32"))
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(keras.layers.AdaptiveAveragePooling1D(2)(x))
    # bins [0, 3) and [2, 5): position 2 is in both, each bin averages 3 positions
    np.testing.assert_allclose(np.asarray(tape.gradient(total, x)).ravel(),
                               [1 / 3, 1 / 3, 2 / 3, 1 / 3, 1 / 3], rtol=1e-6)


def test_rms_normalization_matches_keras_and_numpy():
    layer = keras.layers.RMSNormalization()
    out = np.asarray(layer(X))
    np.testing.assert_allclose(out[0, 0, 0], [0.0, 1.414212], rtol=1e-5)
    expected = X / np.sqrt((X ** 2).mean(-1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    assert [tuple(w.shape) for w in layer.weights] == [(2,)]
    assert layer.get_config()["axis"] == [-1]


def test_alpha_dropout_keeps_mean_and_variance_and_is_identity_at_inference():
    x = np.random.default_rng(0).normal(size=(50000,)).astype("float32")
    layer = keras.layers.AlphaDropout(0.3, seed=1)
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    dropped = np.asarray(layer(x, training=True))
    assert abs(dropped.mean()) < 0.02 and abs(dropped.std() - 1.0) < 0.02
    assert (dropped != x).mean() > 0.25
    with pytest.raises(ValueError, match="rate"):
        keras.layers.AlphaDropout(1.5)
