"""Convolution layers: the layer harness, NumPy references, Keras 3 references, errors."""

from __future__ import annotations

import numpy as np
import pytest
from conv_pool_norm_reference import (
    case_names,
    check_against_keras,
    check_config_matches_keras,
)

import fluxion as tf
from fluxion.keras import layers
from fluxion.keras.testing.layer_check import run_layer_test

CONV_CLASSES = ("Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
                "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
                "SeparableConv2D")


# --- the harness ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs, shape, trainable", [
    (layers.Conv1D, dict(filters=3, kernel_size=2, padding="causal", dilation_rate=2),
     (2, 5, 2), 2),
    (layers.Conv1D, dict(filters=2, kernel_size=3, strides=2, use_bias=False), (2, 7, 2), 1),
    (layers.Conv2D, dict(filters=2, kernel_size=2, strides=2, padding="same",
                         activation="sigmoid"), (2, 3, 3, 2), 2),
    (layers.Conv2D, dict(filters=4, kernel_size=(2, 1), groups=2,
                         data_format="channels_first"), (2, 2, 3, 3), 2),
    (layers.Conv3D, dict(filters=2, kernel_size=2), (1, 3, 2, 3, 2), 2),
    (layers.Conv1DTranspose, dict(filters=2, kernel_size=3, strides=2, padding="same"),
     (2, 4, 2), 2),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=3, strides=2, output_padding=1),
     (1, 3, 3, 2), 2),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=2, strides=(1, 2),
                                  data_format="channels_first"), (2, 2, 2, 3), 2),
    (layers.Conv3DTranspose, dict(filters=1, kernel_size=2, strides=2), (1, 2, 2, 2, 2), 2),
    (layers.DepthwiseConv1D, dict(kernel_size=2, depth_multiplier=2), (2, 4, 3), 2),
    (layers.DepthwiseConv2D, dict(kernel_size=2, depth_multiplier=2, padding="same"),
     (2, 3, 3, 2), 2),
    (layers.SeparableConv1D, dict(filters=3, kernel_size=2, padding="same"), (2, 4, 3), 3),
    (layers.SeparableConv2D, dict(filters=2, kernel_size=2, depth_multiplier=2,
                                  data_format="channels_first"), (1, 2, 3, 3), 3),
])
def test_layer_harness(cls, kwargs, shape, trainable):
    run_layer_test(cls, kwargs, input_shape=shape, expected_num_trainable_weights=trainable,
                   expected_num_non_trainable_weights=0, rtol=1e-5, atol=1e-5)


def test_weights_names_and_shapes():
    conv = layers.Conv2D(4, 3, groups=2)
    conv.build((None, 8, 8, 6))
    assert [(w.name, tuple(w.shape)) for w in conv.weights] == [("kernel", (3, 3, 3, 4)),
                                                                ("bias", (4,))]
    transpose = layers.Conv2DTranspose(5, (2, 3))
    transpose.build((None, 4, 4, 3))
    assert tuple(transpose.kernel.shape) == (2, 3, 5, 3)
    depthwise = layers.DepthwiseConv2D(3, depth_multiplier=2)
    depthwise.build((None, 5, 5, 3))
    assert [(w.name, tuple(w.shape)) for w in depthwise.weights] == [("kernel", (3, 3, 3, 2)),
                                                                     ("bias", (6,))]
    separable = layers.SeparableConv2D(4, 3, depth_multiplier=2)
    separable.build((None, 5, 5, 3))
    assert [(w.name, tuple(w.shape)) for w in separable.weights] == [
        ("depthwise_kernel", (3, 3, 3, 2)), ("pointwise_kernel", (1, 1, 6, 4)), ("bias", (4,))]


# --- NumPy references ---------------------------------------------------------------------------
def np_conv(x, w, strides, dilations, pads, groups=1):
    """Channels-last N-d convolution by its definition: a sum over kernel taps."""
    rank = x.ndim - 2
    xp = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)])
    kernel = w.shape[:rank]
    outs = [(xp.shape[1 + i] - dilations[i] * (kernel[i] - 1) - 1) // strides[i] + 1
            for i in range(rank)]
    cin, filters = w.shape[-2], w.shape[-1]
    per_group = filters // groups
    out = np.zeros((x.shape[0], *outs, filters))
    for tap in np.ndindex(*kernel):
        index = tuple(slice(t * d, t * d + (o - 1) * s + 1, s)
                      for t, d, o, s in zip(tap, dilations, outs, strides))
        patch = xp[(slice(None),) + index]
        for g in range(groups):
            out[..., g * per_group:(g + 1) * per_group] += \
                patch[..., g * cin:(g + 1) * cin] @ w[tap][:, g * per_group:(g + 1) * per_group]
    return out


