"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, ZeroPadding*, Cropping*,
UpSampling*."""

import numpy as np
import pytest

from fluxion.keras import layers
from fluxion.keras.layers.reshaping.up_sampling import bilinear_weights
from fluxion.keras.testing.layer_check import run_layer_test

rng = np.random.default_rng(3)


def data(*shape):
    return rng.standard_normal(shape).astype("float32")


def test_flatten():
    x = data(2, 3, 4)
    run_layer_test(layers.Flatten, {}, input_data=x, expected_output=x.reshape(2, 12))
    y = data(2, 3, 2, 2)
    run_layer_test(layers.Flatten, {"data_format": "channels_first"}, input_data=y,
                   expected_output=y.transpose(0, 2, 3, 1).reshape(2, 12))
    run_layer_test(layers.Flatten, {}, input_data=data(3), expected_output_shape=(3, 1),
                   check_gradients=False)
    assert layers.Flatten().compute_output_shape((None, None, 3)) == (None, None)


def test_reshape():
    x = data(2, 3, 4)
    run_layer_test(layers.Reshape, {"target_shape": (2, -1)}, input_data=x,
                   expected_output=x.reshape(2, 2, 6))
    run_layer_test(layers.Reshape, {"target_shape": (4, 3)}, input_data=x,
                   expected_output=x.reshape(2, 4, 3))
    assert layers.Reshape((-1, 2)).compute_output_shape((None, 3, None)) == (None, None, 2)
    assert layers.Reshape([2, 3]).get_config()["target_shape"] == (2, 3)


def test_reshape_errors():
    with pytest.raises(ValueError, match="at most one unknown dimension"):
        layers.Reshape((-1, -1))
    with pytest.raises(ValueError, match="non-negative integer, or `-1`"):
        layers.Reshape((2, -3))
    with pytest.raises(ValueError, match="total size of the tensor must be unchanged"):
        layers.Reshape((5,))(np.ones((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="total size of the tensor must be unchanged"):
        layers.Reshape((5, -1))(np.ones((2, 3, 4), "float32"))


def test_permute_and_repeat_vector():
    x = data(2, 3, 4, 5)
    run_layer_test(layers.Permute, {"dims": (3, 1, 2)}, input_data=x,
                   expected_output=x.transpose(0, 3, 1, 2))
    with pytest.raises(ValueError, match="must be consecutive and start from 1"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        layers.Permute((2, 1))(x)
    v = data(2, 4)
    run_layer_test(layers.RepeatVector, {"n": 3}, input_data=v,
                   expected_output=np.repeat(v[:, None], 3, axis=1))
    with pytest.raises(TypeError, match="Expected an integer value for `n`"):
        layers.RepeatVector(2.0)
    with pytest.raises(ValueError, match="should be a positive integer"):
        layers.RepeatVector(0)


@pytest.mark.parametrize("cls, kwargs, shape, np_pad", [
    (layers.ZeroPadding1D, {}, (2, 3, 2), ((0, 0), (1, 1), (0, 0))),
    (layers.ZeroPadding1D, {"padding": (0, 2)}, (2, 3, 2), ((0, 0), (0, 2), (0, 0))),
    (layers.ZeroPadding2D, {"padding": ((1, 0), (2, 1))}, (1, 2, 3, 2),
     ((0, 0), (1, 0), (2, 1), (0, 0))),
    (layers.ZeroPadding2D, {"padding": (1, 2), "data_format": "channels_first"}, (1, 2, 3, 2),
     ((0, 0), (0, 0), (1, 1), (2, 2))),
    (layers.ZeroPadding3D, {"padding": 1}, (1, 2, 2, 1, 1),
     ((0, 0), (1, 1), (1, 1), (1, 1), (0, 0))),
])
def test_zero_padding(cls, kwargs, shape, np_pad):
    x = data(*shape)
    run_layer_test(cls, kwargs, input_data=x, expected_output=np.pad(x, np_pad))


@pytest.mark.parametrize("cls, kwargs, shape, index", [
    (layers.Cropping1D, {}, (2, 4, 2), np.s_[:, 1:-1]),
    (layers.Cropping1D, {"cropping": (2, 0)}, (2, 4, 2), np.s_[:, 2:]),
    (layers.Cropping2D, {"cropping": ((1, 0), (0, 2))}, (1, 3, 4, 2), np.s_[:, 1:, :-2]),
    (layers.Cropping2D, {"cropping": 1, "data_format": "channels_first"}, (1, 2, 3, 4),
     np.s_[:, :, 1:-1, 1:-1]),
    (layers.Cropping3D, {}, (1, 3, 3, 4, 1), np.s_[:, 1:-1, 1:-1, 1:-1]),
])
def test_cropping(cls, kwargs, shape, index):
    x = data(*shape)
    run_layer_test(cls, kwargs, input_data=x, expected_output=x[index])


def test_padding_cropping_configs_and_errors():
    assert layers.ZeroPadding2D().get_config()["padding"] == ((1, 1), (1, 1))
    assert layers.ZeroPadding1D(2).get_config()["padding"] == (2, 2)
    assert layers.Cropping2D().get_config()["cropping"] == ((0, 0), (0, 0))
    assert "data_format" not in layers.Cropping1D().get_config()
    with pytest.raises(ValueError, match="`padding` should have two elements"):
        layers.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="`padding` should have 3 elements"):
        layers.ZeroPadding3D((1, 2))
    with pytest.raises(ValueError, match="1st entry of padding"):
        layers.ZeroPadding2D(((1, -1), (0, 0)))
    with pytest.raises(ValueError, match="`cropping` cannot be negative"):
        layers.Cropping2D(-1)
    with pytest.raises(ValueError, match="should be smaller than the corresponding spatial"):
        layers.Cropping2D(((2, 1), (0, 0)))(np.ones((1, 3, 3, 1), "float32"))
    with pytest.raises(ValueError, match="data_format"):
        layers.ZeroPadding2D(data_format="nhwc")


def test_up_sampling_nearest():
    x = data(2, 3, 2)
    run_layer_test(layers.UpSampling1D, {"size": 3}, input_data=x,
                   expected_output=np.repeat(x, 3, axis=1))
    y = data(1, 2, 3, 2)
    run_layer_test(layers.UpSampling2D, {"size": (2, 3)}, input_data=y,
                   expected_output=np.repeat(np.repeat(y, 2, axis=1), 3, axis=2))
    run_layer_test(layers.UpSampling2D, {"data_format": "channels_first"}, input_data=y,
                   expected_output=np.repeat(np.repeat(y, 2, axis=2), 2, axis=3))
    z = data(1, 2, 1, 2, 1)
    run_layer_test(layers.UpSampling3D, {"size": (1, 2, 2)}, input_data=z,
                   expected_output=np.repeat(np.repeat(z, 2, axis=2), 2, axis=3))
    assert layers.UpSampling2D().get_config()["size"] == (2, 2)


def _bilinear_reference(image, factor):
    """Half-pixel-centre bilinear resampling of one axis, written out per output pixel."""
    n = image.shape[0]
    out = []
    for o in range(n * factor):
        centre = (o + 0.5) / factor - 0.5
        low = int(np.floor(centre))
        frac = centre - low
        lo, hi = min(max(low, 0), n - 1), min(max(low + 1, 0), n - 1)
        out.append(image[lo] * (1 - frac) + image[hi] * frac)
    return np.stack(out)


def test_up_sampling_bilinear():
    x = data(2, 3, 4, 2)
    expected = np.stack([
        _bilinear_reference(_bilinear_reference(img, 2).transpose(1, 0, 2), 3).transpose(1, 0, 2)
        for img in x])
    run_layer_test(layers.UpSampling2D, {"size": (2, 3), "interpolation": "bilinear"},
                   input_data=x, expected_output=expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(bilinear_weights(4, 2).sum(axis=1), 1.0)


def test_up_sampling_errors():
    with pytest.raises(TypeError, match="Expected an integer value for `size`"):
        layers.UpSampling1D(2.0)
    with pytest.raises(ValueError, match="The `size` argument must be a tuple of 2 integers"):
        layers.UpSampling2D((1, 2, 3))
    with pytest.raises(ValueError, match="interpolation"):
        layers.UpSampling2D(interpolation="cubic-ish")
    with pytest.raises(NotImplementedError, match="bicubic"):
        layers.UpSampling2D(interpolation="bicubic")
