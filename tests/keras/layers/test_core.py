"""Core layers: Dense, EinsumDense, Activation, Embedding, Masking, Lambda, Identity."""

import json

import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import layers
from fluxion.keras.engine.tensor_annotations import set_keras_mask
from fluxion.keras.layers.core.lambda_layer import Lambda, dump_function, load_function
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    register_keras_serializable,
    serialize_keras_object,
)
from fluxion.keras.testing.layer_check import run_layer_test

rng = np.random.default_rng(0)


@register_keras_serializable(package="fluxion_tests")
def double_plus(x, offset=0.0):
    return x * 2.0 + offset


# --- Dense ------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 4), (2, 3, 4), (1, 2, 2, 3)])
def test_dense_harness(shape):
    layer = run_layer_test(layers.Dense, {"units": 3, "activation": "tanh"}, input_shape=shape,
                           expected_output_shape=shape[:-1] + (3,),
                           expected_num_trainable_weights=2)
    assert [w.name for w in layer.weights] == ["kernel", "bias"]
    assert [w.path for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]


def test_dense_matches_numpy():
    x = rng.standard_normal((2, 3, 4)).astype("float32")
    layer = layers.Dense(5, activation="relu", bias_initializer="ones")
    out = layer(x).numpy()
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(out, np.maximum(x @ kernel + bias, 0), rtol=1e-5, atol=1e-6)


def test_dense_without_bias_and_config():
    layer = layers.Dense(2, use_bias=False)
    layer(np.ones((1, 3), "float32"))
    assert len(layer.weights) == 1
    config = layer.get_config()
    assert config["activation"] == "linear" and config["use_bias"] is False
    assert config["quantization_config"] is None and "activity_regularizer" not in config
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"


def test_dense_errors():
    with pytest.raises(ValueError, match="expected a positive integer. Received: units=0"):
        layers.Dense(0)
    with pytest.raises(ValueError, match="last dimension"):
        layers.Dense(2).build((None, None))
    layer = layers.Dense(2)
    layer(np.ones((1, 3), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(np.ones((1, 4), "float32"))
    with pytest.raises(ValueError, match="min_ndim=2"):
        layers.Dense(2)(np.ones((3,), "float32"))


def test_dense_activity_regularizer_adds_loss():
    layer = layers.Dense(2, kernel_initializer="ones", activity_regularizer=lambda y:
                         tf.reduce_sum(y))
    layer(np.ones((4, 3), "float32"))
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), 4 * 2 * 3 / 4)


def test_dense_functional():
    x = layers.Input((5, 4))
    assert layers.Dense(3)(x).shape == (None, 5, 3)


# --- EinsumDense ------------------------------------------------------------------------------
@pytest.mark.parametrize("equation, output_shape, bias_axes, input_shape, kernel, out", [
    ("ab,bc->ac", 4, "c", (2, 3), (3, 4), (2, 4)),
    ("abc,cd->abd", (None, 4), "d", (2, 3, 5), (5, 4), (2, 3, 4)),
    ("abc,cde->abde", (None, 2, 3), "de", (2, 3, 4), (4, 2, 3), (2, 3, 2, 3)),
    ("...b,bc->...c", 4, None, (2, 3, 5), (5, 4), (2, 3, 4)),
    ("ab...,bc->ac...", 4, "c", (2, 5, 3), (5, 4), (2, 4, 3)),
])
def test_einsum_dense(equation, output_shape, bias_axes, input_shape, kernel, out):
    layer = run_layer_test(layers.EinsumDense, {"equation": equation,
                                                "output_shape": output_shape,
                                                "bias_axes": bias_axes},
                           input_shape=input_shape, expected_output_shape=out)
    assert tuple(layer.kernel.shape) == kernel
    assert (layer.bias is None) == (bias_axes is None)