def same_pads(sizes, kernel, strides, dilations):
    pads = []
    for n, k, s, d in zip(sizes, kernel, strides, dilations):
        total = max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def set_random_weights(layer, rng):
    layer.set_weights([rng.standard_normal(tuple(w.shape)).astype("float32")
                       for w in layer.weights])
    return layer.get_weights()


@pytest.mark.parametrize("kwargs, shape", [
    (dict(filters=3, kernel_size=3, strides=2, padding="same"), (2, 7, 6, 2)),
    (dict(filters=4, kernel_size=(2, 3), dilation_rate=2, groups=2), (1, 6, 7, 4)),
    (dict(filters=2, kernel_size=2, padding="same", data_format="channels_first"),
     (2, 3, 4, 5)),
])
def test_conv2d_matches_numpy(kwargs, shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype("float32")
    layer = layers.Conv2D(**kwargs)
    layer(x)
    kernel, bias = set_random_weights(layer, rng)
    first = layer.data_format == "channels_first"
    xl = np.moveaxis(x, 1, -1) if first else x
    pads = same_pads(xl.shape[1:3], layer.kernel_size, layer.strides, layer.dilation_rate) \
        if layer.padding == "same" else [(0, 0), (0, 0)]
    expected = np_conv(xl, kernel, layer.strides, layer.dilation_rate, pads,
                       layer.groups) + bias
    if first:
        expected = np.moveaxis(expected, -1, 1)
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-5, atol=1e-5)


def test_conv1d_causal_matches_numpy_and_never_looks_ahead():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 6, 2)).astype("float32")
    layer = layers.Conv1D(3, 3, padding="causal", dilation_rate=2)
    layer(x)
    kernel, bias = set_random_weights(layer, rng)
    expected = np_conv(x, kernel, (1,), (2,), [(4, 0)]) + bias
    y = layer(x).numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    changed = x.copy()
    changed[:, 4:] += 1.0  # the future: outputs before step 4 must not move
    np.testing.assert_allclose(layer(changed).numpy()[:, :4], y[:, :4], rtol=1e-6)


def test_depthwise_and_separable_match_numpy():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 5, 4, 3)).astype("float32")
    depthwise = layers.DepthwiseConv2D(2, depth_multiplier=2)
    depthwise(x)
    kernel, bias = set_random_weights(depthwise, rng)
    # Output channel c * multiplier + m = channel c convolved with kernel[..., c, m].
    grouped = kernel.reshape(2, 2, 1, 6)
    expected = np_conv(x, grouped, (1, 1), (1, 1), [(0, 0), (0, 0)], groups=3) + bias
    np.testing.assert_allclose(depthwise(x).numpy(), expected, rtol=1e-5, atol=1e-5)

    separable = layers.SeparableConv2D(4, 2, depth_multiplier=2, use_bias=False)
    separable(x)
    dk, pk = set_random_weights(separable, rng)
    hidden = np_conv(x, dk.reshape(2, 2, 1, 6), (1, 1), (1, 1), [(0, 0), (0, 0)], groups=3)
    np.testing.assert_allclose(separable(x).numpy(), hidden @ pk[0, 0], rtol=1e-5, atol=1e-5)


