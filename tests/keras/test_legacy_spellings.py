"""Spellings Keras 3 still accepts: ``InputLayer(input_shape=...)``, ``keras.preprocessing``,
``keras.backend`` helpers, ``keras.utils.get_custom_objects``.

Expected values were printed by real Keras 3.15 on the same inputs.
"""

import numpy as np
import pytest

from fluxion import keras

KERAS_BACKEND_NAMES = [
    "backend", "clear_session", "epsilon", "floatx", "get_uid", "image_data_format",
    "is_float_dtype", "is_int_dtype", "is_keras_tensor", "result_type", "set_epsilon",
    "set_floatx", "set_image_data_format", "standardize_dtype"]
KERAS_PREPROCESSING_NAMES = {
    "": ["image", "image_dataset_from_directory", "sequence", "text_dataset_from_directory",
         "timeseries_dataset_from_array"],
    "image": ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"],
    "sequence": ["pad_sequences"]}


def test_keras_backend_names():
    missing = [n for n in KERAS_BACKEND_NAMES if not hasattr(keras.backend, n)]
    assert not missing


@pytest.mark.parametrize("module", list(KERAS_PREPROCESSING_NAMES))
def test_keras_preprocessing_names(module):
    namespace = keras.preprocessing if not module else getattr(keras.preprocessing, module)
    assert not [n for n in KERAS_PREPROCESSING_NAMES[module] if not hasattr(namespace, n)]


def test_input_layer_legacy_shape_arguments():
    assert keras.layers.InputLayer(input_shape=(3,)).batch_shape == (None, 3)
    assert keras.layers.InputLayer(batch_input_shape=(2, 3)).batch_shape == (2, 3)
    model = keras.Sequential([keras.layers.InputLayer(input_shape=(4,)), keras.layers.Dense(2)])
    assert model.output_shape == (None, 2)
    assert model(np.ones((5, 4), "float32")).shape == (5, 2)
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        keras.layers.InputLayer(shape=(3,), inputshape=(3,))


def test_backend_helpers_as_keras():
    backend = keras.backend
    first = backend.get_uid("legacy_spellings_prefix")
    assert backend.get_uid("legacy_spellings_prefix") == first + 1
    assert backend.is_float_dtype("float16") and backend.is_float_dtype("bfloat16")
    assert not backend.is_float_dtype("int32")
    assert backend.is_int_dtype("uint8") and not backend.is_int_dtype("bool")
    assert backend.result_type("int32", "float16") == "float16"
    assert backend.standardize_dtype(float) == "float32"
    assert backend.is_keras_tensor(keras.Input((2,)))
    assert not backend.is_keras_tensor(np.ones(2))


def test_pad_sequences_legacy_path():
    padded = keras.preprocessing.sequence.pad_sequences([[1, 2], [3]], maxlen=3)
    np.testing.assert_array_equal(padded, [[0, 1, 2], [0, 0, 3]])


def test_smart_resize_matches_keras():
    x = np.arange(10 * 20 * 3, dtype="float32").reshape(10, 20, 3)
    resized = keras.preprocessing.image.smart_resize(x, (5, 5))
    assert isinstance(resized, np.ndarray) and resized.shape == (5, 5, 3)
    np.testing.assert_allclose(resized[0, :, 0], [46.5, 52.5, 58.5, 64.5, 70.5])
    batch = keras.preprocessing.image.smart_resize(x[None], (4, 6), interpolation="nearest")
    np.testing.assert_array_equal(batch[0, :, :, 0], [
        [69, 75, 84, 90, 99, 105], [189, 195, 204, 210, 219, 225],
        [369, 375, 384, 390, 399, 405], [489, 495, 504, 510, 519, 525]])


def test_image_helpers_round_trip_through_legacy_path(tmp_path):
    pytest.importorskip("PIL")
    image = (np.arange(4 * 5 * 3) % 256).astype("float32").reshape(4, 5, 3)
    path = tmp_path / "image.png"
    keras.preprocessing.image.save_img(path, image, scale=False)
    loaded = keras.preprocessing.image.img_to_array(keras.preprocessing.image.load_img(path))
    np.testing.assert_array_equal(loaded, image)
    assert keras.preprocessing.image.array_to_img(image, scale=False).size == (5, 4)


def test_get_custom_objects_in_utils_and_saving():
    assert keras.utils.get_custom_objects() is keras.saving.get_custom_objects()