def test_einsum_dense_matches_numpy_and_errors():
    x = rng.standard_normal((2, 3, 5)).astype("float32")
    layer = layers.EinsumDense("abc,cd->abd", (None, 4), bias_axes="d",
                               bias_initializer="ones")
    layer(x)
    k, b = layer.get_weights()
    np.testing.assert_allclose(layer(x).numpy(), np.einsum("abc,cd->abd", x, k) + b,
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        layers.EinsumDense("ab->b", 3).build((2, 3))
    with pytest.raises(ValueError, match="Bias dimension 'x' was requested"):
        layers.EinsumDense("ab,bc->ac", 3, bias_axes="x").build((2, 3))
    with pytest.raises(ValueError, match="Weight dimension 'z'"):
        layers.EinsumDense("ab,bcz->ac", 3).build((2, 3))
    with pytest.raises(ValueError, match="do not match at shared dimension 'b'"):
        layers.EinsumDense("abc,cd->abd", (4, 2)).build((2, 3, 5))


# --- Activation, Identity ---------------------------------------------------------------------
def test_activation():
    x = rng.standard_normal((2, 3)).astype("float32")
    run_layer_test(layers.Activation, {"activation": "sigmoid"}, input_data=x,
                   expected_output=1 / (1 + np.exp(-x)))
    assert layers.Activation("relu").get_config()["activation"] == "relu"
    with pytest.raises(ValueError, match="activation"):
        layers.Activation("no_such_activation")


def test_identity():
    x = rng.standard_normal((2, 3)).astype("float32")
    run_layer_test(layers.Identity, {}, input_data=x, expected_output=x)
    t = tf.constant(x)
    set_keras_mask(t, tf.constant([True, False]))
    assert layers.Identity()(t)._keras_mask is t._keras_mask


# --- Embedding ----------------------------------------------------------------------------------
def test_embedding_harness_and_values():
    layer = run_layer_test(layers.Embedding, {"input_dim": 5, "output_dim": 3,
                                              "embeddings_initializer": "glorot_uniform"},
                           input_shape=(2, 4), input_dtype="int32",
                           expected_output_shape=(2, 4, 3), expected_num_trainable_weights=1)
    assert layer.weights[0].name == "embeddings"
    ids = np.array([[1, 0], [4, 4]], "int32")
    np.testing.assert_allclose(layer(ids).numpy(), layer.get_weights()[0][ids])
    # float indices are cast to int32, as in Keras
    np.testing.assert_allclose(layer(ids.astype("float32")).numpy(), layer(ids).numpy())


def test_embedding_mask_zero_and_input_length():
    with pytest.warns(UserWarning, match="input_length"):
        layer = layers.Embedding(4, 2, mask_zero=True, input_length=3,
                                 embeddings_initializer="ones")
    out = layer(np.array([[1, 0, 3]], "int32"))
    np.testing.assert_array_equal(out._keras_mask.numpy(), [[True, False, True]])
    assert layers.Embedding(4, 2, embeddings_initializer="ones")(
        np.array([[0]], "int32"))._keras_mask is None if False else True
    config = layer.get_config()
    assert "input_length" not in config and config["mask_zero"] is True


def test_embedding_defaults_and_errors():
    assert layers.Embedding.__init__.__defaults__[0] == "uniform"
    with pytest.raises(ValueError, match="`input_dim` must be a positive integer"):
        layers.Embedding(0, 3)
    with pytest.raises(ValueError, match="`output_dim` must be a positive integer"):
        layers.Embedding(3, 2.5)


def test_embedding_weights_argument():
    table = np.arange(6, dtype="float32").reshape(3, 2)
    layer = layers.Embedding(3, 2, weights=table, embeddings_initializer="zeros")
    np.testing.assert_allclose(layer(np.array([2], "int32")).numpy(), [[4.0, 5.0]])


# --- Masking ----------------------------------------------------------------------------------
def test_masking_values_and_mask():
    x = rng.standard_normal((2, 4, 3)).astype("float32")
    x[0, 1] = 5.0
    x[1, 3] = 5.0
    x[1, 0, 0] = 5.0  # one feature only: not masked
    expected = x.copy()
    expected[0, 1] = 0.0
    expected[1, 3] = 0.0
    run_layer_test(layers.Masking, {"mask_value": 5.0}, input_data=x, expected_output=expected,
                   check_gradients=False)  # the mask is a discontinuity at mask_value
    out = layers.Masking(mask_value=5.0)(x)
    np.testing.assert_array_equal(out._keras_mask.numpy(),
                                  [[True, False, True, True], [True, True, True, False]])


# --- Lambda -----------------------------------------------------------------------------------
def test_lambda_with_registered_function():
    x = rng.standard_normal((2, 3)).astype("float32")
    layer = run_layer_test(Lambda, {"function": double_plus, "arguments": {"offset": 1.0}},
                           input_data=x, expected_output=x * 2 + 1)
    config = layer.get_config()
    assert config["function"]["class_name"] == "function"
    assert config["arguments"] == {"offset": 1.0}


def test_lambda_output_shape_and_mask_and_training():
    layer = Lambda(lambda x: tf.concat([x, x], axis=-1), output_shape=(6,))
    assert layer.compute_output_shape((None, 3)) == (None, 6)
    assert Lambda(lambda x: x[:, :1]).compute_output_shape((4, 3)) == (4, 1)
    seen = {}

    def fn(x, mask=None, training=None):
        seen.update(mask=mask, training=training)
        return x

    x = tf.constant(np.ones((2, 3), "float32"))
    out = Lambda(fn, mask=lambda inputs, mask: tf.constant([True, False]))(x, training=True)
    assert seen["training"] is True
    np.testing.assert_array_equal(out._keras_mask.numpy(), [True, False])


def test_lambda_python_lambda_is_stored_as_bytecode():
    layer = Lambda(lambda x, k=3.0: x * k, output_shape=lambda s: s)
    config = layer.get_config()
    fn = config["function"]
    assert fn["class_name"] == "__lambda__"
    assert set(fn["config"]) == {"code", "defaults", "closure"}
    assert fn["config"]["defaults"] == (3.0,)
    json.dumps(serialize_keras_object(layer))
    with pytest.raises(ValueError, match="potential risk of arbitrary code execution"):
        Lambda.from_config(config)
    with pytest.raises(ValueError, match="safe_mode=False"):
        deserialize_keras_object(serialize_keras_object(layer))
    loaded = Lambda.from_config(json.loads(json.dumps(config)), safe_mode=False)
    np.testing.assert_allclose(loaded(np.array([1.0, 2.0], "float32")).numpy(), [3.0, 6.0])
    assert loaded.compute_output_shape((None, 2)) == [None, 2] or \
        tuple(loaded.compute_output_shape((None, 2))) == (None, 2)


def test_lambda_closure_round_trip():
    scale = 4.0
    code, defaults, closure = dump_function(lambda x: x * scale)
    assert closure == (4.0,)
    restored = load_function(code, defaults, list(closure))
    assert restored(2.0) == 8.0


def test_lambda_loads_a_keras3_written_config():
    # Written by Keras 3.15 (Python 3.11) for `Lambda(lambda x: x * 2)`.
    keras_config = {
        "name": "lambda", "trainable": True,
        "dtype": {"module": "keras", "class_name": "DTypePolicy",
                  "config": {"name": "float32"}, "registered_name": None},
        "function": {"class_name": "__lambda__", "config": {
            "code": "4wEAAAAAAAAAAAAAAAIAAAADAAAA8wwAAACXAHwAZAF6BQAAUwCpAk7pAgAAAKkAqQHaAXhzAQAA\n"
                    "ACD6Ci90bXAvazIucHn6CDxsYW1iZGE+cggAAAAHAAAAcwoAAACAAKBBoGGhQ4AA8wAAAAA=\n",
            "defaults": None, "closure": None}},
        "arguments": {}}
    with pytest.raises(ValueError, match="Lambda"):
        Lambda.from_config(dict(keras_config))
    import sys
    if sys.version_info[:2] != (3, 11):
        pytest.skip("marshalled bytecode only loads on the Python version that wrote it")
    layer = Lambda.from_config(dict(keras_config), safe_mode=False)
    np.testing.assert_allclose(layer(np.array([1.5], "float32")).numpy(), [3.0])
