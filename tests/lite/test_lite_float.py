"""Float32 TFLite conversion: LiteRT's outputs equal ``model.predict`` within 1e-5."""

import numpy as np
import pytest

pytest.importorskip("ai_edge_litert")
pytest.importorskip("tflite")

import lite_harness as harness  # noqa: E402

import fluxion as tf  # noqa: E402
from fluxion import keras  # noqa: E402

RTOL, ATOL = 1e-5, 1e-6


def _check(model, batches=(1, 3)):
    content = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    assert content[4:8] == b"TFL3"
    for batch in batches:
        inputs = harness.random_inputs(model, batch, seed=batch)
        got = harness.run_tflite(content, inputs)
        want = harness.predict(model, inputs)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL)
    return content


def test_mlp_is_fully_connected_with_fused_activations():
    content = _check(harness.mlp())
    # relu fuses into FULLY_CONNECTED; tanh stays an operator, as with TF's converter
    assert harness.operator_names(content) == ["FULLY_CONNECTED", "FULLY_CONNECTED", "TANH",
                                               "FULLY_CONNECTED", "SOFTMAX"]
    weights = [t for t in harness.tensor_details(content) if tuple(t["shape"]) == (32, 40)]
    assert weights, "the first Dense's weights are stored [units, in]"


def test_convnet_folds_bias_batch_norm_and_relu():
    content = _check(harness.convnet())
    assert harness.operator_names(content) == [
        "CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D", "CONV_2D", "AVERAGE_POOL_2D",
        "RESHAPE", "FULLY_CONNECTED"]


def test_lstm_unrolled_keeps_a_dynamic_batch():
    model = harness.lstm_model()
    content = _check(model, batches=(1, 4))
    names = harness.operator_names(content)
    assert names[0] == "UNPACK" and names.count("SPLIT") == 6 and "LOGISTIC" in names


def test_lstm_return_sequences_and_go_backwards():
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((4, 2)),
                              keras.layers.LSTM(3, return_sequences=True, go_backwards=True),
                              keras.layers.LSTM(2)])
    _check(model)


def test_multi_input_multi_output_model_and_signature():
    model = harness.multi_input_model()
    content = _check(model)
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_content=content).get_signature_runner("serving_default")
    inputs = harness.random_inputs(model, 1, seed=7)
    result = runner(image=inputs[0], features=inputs[1])
    want = harness.predict(model, inputs)
    np.testing.assert_allclose(result["output_0"], want[0], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(result["output_1"], want[1], rtol=RTOL, atol=ATOL)


def test_conv1d_pooling_and_slicing_ops():
    keras.utils.set_random_seed(1)
    inputs = keras.Input((10, 3))
    x = keras.layers.Conv1D(4, 3, padding="causal", activation="relu")(inputs)
    x = keras.layers.MaxPooling1D(2)(x)
    x = keras.layers.Lambda(lambda t: tf.reduce_mean(t[:, 1:, :], axis=1))(x)
    x = keras.layers.Reshape((2, 2))(x)
    x = keras.layers.Permute((2, 1))(x)
    model = keras.Model(inputs, keras.layers.Flatten()(x))
    content = _check(model)
    assert "MEAN" in harness.operator_names(content)


def test_from_concrete_functions():
    model = harness.mlp()

    @tf.function(input_signature=[tf.TensorSpec([None, 40], tf.float32)])
    def serve(x):
        return {"probabilities": model(x), "doubled": 2.0 * x}

    content = tf.lite.TFLiteConverter.from_concrete_functions(
        [serve.get_concrete_function()]).convert()
    x = harness.random_inputs(model, 2)[0]
    got = harness.run_tflite(content, [x])
    np.testing.assert_allclose(got[0], 2.0 * x, rtol=RTOL)
    np.testing.assert_allclose(got[1], model.predict(x, verbose=0), rtol=RTOL, atol=ATOL)


def test_unmappable_operation_names_op_and_layer():
    inputs = keras.Input((6,))
    x = keras.layers.Dense(6)(inputs)
    out = keras.layers.Lambda(lambda t: tf.math.lgamma(t), name="log_gamma")(x)
    converter = tf.lite.TFLiteConverter.from_keras_model(keras.Model(inputs, out))
    with pytest.raises(tf.lite.UnsupportedOperationError,
                       match=r"operation 'lgamma' in layer '.*log_gamma'.*no TFLite"):
        converter.convert()


def test_interpreter_is_litert():
    from ai_edge_litert.interpreter import Interpreter

    assert tf.lite.Interpreter is Interpreter


def _sequential(*layers):
    return lambda: keras.Sequential(list(layers))


L = keras.layers
LAYER_MODELS = {
    "layer_norm": lambda: keras.Sequential([keras.Input((6,)), L.Dense(8),
                                            L.LayerNormalization()]),
    "gru": lambda: keras.Sequential([keras.Input((4, 3)), L.GRU(5), L.Dense(2)]),
    "gru_no_reset_after_backwards": lambda: keras.Sequential([
        keras.Input((4, 3)), L.GRU(5, reset_after=False, go_backwards=True,
                                   return_sequences=True), L.Flatten()]),
    "simple_rnn": lambda: keras.Sequential([keras.Input((4, 3)), L.SimpleRNN(5)]),
    "bidirectional_lstm": lambda: keras.Sequential([keras.Input((4, 3)),
                                                    L.Bidirectional(L.LSTM(3))]),
    "conv2d_transpose": lambda: keras.Sequential([
        keras.Input((6, 6, 2)), L.Conv2DTranspose(3, 3, strides=2, padding="same")]),
    "upsampling_padding_cropping": lambda: keras.Sequential([
        keras.Input((6, 6, 2)), L.UpSampling2D(), L.ZeroPadding2D(1), L.Cropping2D(2),
        L.GlobalMaxPooling2D()]),
    "separable_conv": lambda: keras.Sequential([keras.Input((8, 8, 3)),
                                                L.SeparableConv2D(4, 3, activation="relu")]),
    "activations": lambda: keras.Sequential([
        keras.Input((6,)), L.Dense(6, activation="swish"), L.Dense(6, activation="gelu"),
        L.Dense(6, activation="elu"), L.LeakyReLU(), L.Dense(6, activation="softplus"),
        L.Dense(6, activation="hard_sigmoid"), L.Dense(6, activation="hard_swish"),
        L.Dense(4, activation="selu"), L.Softmax()]),
}


@pytest.mark.parametrize("name", sorted(LAYER_MODELS))
def test_layer_models(name):
    keras.utils.set_random_seed(4)
    _check(LAYER_MODELS[name]())


def test_composed_activations_become_tflite_operators():
    content = _check(LAYER_MODELS["activations"]())
    names = harness.operator_names(content)
    for operator in ("LOGISTIC", "GELU", "ELU", "LEAKY_RELU", "HARD_SWISH"):
        assert operator in names
    assert "ERF" not in names


def test_embedding_gathers():
    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input((5,), dtype="int32"), L.Embedding(10, 4),
                              L.GlobalAveragePooling1D()])
    content = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    indices = np.random.default_rng(0).integers(0, 10, (3, 5)).astype("int32")
    np.testing.assert_allclose(harness.run_tflite(content, [indices])[0],
                               model.predict(indices, verbose=0), rtol=RTOL, atol=ATOL)
    assert harness.operator_names(content) == ["GATHER", "MEAN"]


