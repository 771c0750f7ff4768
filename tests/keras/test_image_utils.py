"""keras.utils image helpers (array_to_img, img_to_array, save_img, load_img) and the
small tensor helpers (is_keras_tensor, get_source_inputs)."""

import numpy as np
import pytest

from fluxion import keras

pytest.importorskip("PIL")


def test_array_to_img_scales_to_bytes_and_picks_the_mode():
    x = np.linspace(-1.0, 3.0, 4 * 5 * 3).reshape(4, 5, 3)
    img = keras.utils.array_to_img(x)
    assert img.mode == "RGB" and img.size == (5, 4)
    pixels = np.asarray(img)
    assert pixels.min() == 0 and pixels.max() == 255
    assert keras.utils.array_to_img(np.zeros((2, 2, 1))).mode == "L"
    assert keras.utils.array_to_img(np.zeros((2, 2, 4))).mode == "RGBA"
    unscaled = keras.utils.array_to_img(np.full((2, 2, 3), 7.0), scale=False)
    assert np.asarray(unscaled).max() == 7
    first = keras.utils.array_to_img(np.moveaxis(x, -1, 0), data_format="channels_first")
    np.testing.assert_array_equal(np.asarray(first), pixels)
    with pytest.raises(ValueError, match="rank 3"):
        keras.utils.array_to_img(np.zeros((2, 2)))


def test_img_to_array_layouts():
    img = keras.utils.array_to_img(np.random.rand(4, 5, 3))
    array = keras.utils.img_to_array(img)
    assert array.shape == (4, 5, 3) and array.dtype == np.float32
    gray = keras.utils.array_to_img(np.random.rand(4, 5, 1))
    assert keras.utils.img_to_array(gray).shape == (4, 5, 1)
    assert keras.utils.img_to_array(gray, data_format="channels_first").shape == (1, 4, 5)


def test_save_and_load_round_trip(tmp_path):
    x = (np.arange(6 * 8 * 3).reshape(6, 8, 3) % 256).astype("float32")
    path = tmp_path / "image.png"
    keras.utils.save_img(path, x, scale=False)
    loaded = keras.utils.load_img(path)
    np.testing.assert_array_equal(keras.utils.img_to_array(loaded), x)
    small = keras.utils.load_img(str(path), target_size=(3, 4), color_mode="grayscale")
    assert small.size == (4, 3) and small.mode == "L"
    cropped = keras.utils.load_img(path, target_size=(4, 4), keep_aspect_ratio=True)
    assert cropped.size == (4, 4)
    keras.utils.save_img(tmp_path / "alpha.jpg", np.random.rand(4, 4, 4))  # RGBA -> RGB
    with pytest.raises(ValueError, match="color_mode"):
        keras.utils.load_img(path, color_mode="cmyk")


def test_get_source_inputs_and_is_keras_tensor():
    a, b = keras.Input((3,)), keras.Input((3,))
    merged = keras.layers.Add()([keras.layers.Dense(3)(a), b])
    out = keras.layers.Dense(1)(merged)
    sources = keras.utils.get_source_inputs(out)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert keras.utils.is_keras_tensor(out) and not keras.utils.is_keras_tensor(np.ones(2))
    x, y, w = keras.utils.unpack_x_y_sample_weight(keras.utils.pack_x_y_sample_weight(1, 2))
    assert (x, y, w) == (1, 2, None)
