"""Functional models adjust input rank as Keras does, and Concatenate promotes dtypes."""

import numpy as np

from fluxion import keras


def _image_model():
    inputs = keras.Input((6, 6, 1))
    x = keras.layers.BatchNormalization()(inputs)
    outputs = keras.layers.Dense(1)(keras.layers.Flatten()(x))
    return keras.Model(inputs, outputs)


def test_missing_trailing_channel_axis_is_added():
    model = _image_model()
    images = np.random.default_rng(0).random((4, 6, 6)).astype("float32")
    np.testing.assert_allclose(np.asarray(model(images)), np.asarray(model(images[..., None])),
                               rtol=1e-6)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(images, np.ones((4, 1)), epochs=1, verbose=0)


def test_extra_trailing_axis_of_one_is_dropped():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(np.asarray(model(x[..., None])), np.asarray(model(x)))


def test_concatenate_promotes_integer_and_float_features():
    ints, floats = keras.Input((2,), dtype="int64"), keras.Input((3,))
    merged = keras.layers.concatenate([ints, floats])
    assert merged.dtype == "float32"
    model = keras.Model([ints, floats], merged)
    out = model([np.array([[1, 2]], "int64"), np.array([[0.5, 1.5, 2.5]], "float32")])
    np.testing.assert_allclose(np.asarray(out), [[1, 2, 0.5, 1.5, 2.5]])