def test_unrolled_steps_share_their_weights():
    model = harness.lstm_model()
    content = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    kernels = [t for t in harness.tensor_details(content) if tuple(t["shape"]) == (20, 3)]
    assert len(kernels) == 1  # six steps, one stored kernel


def transformer_block(seed: int = 0):
    keras.utils.set_random_seed(seed)
    x = keras.Input((6, 16))
    attended = L.MultiHeadAttention(4, 4)(x, x)
    y = L.LayerNormalization()(x + attended)
    y = L.LayerNormalization()(y + L.Dense(16)(L.Dense(32, activation="gelu")(y)))
    z = L.EinsumDense("abc,cd->abd", output_shape=(None, 8), bias_axes="d")(y)
    return keras.Model(x, L.Dense(3, activation="softmax")(L.GlobalAveragePooling1D()(z)))


def test_transformer_block():
    content = _check(transformer_block())
    names = harness.operator_names(content)
    assert names.count("BATCH_MATMUL") == 2 and "GELU" in names


@pytest.mark.parametrize("subscripts, shapes", [
    ("ab,bc->ac", [(5,), (5, 3)]),
    ("abc,abd->acd", [(4, 3), (4, 2)]),
    ("abc,abc->ab", [(4, 3), (4, 3)]),
    ("abc,adc->abd", [(4, 3), (2, 3)]),
])
def test_einsum_between_inputs(subscripts, shapes):
    first, second = (keras.Input(s) for s in shapes)
    if subscripts == "ab,bc->ac":  # one input times a constant matrix (FULLY_CONNECTED)
        kernel = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
        out = L.Lambda(lambda t: tf.einsum(subscripts, t, kernel))(first)
        _check(keras.Model(first, out))
        return
    out = L.Lambda(lambda ts: tf.einsum(subscripts, *ts))([first, second])
    _check(keras.Model([first, second], out))


@pytest.mark.parametrize("recurrent", ["lstm", "gru", "lstm_backwards_sequences",
                                       "bidirectional_gru"])
def test_masked_recurrent_layers(recurrent):
    keras.utils.set_random_seed(0)
    layer = {"lstm": lambda: L.LSTM(3), "gru": lambda: L.GRU(3),
             "lstm_backwards_sequences": lambda: L.LSTM(3, return_sequences=True,
                                                        go_backwards=True),
             "bidirectional_gru": lambda: L.Bidirectional(L.GRU(2))}[recurrent]()
    model = keras.Sequential([keras.Input((5,), dtype="int32"),
                              L.Embedding(10, 4, mask_zero=True), layer, L.Flatten(),
                              L.Dense(2)])
    content = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    tokens = np.array([[1, 2, 3, 0, 0], [0, 0, 4, 5, 6], [7, 0, 8, 0, 9]], "int32")
    np.testing.assert_allclose(harness.run_tflite(content, [tokens])[0],
                               model.predict(tokens, verbose=0), rtol=RTOL, atol=ATOL)
    assert "SELECT_V2" in harness.operator_names(content)
