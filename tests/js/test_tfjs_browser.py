"""The exported files, loaded by the real @tensorflow/tfjs (4.22) with
``tf.loadLayersModel`` in headless Chromium, predict what the Fluxion model predicts
(within 1e-5 relative).  Skipped, with the reason, where Chromium or the tfjs npm
package is missing (tests/js/tfjs_browser.py says how to install them)."""

import json
import os
import sys

import numpy as np
import pytest

import fluxion.js as tfjs
from fluxion import keras

sys.path.insert(0, os.path.dirname(__file__))
import tfjs_browser  # noqa: E402 - the harness next to this file

pytestmark = pytest.mark.skipif(tfjs_browser.missing() is not None,
                                reason=str(tfjs_browser.missing()))


def dense_mlp():
    return keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dense(8, activation="tanh"),
                             keras.layers.Dense(3, activation="softmax")])


def conv_pool_cnn():
    return keras.Sequential([
        keras.Input((10, 10, 2)),
        keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(6, 3, strides=1, activation="relu"),
        keras.layers.AveragePooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(5)])


def functional_branches():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.3)(x)
    a = keras.layers.Dense(5, activation="sigmoid")(x)
    b = keras.layers.Dense(5)(x)
    merged = keras.layers.Concatenate()([keras.layers.Add()([a, b]), a])
    return keras.Model(inputs, [keras.layers.Dense(2, activation="softmax")(x), merged])


def two_inputs():
    left, right = keras.Input((3,)), keras.Input((4,))
    joined = keras.layers.Concatenate()([keras.layers.Dense(5)(left), right])
    return keras.Model([left, right], keras.layers.Dense(2)(joined))


L = keras.layers
LAYER_ZOO = {  # each tfjs-supported layer family at least once
    "recurrent": lambda: keras.Sequential([
        keras.Input((5, 3)), L.LSTM(4, return_sequences=True),
        L.GRU(3, reset_after=False, return_sequences=True), L.SimpleRNN(2)]),
    "bidirectional_time_distributed": lambda: keras.Sequential([
        keras.Input((5, 3)), L.Bidirectional(L.LSTM(2, return_sequences=True)),
        L.TimeDistributed(L.Dense(2))]),
    "embedding": lambda: keras.Sequential([keras.Input((5,)), L.Embedding(10, 4),
                                           L.Flatten(), L.Dense(2)]),
    "separable_depthwise": lambda: keras.Sequential([
        keras.Input((8, 8, 3)), L.DepthwiseConv2D(3), L.SeparableConv2D(4, 3),
        L.GlobalMaxPooling2D()]),
    "conv1d": lambda: keras.Sequential([
        keras.Input((10, 3)), L.Conv1D(4, 3, activation="elu"), L.MaxPooling1D(),
        L.AveragePooling1D(2), L.GlobalAveragePooling1D()]),
    "resampling_and_norm": lambda: keras.Sequential([
        keras.Input((4, 4, 2)), L.ZeroPadding2D(1), L.Conv2DTranspose(3, 2, strides=2),
        L.UpSampling2D(), L.Cropping2D(1), L.Reshape((-1,)), L.LayerNormalization(),
        L.Activation("gelu"), L.LeakyReLU(), L.Dense(3)]),
    "activations": lambda: keras.Sequential([
        keras.Input((6,)), L.Dense(5, activation="selu"), L.Dense(5, activation="softplus"),
        L.Dense(5, activation="swish"), L.ReLU(max_value=6.0), L.PReLU(), L.ELU(),
        L.Dense(4, activation="softsign"), L.Softmax()]),
    "merging": lambda: (lambda a, b: keras.Model([a, b], L.Concatenate()([
        L.Maximum()([a, b]), L.Minimum()([a, b]), L.Average()([a, b]),
        L.Multiply()([a, b]), L.Dot(axes=1)([a, b])])))(keras.Input((4,)), keras.Input((4,))),
    "nested_model": lambda: (lambda base, inputs: keras.Model(
        inputs, L.Dense(2)(base(inputs))))(
        keras.Sequential([keras.Input((4,)), L.Dense(3, activation="relu")]),
        keras.Input((4,))),
    "reshaping": lambda: keras.Sequential([keras.Input((3, 4)), L.Permute((2, 1)),
                                           L.Flatten(), L.RepeatVector(2), L.Flatten()]),
}