def test_conv2d_transpose_matches_numpy():
    """Valid padding: each input pixel scatters ``x[i] * kernel`` to ``i * stride``."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 2, 3)).astype("float32")
    layer = layers.Conv2DTranspose(2, (3, 2), strides=(2, 3), output_padding=(1, 2))
    layer(x)
    kernel, bias = set_random_weights(layer, rng)
    out = np.zeros((2, (3 - 1) * 2 + 3 + 1, (2 - 1) * 3 + 2 + 2, 2))
    for i, j in np.ndindex(3, 2):
        for a, b in np.ndindex(3, 2):
            out[:, i * 2 + a, j * 3 + b] += x[:, i, j] @ kernel[a, b].T
    y = layer(x).numpy()
    assert y.shape == (2, 8, 7, 2)
    np.testing.assert_allclose(y, out + bias, rtol=1e-5, atol=1e-5)


# --- Keras 3 references ------------------------------------------------------------------------
@pytest.mark.parametrize("name", case_names(*CONV_CLASSES))
def test_matches_keras(name):
    check_against_keras(name)


@pytest.mark.parametrize("name", case_names(*CONV_CLASSES))
def test_config_matches_keras(name):
    from conv_pool_norm_reference import CASES

    check_config_matches_keras(getattr(layers, CASES[name]["class_name"]), name)


def test_aliases():
    assert layers.Convolution2D is layers.Conv2D
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert layers.SeparableConvolution2D is layers.SeparableConv2D


# --- traced and functional use --------------------------------------------------------------------
@pytest.mark.parametrize("layer", [
    layers.Conv2DTranspose(2, 3, strides=2, padding="same"),
    layers.Conv1DTranspose(2, 2, data_format="channels_first"),
    layers.SeparableConv2D(2, 2),
])
def test_traced_with_unknown_batch_size(layer):
    rank = 1 if "1D" in type(layer).__name__ else 2
    x = np.random.default_rng(4).standard_normal((3,) + (4,) * rank + (2,)).astype("float32")
    eager = layer(x).numpy()
    signature = [tf.TensorSpec((None,) + x.shape[1:], tf.float32)]
    traced = tf.function(lambda t: layer(t), input_signature=signature)
    np.testing.assert_allclose(traced(x).numpy(), eager, rtol=1e-5, atol=1e-6)
    assert layer(layers.Input(x.shape[1:])).shape == (None,) + eager.shape[1:]


# --- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs, message", [
    (layers.Conv2D, dict(filters=2, kernel_size=3, padding="foo"), "padding"),
    (layers.Conv2D, dict(filters=2, kernel_size=3, padding="causal"), "padding"),
    (layers.Conv2D, dict(filters=0, kernel_size=3), "filters"),
    (layers.Conv2D, dict(filters=3, kernel_size=3, groups=2), "divisible"),
    (layers.Conv2D, dict(filters=2, kernel_size=(3, 3, 3)), "kernel_size"),
    (layers.Conv2D, dict(filters=2, kernel_size=0), "kernel_size"),
    (layers.Conv2D, dict(filters=2, kernel_size=3, strides=2, dilation_rate=2), "dilation"),
    (layers.Conv2D, dict(filters=2, kernel_size=3, data_format="NHWC"), "data_format"),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=3, strides=2, output_padding=2),
     "output_padding"),
    (layers.Conv1DTranspose, dict(filters=2, kernel_size=3, padding="causal"), "padding"),
    (layers.DepthwiseConv2D, dict(kernel_size=3, depth_multiplier=0), "depth_multiplier"),
    (layers.SeparableConv1D, dict(filters=2, kernel_size=3, padding="full"), "padding"),
])
def test_bad_arguments(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(**kwargs)


def test_bad_inputs():
    conv = layers.Conv2D(2, 3)
    conv(np.zeros((1, 5, 5, 3), np.float32))
    with pytest.raises(ValueError, match="axis -1 of input shape to have value 3"):
        conv(np.zeros((1, 5, 5, 4), np.float32))
    with pytest.raises(ValueError, match="min_ndim=4"):
        layers.Conv2D(2, 3)(np.zeros((5, 5, 3), np.float32))
    with pytest.raises(ValueError, match="evenly divisible by the number of groups"):
        layers.Conv2D(4, 1, groups=2)(np.zeros((1, 3, 3, 3), np.float32))
    with pytest.raises(Exception, match="conv"):  # window larger than the input
        layers.Conv2D(2, 5)(np.zeros((1, 3, 3, 1), np.float32))
    with pytest.raises(ValueError, match="known number of input channels"):
        layers.Conv1D(2, 3)(layers.Input((4, None)))


def test_data_format_default_follows_keras_config():
    from fluxion.keras import config

    config.set_image_data_format("channels_first")
    try:
        layer = layers.Conv2D(2, 2)
    finally:
        config.set_image_data_format("channels_last")
    assert layer.data_format == "channels_first"
    assert layer(np.zeros((1, 3, 4, 4), np.float32)).shape == (1, 2, 3, 3)
    assert layers.Conv2D(2, 2).data_format == "channels_last"


def test_kernel_regularizer_adds_a_loss():
    layer = layers.Conv1D(2, 2, kernel_regularizer=lambda w: tf.reduce_sum(w * w))
    layer(np.ones((1, 3, 2), np.float32))
    expected = float(np.sum(layer.kernel.numpy() ** 2))
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), expected, rtol=1e-6)


def test_conv_transpose_with_unknown_spatial_sizes():
    """A functional model on Input([None, None, c]) (pix2pix's generator): the output
    sizes are computed when it runs, by the same rule as the static ones."""
    fx = tf
    inputs = fx.keras.layers.Input(shape=[None, None, 3])
    for padding, kernel, stride in (("same", 4, 2), ("valid", 3, 2), ("valid", 2, 3)):
        layer = fx.keras.layers.Conv2DTranspose(4, kernel, strides=stride, padding=padding)
        model = fx.keras.Model(inputs, layer(inputs))
        assert model.output_shape == (None, None, None, 4)
        x = np.random.RandomState(0).rand(2, 5, 6, 3).astype(np.float32)
        static = fx.keras.layers.Conv2DTranspose(4, kernel, strides=stride, padding=padding)
        expected = static(x)
        static.set_weights(layer.get_weights())
        np.testing.assert_allclose(model(x).numpy(), static(x).numpy(), rtol=1e-5, atol=1e-6)
        assert model(x).shape == expected.shape
