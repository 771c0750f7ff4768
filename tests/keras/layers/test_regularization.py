"""Regularization layers: Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout,
ActivityRegularization."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import layers
from fluxion.keras.testing.layer_check import run_layer_test

rng = np.random.default_rng(2)


@pytest.mark.parametrize("cls, kwargs, shape", [
    (layers.Dropout, {"rate": 0.5}, (2, 3)),
    (layers.Dropout, {"rate": 0.3, "noise_shape": (None, 1), "seed": 3}, (2, 3)),
    (layers.SpatialDropout1D, {"rate": 0.5}, (2, 3, 2)),
    (layers.SpatialDropout2D, {"rate": 0.5}, (1, 2, 2, 3)),
    (layers.SpatialDropout3D, {"rate": 0.5, "data_format": "channels_first"}, (1, 2, 2, 1, 2)),
    (layers.GaussianNoise, {"stddev": 0.5, "seed": 1}, (2, 3)),
    (layers.GaussianDropout, {"rate": 0.4}, (2, 3)),
])
def test_identity_at_inference(cls, kwargs, shape):
    x = rng.standard_normal(shape).astype("float32")
    layer = run_layer_test(cls, kwargs, input_data=x, expected_output=x)
    assert layer.weights == []  # the seed state is not a weight, as in Keras
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=None).numpy(), x)


def test_dropout_training():
    x = np.ones((200, 50), "float32")
    out = layers.Dropout(0.3, seed=5)(x, training=True).numpy()
    np.testing.assert_allclose(out[out != 0], 1 / 0.7, rtol=1e-6)
    assert abs((out == 0).mean() - 0.3) < 0.02
    # one seed: one sequence of masks, and a fresh mask per call
    a, b = layers.Dropout(0.5, seed=9), layers.Dropout(0.5, seed=9)
    first = a(x, training=True).numpy()
    np.testing.assert_array_equal(first, b(x, training=True).numpy())
    assert not np.array_equal(first, a(x, training=True).numpy())
    assert np.all(layers.Dropout(1.0)(x, training=True).numpy() == 0)
    np.testing.assert_array_equal(layers.Dropout(0.0)(x, training=True).numpy(), x)


def test_dropout_noise_shape():
    x = np.ones((4, 30, 6), "float32")
    out = layers.Dropout(0.5, noise_shape=(None, 1, 6), seed=1)(x, training=True).numpy()
    assert np.all(out == out[:, :1, :])  # same mask at every timestep


def test_dropout_traced_draws_fresh_masks():
    layer = layers.Dropout(0.5, seed=2)
    step = tf.function(lambda t: layer(t, training=True))
    x = tf.constant(np.ones((8, 8), "float32"))
    first, second = step(x).numpy(), step(x).numpy()
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("cls, shape, data_format, same_axes", [
    (layers.SpatialDropout1D, (4, 20, 6), None, (1,)),
    (layers.SpatialDropout2D, (4, 5, 5, 6), None, (1, 2)),
    (layers.SpatialDropout2D, (4, 6, 5, 5), "channels_first", (2, 3)),
    (layers.SpatialDropout3D, (2, 3, 3, 3, 6), None, (1, 2, 3)),
])
def test_spatial_dropout_drops_whole_channels(cls, shape, data_format, same_axes):
    kwargs = {} if data_format is None else {"data_format": data_format}
    out = cls(0.5, seed=4, **kwargs)(np.ones(shape, "float32"), training=True).numpy()
    index = tuple(slice(0, 1) if i in same_axes else slice(None) for i in range(len(shape)))
    assert np.all(out == out[index])
    assert 0 < (out == 0).mean() < 1


def test_spatial_dropout_config_and_rank():
    config = layers.SpatialDropout2D(0.2, name="sd").get_config()
    assert config == {"rate": 0.2, "seed": None, "name": "sd", "dtype": "float32",
                      "data_format": "channels_last"}
    assert set(layers.SpatialDropout1D(0.2).get_config()) == {"rate", "seed", "name", "dtype"}
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        layers.SpatialDropout1D(0.5)(np.ones((2, 3), "float32"))


def test_gaussian_noise_and_dropout_statistics():
    x = np.ones((400, 100), "float32")
    noisy = layers.GaussianNoise(0.5, seed=1)(x, training=True).numpy() - 1.0
    assert abs(noisy.mean()) < 0.01 and abs(noisy.std() - 0.5) < 0.01
    scaled = layers.GaussianDropout(0.2, seed=1)(x, training=True).numpy()
    assert abs(scaled.mean() - 1.0) < 0.01 and abs(scaled.std() - np.sqrt(0.25)) < 0.01


@pytest.mark.parametrize("cls, arg", [(layers.Dropout, "rate"), (layers.GaussianNoise, "stddev"),
                                      (layers.GaussianDropout, "rate")])
def test_rate_errors(cls, arg):
    with pytest.raises(ValueError, match=f"Invalid value received for argument `{arg}`. "
                                         f"Expected a float value between 0 and 1"):
        cls(1.5)


def test_noise_shape_errors():
    with pytest.raises(ValueError, match="Expected a tuple or list of integers"):
        layers.Dropout(0.5, noise_shape="abc")
    with pytest.raises(ValueError, match="Received negative or zero value at index 1"):
        layers.Dropout(0.5, noise_shape=(None, 0))
    with pytest.raises(ValueError, match="integers or None"):
        layers.Dropout(0.5, noise_shape=(None, 1.5))


def test_activity_regularization():
    x = rng.standard_normal((4, 3)).astype("float32")
    layer = run_layer_test(layers.ActivityRegularization, {"l1": 0.1, "l2": 0.2}, input_data=x,
                           expected_output=x)
    layer._clear_losses()
    layer(x)
    expected = (0.1 * np.abs(x).sum() + 0.2 * (x ** 2).sum()) / 4
    np.testing.assert_allclose(float(layer.losses[-1]), expected, rtol=1e-5)
    config = layer.get_config()
    assert "activity_regularizer" not in config and config["l1"] == 0.1


@pytest.mark.parametrize("make", [lambda: layers.Dropout(0.5),
                                  lambda: layers.GaussianNoise(0.5),
                                  lambda: layers.GaussianDropout(0.5)])
def test_training_with_an_unknown_batch_size_draws_noise_of_the_run_time_shape(make):
    layer = make()
    step = tf.function(lambda t: layer(t, training=True),
                       input_signature=[tf.TensorSpec((None, 3))])
    for batch in (2, 5):
        out = step(tf.constant(np.ones((batch, 3), "float32"))).numpy()
        assert out.shape == (batch, 3) and not np.allclose(out, 1.0)
    assert step.experimental_get_tracing_count() == 1
