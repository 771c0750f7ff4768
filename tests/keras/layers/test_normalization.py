"""Normalization layers: the harness, NumPy and Keras 3 references, training vs inference."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conv_pool_norm_reference import (
    CASES,
    array,
    case_names,
    check_against_keras,
    check_config_matches_keras,
)

import fluxion as tf
from fluxion.keras import layers
from fluxion.keras.engine.tensor_annotations import set_keras_mask
from fluxion.keras.testing.layer_check import run_layer_test

NORM_CLASSES = ("BatchNormalization", "LayerNormalization", "GroupNormalization",
                "UnitNormalization")


@pytest.fixture(autouse=True)
def _quiet_rms_scaling_warning():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*rms_scaling")
        yield


@pytest.mark.parametrize("cls, kwargs, shape, trainable, non_trainable", [
    (layers.BatchNormalization, {}, (4, 3), 2, 2),
    (layers.BatchNormalization, dict(axis=1, center=False, momentum=0.5), (3, 2, 4), 1, 2),
    (layers.LayerNormalization, {}, (2, 3, 4), 2, 0),
    (layers.LayerNormalization, dict(axis=[1, 2], scale=False), (2, 3, 4), 1, 0),
    (layers.LayerNormalization, dict(rms_scaling=True), (3, 5), 1, 0),
    (layers.GroupNormalization, dict(groups=2), (2, 3, 4), 2, 0),
    (layers.GroupNormalization, dict(groups=-1, axis=1), (2, 3, 2, 2), 2, 0),
    (layers.UnitNormalization, {}, (3, 4), 0, 0),
    (layers.UnitNormalization, dict(axis=[1, 2]), (2, 3, 4), 0, 0),
])
def test_layer_harness(cls, kwargs, shape, trainable, non_trainable):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=shape,
                   expected_num_trainable_weights=trainable,
                   expected_num_non_trainable_weights=non_trainable, rtol=1e-5, atol=1e-5)


def test_batch_normalization_weights_order_and_trainability():
    layer = layers.BatchNormalization()
    layer.build((None, 3))
    assert [w.name for w in layer.weights] == ["gamma", "beta", "moving_mean",
                                               "moving_variance"]
    assert [w.name for w in layer.trainable_weights] == ["gamma", "beta"]
    assert [w.name for w in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]


# --- NumPy references ---------------------------------------------------------------------------
def test_batch_normalization_matches_numpy():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((6, 2, 3)) * 3 + 2).astype("float32")
    layer = layers.BatchNormalization(momentum=0.9, epsilon=1e-2)
    layer(x)
    gamma, beta = rng.standard_normal((2, 3)).astype("float32")
    layer.set_weights([gamma, beta, np.full(3, 0.5, "float32"), np.full(3, 2.0, "float32")])
    mean, var = x.mean(axis=(0, 1)), x.var(axis=(0, 1))
    y = layer(x, training=True).numpy()
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-2) * gamma + beta,
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.5 * 0.9 + mean * 0.1, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 2.0 * 0.9 + var * 0.1,
                               rtol=1e-5)
    moving_mean, moving_var = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    for training in (False, None):
        y = layer(x, training=training).numpy()
        np.testing.assert_allclose(
            y, (x - moving_mean) / np.sqrt(moving_var + 1e-2) * gamma + beta, rtol=1e-4,
            atol=1e-5)
        np.testing.assert_array_equal(layer.moving_mean.numpy(), moving_mean)


def test_frozen_batch_normalization_runs_in_inference_mode():
    x = np.random.default_rng(1).standard_normal((4, 3)).astype("float32") + 5.0
    layer = layers.BatchNormalization()
    layer(x)
    layer.trainable = False
    y = layer(x, training=True).numpy()
    np.testing.assert_allclose(y, x / np.sqrt(1.0 + 1e-3), rtol=1e-6)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), np.zeros(3))
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4


def test_batch_normalization_traced_with_unknown_batch_size():
    rng = np.random.default_rng(2)
    eager, traced_layer = layers.BatchNormalization(), layers.BatchNormalization()
    step = tf.function(lambda t: traced_layer(t, training=True),
                       input_signature=[tf.TensorSpec((None, 2, 3), tf.float32)])
    for batch in (4, 7, 5):  # one trace serves every batch size
        x = rng.standard_normal((batch, 2, 3)).astype("float32")
        np.testing.assert_allclose(step(x).numpy(), eager(x, training=True).numpy(),
                                   rtol=1e-5, atol=1e-6)
    for a, b in zip(traced_layer.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert not np.allclose(traced_layer.moving_mean.numpy(), 0.0)


def test_layer_normalization_matches_numpy():
    x = np.random.default_rng(3).standard_normal((2, 3, 4)).astype("float32")
    y = layers.LayerNormalization(axis=[1, 2], epsilon=1e-5)(x).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-4, atol=1e-5)
    layer = layers.LayerNormalization(axis=1)
    layer(x)
    gamma, beta = np.arange(3, dtype="float32") + 1, np.arange(3, dtype="float32")
    layer.set_weights([gamma, beta])
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-3) * gamma[:, None] + beta[:, None]
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-4, atol=1e-5)


def test_group_normalization_matches_numpy():
    x = np.random.default_rng(4).standard_normal((2, 3, 5, 6)).astype("float32")
    y = layers.GroupNormalization(groups=3)(x).numpy()
    grouped = x.reshape(2, 3, 5, 3, 2)
    mean = grouped.mean(axis=(1, 2, 4), keepdims=True)
    var = grouped.var(axis=(1, 2, 4), keepdims=True)
    expected = ((grouped - mean) / np.sqrt(var + 1e-3)).reshape(x.shape)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)


def test_unit_normalization_matches_numpy():
    x = np.random.default_rng(5).standard_normal((3, 4)).astype("float32")
    x[1] = 0.0
    y = layers.UnitNormalization()(x).numpy()
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    np.testing.assert_allclose(y, np.where(norms > 0, x / np.maximum(norms, 1e-12), 0.0),
                               rtol=1e-6)


# --- Keras 3 references ------------------------------------------------------------------------
@pytest.mark.parametrize("name", case_names(*NORM_CLASSES))
def test_matches_keras(name):
    check_against_keras(name)


@pytest.mark.parametrize("name", case_names(*NORM_CLASSES) + ["bn_train", "bn_train_axis1"])
def test_config_matches_keras(name):
    check_config_matches_keras(getattr(layers, CASES[name]["class_name"]), name)


@pytest.mark.parametrize("name", ["bn_train", "bn_train_axis1"])
@pytest.mark.parametrize("traced", [False, True])
def test_batch_normalization_training_matches_keras(name, traced):
    case = CASES[name]
    layer = layers.BatchNormalization(**case["kwargs"])
    shape = array(name, "x0").shape
    layer(array(name, "x0"))
    layer.set_weights([array(name, f"w{i}") for i in range(4)])

    def step(t):
        return layer(t, training=True)

    if traced:
        step = tf.function(step, input_signature=[tf.TensorSpec((None,) + shape[1:])])
    for i in range(case["steps"]):
        np.testing.assert_allclose(step(array(name, f"x{i}")).numpy(), array(name, f"y{i}"),
                                   rtol=1e-5, atol=1e-5, err_msg=f"training step {i}")
    np.testing.assert_allclose(layer.moving_mean.numpy(), array(name, "moving_mean"),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(), array(name, "moving_variance"),
                               rtol=1e-5, atol=1e-6)
    last = array(name, f"x{case['steps'] - 1}")
    np.testing.assert_allclose(layer(last, training=False).numpy(), array(name, "y_inference"),
                               rtol=1e-5, atol=1e-5)


def test_masked_batch_normalization_matches_keras():
    layer = layers.BatchNormalization()
    y = layer(array("bn_mask", "x"), training=True, mask=tf.constant(array("bn_mask", "mask")))
    np.testing.assert_allclose(y.numpy(), array("bn_mask", "y"), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), array("bn_mask", "moving_mean"),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(),
                               array("bn_mask", "moving_variance"), rtol=1e-5, atol=1e-6)


def test_batch_normalization_passes_masks_on():
    x = tf.constant(np.ones((2, 3, 4), np.float32))
    mask = tf.constant(np.array([[True, True, False], [True, False, False]]))
    set_keras_mask(x, mask)
    assert layers.BatchNormalization()(x)._keras_mask is mask
    for layer in (layers.LayerNormalization(), layers.GroupNormalization(2),
                  layers.UnitNormalization()):
        assert layer.supports_masking


# --- errors ---------------------------------------------------------------------------------------
def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="groups"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="cannot be more than the number of channels"):
        layers.GroupNormalization(groups=8)(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match="multiple"):
        layers.GroupNormalization(groups=3)(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match="out of bounds"):
        layers.BatchNormalization(axis=3)(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match="out of bounds"):
        layers.LayerNormalization(axis=[1, 2])(np.zeros((2, 4), np.float32))
    with pytest.raises(TypeError, match="axis"):
        layers.LayerNormalization(axis="last")
    with pytest.raises(TypeError, match="axis"):
        layers.UnitNormalization(axis=1.5)
    bn = layers.BatchNormalization()
    bn(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match="axis -1 of input shape to have value 4"):
        bn(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match="one dimension less"):
        layers.BatchNormalization()(np.zeros((2, 3, 4), np.float32),
                                    mask=tf.constant(np.ones((2, 3, 4), bool)))
    with pytest.raises(NotImplementedError, match="renorm"):
        layers.BatchNormalization(renorm=True)


def test_batch_normalization_training_gradient_matches_finite_differences():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 2)).astype("float64")
    probe = rng.standard_normal((4, 2)).astype("float32")
    layer = layers.BatchNormalization(epsilon=0.1)
    layer(x.astype("float32"))
    layer.set_weights([np.array([1.5, -0.5], "float32"), np.array([0.2, 0.1], "float32"),
                       np.zeros(2, "float32"), np.ones(2, "float32")])

    def value(array):
        return float(tf.reduce_sum(layer(array.astype("float32"), training=True) * probe))

    inputs = tf.constant(x.astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        loss = tf.reduce_sum(layer(inputs, training=True) * probe)
    grads = tape.gradient(loss, [inputs] + layer.trainable_weights)
    numeric = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += 1e-3
        minus[index] -= 1e-3
        numeric[index] = (value(plus) - value(minus)) / 2e-3
    np.testing.assert_allclose(grads[0].numpy(), numeric, rtol=2e-2, atol=2e-3)
    # Batch statistics: the input gradient sums to zero over the batch for each feature.
    np.testing.assert_allclose(grads[0].numpy().sum(axis=0), 0.0, atol=1e-5)
    assert all(g is not None for g in grads[1:])
