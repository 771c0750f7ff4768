"""Raw uint8 images and bool arrays are cast to the layer's dtype, as Keras casts them.

Each case feeds integer or bool data and checks the result equals feeding the same
numbers as float32 (the oracle: what Keras's type promotion computes).
"""

import numpy as np
import pytest

from fluxion import keras

RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, (8, 6, 6, 3)).astype("uint8")
ONE_HOT = np.eye(5, dtype=bool)[RNG.integers(0, 5, 8)]
SEQUENCES = RNG.random((8, 4, 3)) > 0.5
TARGETS = RNG.random((8, 1)).astype("float32")


@pytest.mark.parametrize("make_layer, data", [
    (lambda: keras.layers.Dense(2), ONE_HOT),
    (lambda: keras.layers.Dense(2), ONE_HOT.astype("int64")),
    (lambda: keras.layers.Conv2D(2, 3), IMAGES),
    (lambda: keras.layers.DepthwiseConv2D(3), IMAGES),
    (lambda: keras.layers.Conv2DTranspose(2, 3), IMAGES),
    (lambda: keras.layers.LSTM(2), SEQUENCES),
    (lambda: keras.layers.GRU(2), SEQUENCES),
    (lambda: keras.layers.SimpleRNN(2), SEQUENCES),
    (lambda: keras.layers.BatchNormalization(), IMAGES),
    (lambda: keras.layers.LayerNormalization(), IMAGES),
], ids=["dense-bool", "dense-int64", "conv-uint8", "depthwise-uint8", "conv-transpose-uint8",
        "lstm-bool", "gru-bool", "simple-rnn-bool", "batch-norm-uint8", "layer-norm-uint8"])
def test_layer_casts_integer_and_bool_inputs(make_layer, data):
    layer = make_layer()
    out = layer(data)
    assert out.dtype.name == "float32"
    np.testing.assert_allclose(out.numpy(), layer(data.astype("float32")).numpy(), rtol=1e-6)


def test_embedding_still_takes_integer_ids():
    layer = keras.layers.Embedding(10, 3)
    ids = np.array([[1, 2], [3, 9]], "int64")
    np.testing.assert_array_equal(layer(ids).numpy(), layer.embeddings.numpy()[ids])


def test_functional_model_casts_inputs_to_the_input_dtype():
    inputs = keras.Input((6, 6, 3))
    scaled = keras.layers.Lambda(lambda x: x / 255.0)(inputs)  # float division needs float
    outputs = keras.layers.Dense(1)(keras.layers.Flatten()(scaled))
    model = keras.Model(inputs, outputs)
    np.testing.assert_allclose(model(IMAGES).numpy(), model(IMAGES.astype("float32")).numpy(),
                               rtol=1e-6)
    model.compile("sgd", "mse")
    model.fit(IMAGES, TARGETS, epochs=1, verbose=0)
    assert model.predict(IMAGES, verbose=0).dtype == np.float32


def test_integer_input_dtype_is_kept():
    inputs = keras.Input((2,), dtype="int32")
    model = keras.Model(inputs, keras.layers.Embedding(10, 3)(inputs))
    assert model(np.array([[1.0, 2.0]])).shape == (1, 2, 3)  # floats cast to int32 ids


@pytest.mark.parametrize("with_input", [True, False])
def test_sequential_fit_on_bool_and_uint8(with_input):
    first = [keras.Input((6, 6, 3))] if with_input else []
    model = keras.Sequential(first + [keras.layers.Conv2D(2, 3), keras.layers.Flatten(),
                                      keras.layers.Dense(5, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(IMAGES, ONE_HOT, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert 0.0 <= history.history["accuracy"][-1] <= 1.0


def test_lstm_model_fit_on_bool_sequences():
    model = keras.Sequential([keras.Input((4, 3)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(SEQUENCES, TARGETS, epochs=1, verbose=0)
    assert model.predict(SEQUENCES, verbose=0).shape == (8, 1)


@pytest.mark.parametrize("metric", ["accuracy", "categorical_accuracy"])
def test_categorical_accuracy_of_bool_one_hot_labels(metric):
    y_pred = np.eye(5, dtype="float32")[[0, 1, 2, 3, 4, 0, 1, 2]]
    labels = np.argmax(ONE_HOT, axis=-1)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Identity()])
    model.compile("sgd", "categorical_crossentropy", metrics=[metric])
    result = model.evaluate(y_pred, ONE_HOT, verbose=0, return_dict=True)
    assert result[metric] == pytest.approx(np.mean(labels == [0, 1, 2, 3, 4, 0, 1, 2]))
