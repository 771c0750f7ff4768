"""Pooling layers: the layer harness, NumPy references, Keras 3 references, errors."""

from __future__ import annotations

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
from fluxion.keras.engine.tensor_annotations import get_keras_mask, set_keras_mask
from fluxion.keras.testing.layer_check import run_layer_test

POOL_CLASSES = ("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D",
                "AveragePooling2D", "AveragePooling3D", "GlobalMaxPooling1D",
                "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling1D",
                "GlobalAveragePooling2D", "GlobalAveragePooling3D")


@pytest.mark.parametrize("cls, kwargs, shape, expected_shape", [
    (layers.MaxPooling1D, {}, (2, 5, 3), (2, 2, 3)),
    (layers.MaxPooling2D, dict(pool_size=(2, 3), strides=1, padding="same"), (1, 3, 4, 2),
     (1, 3, 4, 2)),
    (layers.MaxPooling3D, dict(data_format="channels_first"), (1, 2, 2, 4, 3), (1, 2, 1, 2, 1)),
    (layers.AveragePooling1D, dict(pool_size=3, strides=2, padding="same"), (2, 5, 2),
     (2, 3, 2)),
    (layers.AveragePooling2D, dict(pool_size=2), (2, 4, 5, 1), (2, 2, 2, 1)),
    (layers.AveragePooling3D, dict(pool_size=(1, 2, 2), padding="same"), (1, 2, 3, 3, 2),
     (1, 2, 2, 2, 2)),
    (layers.GlobalMaxPooling1D, dict(keepdims=True), (2, 4, 3), (2, 1, 3)),
    (layers.GlobalMaxPooling2D, dict(data_format="channels_first"), (2, 3, 2, 2), (2, 3)),
    (layers.GlobalMaxPooling3D, {}, (1, 2, 2, 2, 3), (1, 3)),
    (layers.GlobalAveragePooling1D, {}, (2, 4, 3), (2, 3)),
    (layers.GlobalAveragePooling2D, dict(keepdims=True), (2, 2, 3, 2), (2, 1, 1, 2)),
    (layers.GlobalAveragePooling3D, dict(data_format="channels_first", keepdims=True),
     (1, 3, 2, 2, 2), (1, 3, 1, 1, 1)),
])
def test_layer_harness(cls, kwargs, shape, expected_shape):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=expected_shape,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


def test_strides_default_to_pool_size():
    layer = layers.AveragePooling2D((2, 3))
    assert layer.strides == (2, 3)
    assert layer.get_config()["strides"] == (2, 3)
    assert layers.MaxPooling1D(3, strides=1).strides == (1,)


