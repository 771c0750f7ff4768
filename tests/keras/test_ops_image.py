"""keras.ops.image: values from NumPy oracles and from real Keras 3 (TensorFlow backend,
recorded), layouts, dtypes, and gradients flowing to the images."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import ops
from fluxion.keras.ops import image as I

X = (np.arange(1 * 4 * 5 * 3).reshape(1, 4, 5, 3) % 17).astype("float32") / 17
X8 = np.arange(2 * 5 * 6 * 3).reshape(2, 5, 6, 3).astype("uint8")


def _np(x):
    return np.asarray(x)


def test_extract_patches_order_and_padding():
    patches = I.extract_patches(X8.astype("float32"), (2, 2))
    assert tuple(patches.shape) == (2, 2, 3, 12)
    expected = np.concatenate([X8[0, 0, 0], X8[0, 0, 1], X8[0, 1, 0], X8[0, 1, 1]])
    np.testing.assert_array_equal(_np(patches)[0, 0, 0], expected)
    same = I.extract_patches(X8.astype("float32"), 2, strides=1, padding="same")
    assert tuple(same.shape) == (2, 5, 6, 12)
    # TensorFlow pads the extra row/column after: the last patch sees zeros there.
    np.testing.assert_array_equal(_np(same)[0, 4, 5, 3:], 0)
    dilated = I.extract_patches(X8.astype("float32"), 2, strides=1, dilation_rate=2)
    np.testing.assert_array_equal(_np(dilated)[1, 0, 0, 3:6], X8[1, 0, 2])
    unbatched = I.extract_patches(X8[0].astype("float32"), 3)
    assert tuple(unbatched.shape) == (1, 2, 27)


def test_extract_patches_3d():
    volume = np.arange(2 * 4 * 4 * 4 * 1, dtype="float32").reshape(2, 4, 4, 4, 1)
    patches = I.extract_patches_3d(volume, 2)
    assert tuple(patches.shape) == (2, 2, 2, 2, 8)
    np.testing.assert_array_equal(_np(patches)[0, 0, 0, 0], volume[0, :2, :2, :2, 0].ravel())


def test_resize_keeps_integer_dtype_and_channels_first():
    assert I.resize(X8, (3, 4)).dtype.name == "uint8"
    first = I.resize(np.moveaxis(X, -1, 1), (2, 2), data_format="channels_first")
    last = I.resize(X, (2, 2))
    np.testing.assert_allclose(_np(first), np.moveaxis(_np(last), -1, 1), rtol=1e-6)
    with pytest.raises(ValueError, match="size"):
        I.resize(X, (2, 2, 2))


def test_crop_and_pad_images():
    cropped = I.crop_images(X8, 1, 1, target_height=2, target_width=3)
    np.testing.assert_array_equal(_np(cropped), X8[:, 1:3, 1:4])
    padded = I.pad_images(X8, 1, 2, target_height=8, target_width=9)
    assert tuple(padded.shape) == (2, 8, 9, 3)
    np.testing.assert_array_equal(_np(padded)[:, 1:6, 2:8], X8)
    assert _np(padded)[:, 0].sum() == 0 and _np(padded)[:, 6:].sum() == 0


def test_colour_conversions_match_keras_and_round_trip():
    hsv = _np(I.rgb_to_hsv(X))
    np.testing.assert_allclose(hsv[0, 1, :2], [[0.17708333, 1.0, 0.94117647],
                                                [0.58333337, 0.66666669, 0.17647059]],
                               rtol=1e-5)
    np.testing.assert_allclose(_np(I.hsv_to_rgb(hsv)), X, atol=1e-6)
    gray = _np(I.rgb_to_grayscale(X8.astype("float32")))
    np.testing.assert_allclose(gray[0, 0, :3, 0], [0.815, 3.8147, 6.8144], rtol=1e-5)
    assert I.rgb_to_grayscale(X8).dtype.name == "uint8"


def test_gaussian_blur_matches_keras_kernels():
    np.testing.assert_allclose(_np(I.gaussian_blur(X))[0, 0, :2],
                               [[0.13554464, 0.16654325, 0.07370046],
                                [0.17097578, 0.21367763, 0.18126588]], rtol=1e-5)
    np.testing.assert_allclose(_np(I.gaussian_blur(X, (5, 3), (2.0, 0.5)))[0, 3, :2],
                               [[0.41955927, 0.33245343, 0.34171101],
                                [0.34537444, 0.37463552, 0.4038966]], rtol=1e-5)


def test_sobel_edges_of_a_ramp():
    ramp = np.tile(np.arange(6, dtype="float32")[None, :, None], (5, 1, 1))[None]
    edges = _np(I.sobel_edges(ramp))
    assert edges.shape == (1, 5, 6, 1, 2)
    np.testing.assert_allclose(edges[0, 2, 1:5, 0, 1], 8.0)  # d/dx of a unit ramp, x 8
    np.testing.assert_allclose(edges[0, 2, 1:5, 0, 0], 0.0)


def test_ssim_identical_is_one_and_matches_keras():
    y = (np.arange(16 * 16 * 3).reshape(1, 16, 16, 3) % 23).astype("float32")
    np.testing.assert_allclose(_np(I.ssim(y, y, max_val=30.0)), [1.0], rtol=1e-6)
    np.testing.assert_allclose(_np(I.ssim(y, y * 0.9 + 1, max_val=30.0)), [0.9943859],
                               rtol=1e-5)


def test_map_coordinates_modes_match_keras():
    image = X[0, :, :, 0]
    points = np.array([[0.5, 1.7, -1], [2.2, 0.1, 3]])
    np.testing.assert_allclose(_np(I.map_coordinates(image, points, 1)),
                               [0.32941177, 0.78764707, 0.0], rtol=1e-5)
    np.testing.assert_allclose(
        _np(I.map_coordinates(image, points, 0, fill_mode="nearest")),
        [0.35294119, 0.7647059, 0.52941179], rtol=1e-5)
    far = np.array([[-1.5, 5.7, -3], [2.2, 7.1, -4]])
    expected = {"mirror": [0.21176471, 0.24117647, 0.35294119],
                "reflect": [0.21176471, 0.21235295, 0.35294119],
                "wrap": [0.09411765, 0.17058824, 0.05882353]}
    for mode, values in expected.items():
        np.testing.assert_allclose(_np(I.map_coordinates(image, far, 1, fill_mode=mode)),
                                   values, rtol=1e-5, err_msg=mode)


def test_perspective_and_scale_and_translate_match_keras():
    warped = I.perspective_transform(X, [[0, 0], [4, 0], [0, 3], [4, 3]],
                                     [[1, 0], [4, 1], [0, 3], [3, 3]])
    np.testing.assert_allclose(_np(warped)[0, 1, :3, 0], [0.41515714, 0.54670435, 0.15240642],
                               rtol=1e-5)
    up = I.scale_and_translate(X, (1, 6, 7, 3), np.array([1.5, 1.4]), np.array([0.5, 0.2]),
                               (1, 2), "bilinear")
    np.testing.assert_allclose(_np(up)[0, 2, :3, 0], [0.7352941, 0.45378152, 0.10364147],
                               rtol=1e-5)
    args = (X, (1, 3, 2, 3), np.array([0.5, 0.4]), np.array([0.5, 0.2]), (1, 2), "bilinear")
    np.testing.assert_allclose(_np(I.scale_and_translate(*args))[0, 1, :3, 0],
                               [0.54295671, 0.35661763], rtol=1e-5)
    np.testing.assert_allclose(_np(I.scale_and_translate(*args, antialias=False))[0, 1, :3, 0],
                               [0.74264705, 0.30882353], rtol=1e-5)


def test_affine_identity_and_elastic_shape():
    identity = np.array([1, 0, 0, 0, 1, 0, 0, 0], dtype="float32")
    np.testing.assert_allclose(_np(I.affine_transform(X, identity)), X, atol=1e-6)
    out = I.elastic_transform(X8.astype("float32"), alpha=0.0, seed=1)
    np.testing.assert_allclose(_np(out), X8.astype("float32"), atol=1e-4)


def test_gradients_reach_the_images():
    images = tf.Variable(X)
    with tf.GradientTape() as tape:
        total = (ops.sum(I.extract_patches(images, 2)) + ops.sum(I.gaussian_blur(images))
                 + ops.sum(I.resize(images, (2, 3))))
    grad = _np(tape.gradient(total, images))
    # Each pixel: once in the patches (the last column is not covered), its blur weights
    # summed, and its resize weights: compare with finite differences of the same sum.
    def f(value):
        return float(np.sum(_np(I.extract_patches(value, 2))) + np.sum(
            _np(I.gaussian_blur(value))) + np.sum(_np(I.resize(value, (2, 3)))))
    eps = 1e-2
    for index in [(0, 0, 0, 0), (0, 3, 4, 2), (0, 1, 2, 1)]:
        bumped = X.copy()
        bumped[index] += eps
        np.testing.assert_allclose(grad[index], (f(bumped) - f(X)) / eps, rtol=1e-2,
                                   atol=1e-3)


def test_extract_patches_takes_the_older_keyword_image():
    images = np.arange(2 * 4 * 4 * 3, dtype="float32").reshape(2, 4, 4, 3)
    expected = I.extract_patches(images, 2)
    older = I.extract_patches(image=images, size=(2, 2), strides=(2, 2),
                                            dilation_rate=1, padding="valid")
    np.testing.assert_array_equal(np.asarray(older), np.asarray(expected))
    with pytest.raises(TypeError, match="not both"):
        I.extract_patches(images, 2, image=images)
    with pytest.raises(TypeError, match=r"missing required argument\(s\): \['size'\]"):
        I.extract_patches(images)