def zoo_inputs(name, model, rng):
    if name == "embedding":
        return [rng.integers(0, 10, (3, 5)).astype(np.float32)]
    return [rng.standard_normal((3,) + tuple(t.shape[1:])).astype(np.float32)
            for t in model.inputs]


@pytest.mark.parametrize("name", sorted(LAYER_ZOO))
def test_layer_families_predict_like_fluxion(tmp_path, name):
    model = LAYER_ZOO[name]()
    rng = np.random.default_rng(3)
    for variable in model.weights:
        if variable.dtype.name.startswith("float"):
            variable.assign(rng.uniform(0.1, 0.6, variable.shape).astype(np.float32))
    inputs = zoo_inputs(name, model, rng)
    expected = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    tfjs.save_keras_model(model, tmp_path / "web_model")
    got = tfjs_browser.predict_in_browser(str(tmp_path / "web_model"), inputs)[0]
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5,
                               atol=1e-5 * float(np.abs(expected).max()))


@pytest.mark.parametrize("build", [dense_mlp, conv_pool_cnn, functional_branches, two_inputs])
def test_tfjs_in_chromium_predicts_like_fluxion(tmp_path, build):
    model = build()
    rng = np.random.default_rng(1)
    for variable in model.weights:  # away from the initial zeros/ones, BN statistics too
        variable.assign(rng.uniform(0.2, 1.0, variable.shape).astype(np.float32))
    inputs = [rng.standard_normal((4,) + tuple(t.shape[1:])).astype(np.float32)
              for t in model.inputs]
    expected = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    expected = expected if isinstance(expected, list) else [expected]
    tfjs.save_keras_model(model, tmp_path / "web_model")
    got = tfjs_browser.predict_in_browser(str(tmp_path / "web_model"), inputs)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5 * float(np.abs(e).max()))


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "float16"])
def test_tfjs_dequantizes_as_fluxion_does(tmp_path, dtype):
    model = conv_pool_cnn()
    tfjs.save_keras_model(model, tmp_path / "web_model", quantization_dtype_map={dtype: "*"})
    x = np.random.default_rng(2).standard_normal((3, 10, 10, 2)).astype(np.float32)
    expected = tfjs.load_keras_model(tmp_path / "web_model" / "model.json").predict(
        x, verbose=0)
    got = tfjs_browser.predict_in_browser(str(tmp_path / "web_model"), [x])[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5,
                               atol=1e-5 * float(np.abs(expected).max()))


@pytest.mark.parametrize("build", [conv_pool_cnn, functional_branches])
def test_files_saved_by_tfjs_load_back_into_fluxion(tmp_path, build):
    model = build()
    tfjs.save_keras_model(model, tmp_path / "ours")
    tfjs_browser.resave_in_browser(str(tmp_path / "ours"), str(tmp_path / "theirs"))
    with open(tmp_path / "theirs" / "model.json", encoding="utf-8") as f:
        assert "tfjs" in json.load(f)["modelTopology"].get("keras_version", "")
    loaded = tfjs.load_keras_model(tmp_path / "theirs" / "model.json")
    x = np.random.default_rng(4).random((2,) + tuple(model.inputs[0].shape[1:]))
    x = x.astype(np.float32)
    expected, got = model.predict(x, verbose=0), loaded.predict(x, verbose=0)
    for e, g in zip(expected if isinstance(expected, list) else [expected],
                    got if isinstance(got, list) else [got]):
        np.testing.assert_array_equal(g, e)