# --- NumPy references ---------------------------------------------------------------------------
def np_pool(x, size, strides, reduce):
    """Valid pooling over the spatial axes of a channels-last ``x``."""
    rank = x.ndim - 2
    outs = [(x.shape[1 + i] - size[i]) // strides[i] + 1 for i in range(rank)]
    out = np.zeros((x.shape[0], *outs, x.shape[-1]), x.dtype)
    for index in np.ndindex(*outs):
        window = tuple(slice(i * s, i * s + k) for i, s, k in zip(index, strides, size))
        out[(slice(None),) + index] = reduce(x[(slice(None),) + window],
                                             axis=tuple(range(1, rank + 1)))
    return out


@pytest.mark.parametrize("cls, reduce", [(layers.MaxPooling2D, np.max),
                                         (layers.AveragePooling2D, np.mean)])
def test_pooling_matches_numpy(cls, reduce):
    x = np.random.default_rng(0).standard_normal((2, 7, 6, 3)).astype("float32")
    layer = cls((3, 2), strides=(2, 1))
    np.testing.assert_allclose(layer(x).numpy(), np_pool(x, (3, 2), (2, 1), reduce),
                               rtol=1e-6)
    first = cls((3, 2), strides=(2, 1), data_format="channels_first")
    np.testing.assert_allclose(first(np.moveaxis(x, -1, 1)).numpy(),
                               np.moveaxis(np_pool(x, (3, 2), (2, 1), reduce), -1, 1),
                               rtol=1e-6)


def test_same_average_pooling_counts_only_real_cells():
    x = np.ones((1, 3, 3, 1), np.float32)
    y = layers.AveragePooling2D(2, strides=1, padding="same")(x).numpy()
    np.testing.assert_allclose(y, np.ones_like(y))


def test_global_pooling_matches_numpy():
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 5)).astype("float32")
    np.testing.assert_allclose(layers.GlobalMaxPooling2D()(x).numpy(), x.max(axis=(1, 2)))
    np.testing.assert_allclose(layers.GlobalAveragePooling2D(keepdims=True)(x).numpy(),
                               x.mean(axis=(1, 2), keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(
        layers.GlobalAveragePooling2D(data_format="channels_first")(x).numpy(),
        x.mean(axis=(2, 3)), rtol=1e-6)


def test_global_average_pooling_1d_honours_masks():
    x = np.random.default_rng(2).standard_normal((2, 4, 3)).astype("float32")
    mask = np.array([[True, False, True, True], [False, False, True, False]])
    x_with_nan = x.copy()
    x_with_nan[~mask] = np.nan  # masked steps never reach the result
    y = layers.GlobalAveragePooling1D()(x_with_nan, mask=tf.constant(mask)).numpy()
    expected = np.stack([x[b][mask[b]].mean(axis=0) for b in range(2)])
    np.testing.assert_allclose(y, expected, rtol=1e-6)
    keep = layers.GlobalAveragePooling1D(keepdims=True)(x, mask=tf.constant(mask))
    np.testing.assert_allclose(keep.numpy(), expected[:, None], rtol=1e-6)
    # channels_first: the mask is still [batch, steps].
    first = layers.GlobalAveragePooling1D(data_format="channels_first")
    np.testing.assert_allclose(
        first(np.moveaxis(x, 1, 2), mask=tf.constant(mask)).numpy(), expected, rtol=1e-6)
    # A mask carried by the input itself is used, and not passed on.
    carried = tf.constant(x)
    set_keras_mask(carried, tf.constant(mask))
    out = layers.GlobalAveragePooling1D()(carried)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
    assert get_keras_mask(out) is None


# --- Keras 3 references ------------------------------------------------------------------------
@pytest.mark.parametrize("name", case_names(*POOL_CLASSES))
def test_matches_keras(name):
    check_against_keras(name)


@pytest.mark.parametrize("name", case_names(*POOL_CLASSES))
def test_config_matches_keras(name):
    check_config_matches_keras(getattr(layers, CASES[name]["class_name"]), name)


def test_masked_global_average_matches_keras():
    y = layers.GlobalAveragePooling1D()(array("gap1d_mask", "x"),
                                        mask=tf.constant(array("gap1d_mask", "mask")))
    np.testing.assert_allclose(y.numpy(), array("gap1d_mask", "y"), rtol=1e-5, atol=1e-6)


def test_aliases():
    assert layers.MaxPool2D is layers.MaxPooling2D
    assert layers.AvgPool1D is layers.AveragePooling1D
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.GlobalMaxPool3D is layers.GlobalMaxPooling3D


# --- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs, message", [
    (layers.MaxPooling2D, dict(padding="foo"), "padding"),
    (layers.MaxPooling2D, dict(pool_size=(2, 2, 2)), "pool_size"),
    (layers.AveragePooling1D, dict(pool_size=0), "pool_size"),
    (layers.MaxPooling1D, dict(strides=-1), "strides"),
    (layers.MaxPooling2D, dict(data_format="NCHW"), "data_format"),
    (layers.GlobalMaxPooling2D, dict(data_format="channels_middle"), "data_format"),
])
def test_bad_arguments(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(**kwargs)


def test_bad_inputs():
    with pytest.raises(ValueError, match="expected ndim=4"):
        layers.MaxPooling2D()(np.zeros((2, 4, 4), np.float32))
    with pytest.raises(ValueError, match="expected ndim=3"):
        layers.GlobalAveragePooling1D()(np.zeros((2, 4, 4, 1), np.float32))
