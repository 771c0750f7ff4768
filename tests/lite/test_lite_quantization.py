"""TFLite quantization: dynamic-range and float16 weights, full integer with a
representative dataset, int8/uint8 inputs and outputs; LiteRT runs every file."""

import numpy as np
import pytest

pytest.importorskip("ai_edge_litert")
pytest.importorskip("tflite")

import lite_harness as harness  # noqa: E402

import fluxion as tf  # noqa: E402
from fluxion import keras  # noqa: E402


def _representative(model, count: int = 30):
    def samples():
        for i in range(count):
            yield harness.random_inputs(model, 1, seed=100 + i)
    return samples


def _convert(model, mode: str, io_type=None, ops=None):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if mode == "int8":
        converter.representative_dataset = _representative(model)
        converter.target_spec.supported_ops = ops or [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if io_type is not None:
        converter.inference_input_type = io_type
        converter.inference_output_type = io_type
    return converter.convert()


def _max_errors(model, content, batch: int = 8):
    inputs = harness.random_inputs(model, batch, seed=5)
    got, want = harness.run_tflite(content, inputs), harness.predict(model, inputs)
    return [float(np.abs(g - w).max()) for g, w in zip(got, want)]


def _tensors(content):
    return {t["name"]: t for t in harness.tensor_details(content)}


def test_dynamic_range_quantizes_large_weights_per_channel():
    model = harness.mlp()
    float_size = len(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    content = _convert(model, "dynamic")
    kernel = model.layers[0].kernel.numpy()  # [40, 32]: 1,280 weights, quantized
    [weights] = [t for t in harness.tensor_details(content) if t["dtype"] == np.int8]
    assert tuple(weights["shape"]) == (32, 40)
    scales = weights["quantization_parameters"]["scales"]
    np.testing.assert_allclose(scales, np.abs(kernel).max(axis=0) / 127, rtol=1e-6)
    assert weights["quantization_parameters"]["quantized_dimension"] == 0
    # the smaller weights (< 1,024 elements) stay float32, as with TF's converter
    assert sum(t["dtype"] == np.float32 and len(t["shape"]) == 2 and t["shape"][0] != 1
               for t in harness.tensor_details(content)) == 2
    assert len(content) < float_size
    assert max(_max_errors(model, content)) < 5e-3


def test_float16_weights_dequantized_at_load():
    model = harness.convnet()
    content = _convert(model, "float16")
    names = harness.operator_names(content)
    halves = [t for t in harness.tensor_details(content) if t["dtype"] == np.float16]
    assert names.count("DEQUANTIZE") == len(halves) >= 8  # filters and biases of 4 ops
    errors = _max_errors(model, content)
    assert max(errors) < 1e-2 * 0.3 and max(errors) > 0  # float16 weights differ a bit


def test_full_integer_mlp():
    model = harness.mlp()
    content = _convert(model, "int8")
    names = harness.operator_names(content)
    assert names[0] == "QUANTIZE" and names[-1] == "DEQUANTIZE"
    tensors = harness.tensor_details(content)
    [softmax] = [t for t in tensors if t["dtype"] == np.int8 and tuple(t["shape"]) == (1, 4)
                 and t["quantization"][0] == pytest.approx(1 / 256)]
    assert softmax["quantization"][1] == -128
    # one int8 step of the softmax output (1/256), plus rounding upstream
    assert max(_max_errors(model, content)) < 2.5 / 256


def test_full_integer_convnet_per_channel_filters_and_int32_biases():
    model = harness.convnet()
    content = _convert(model, "int8")
    tensors = harness.tensor_details(content)
    filters = [t for t in tensors if t["dtype"] == np.int8 and len(t["shape"]) == 4
               and len(t["quantization_parameters"]["scales"]) > 1]
    conv = next(t for t in filters if tuple(t["shape"]) == (8, 3, 3, 3))
    kernel = model.layers[0].kernel.numpy()  # [3, 3, 3, 8], HWIO
    np.testing.assert_allclose(conv["quantization_parameters"]["scales"],
                               np.abs(kernel).max(axis=(0, 1, 2)) / 127, rtol=1e-6)
    assert conv["quantization_parameters"]["quantized_dimension"] == 0
    depthwise = next(t for t in filters if tuple(t["shape"]) == (1, 3, 3, 8))
    assert depthwise["quantization_parameters"]["quantized_dimension"] == 3
    # biases: int32, scale = input scale x weight scale, zero point 0
    interpreter_inputs = {t["index"]: t for t in tensors}
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content)
    for op in interpreter._get_ops_details():
        if op["op_name"] in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            x, w, b = (interpreter_inputs[i] for i in op["inputs"])
            assert b["dtype"] == np.int32
            np.testing.assert_allclose(
                b["quantization_parameters"]["scales"],
                x["quantization"][0] * w["quantization_parameters"]["scales"], rtol=1e-6)
            assert not np.any(b["quantization_parameters"]["zero_points"])
    dense = next(op for op in interpreter._get_ops_details()
                 if op["op_name"] == "FULLY_CONNECTED")
    output_scale = interpreter_inputs[dense["outputs"][0]]["quantization"][0]
    # four quantized layers: a dozen output steps at most (TF's converter: the same error)
    assert max(_max_errors(model, content)) < 12 * output_scale


@pytest.mark.parametrize("io_type", ["int8", "uint8"])
def test_integer_inputs_and_outputs(io_type):
    model = harness.mlp()
    content = _convert(model, "int8", io_type=getattr(tf, io_type))
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content)
    [given] = interpreter.get_input_details()
    [result] = interpreter.get_output_details()
    assert given["dtype"] == result["dtype"] == np.dtype(io_type)
    if io_type == "int8":
        assert harness.operator_names(content)[0] != "QUANTIZE"
        assert result["quantization"] == (pytest.approx(1 / 256), -128)
    else:
        assert result["quantization"] == (pytest.approx(1 / 256), 0)
    assert max(_max_errors(model, content)) < 2.5 / 256


def test_full_integer_lstm_and_multi_input():
    for model in (harness.lstm_model(), harness.multi_input_model()):
        content = _convert(model, "int8")
        outputs = harness.predict(model, harness.random_inputs(model, 8, seed=5))
        for error, want in zip(_max_errors(model, content), outputs):
            assert error < 0.03 * max(1.0, float(np.abs(want).max()))


def _model_with_exp():
    keras.utils.set_random_seed(2)
    inputs = keras.Input((6,))
    x = keras.layers.Dense(6)(inputs)
    x = keras.layers.Lambda(lambda t: tf.exp(-tf.abs(t)), name="bump")(x)
    return keras.Model(inputs, keras.layers.Dense(2)(x))


def test_int8_only_refuses_operator_without_int8_kernel():
    with pytest.raises(tf.lite.UnsupportedOperationError, match=r"EXP .*bump.*int8"):
        _convert(_model_with_exp(), "int8")


def test_int8_with_float_fallback_keeps_that_operator_float():
    model = _model_with_exp()
    content = _convert(model, "int8", ops=[tf.lite.OpsSet.TFLITE_BUILTINS_INT8,
                                           tf.lite.OpsSet.TFLITE_BUILTINS])
    names = harness.operator_names(content)
    at = names.index("EXP")
    assert names[at - 1] == "DEQUANTIZE" and names[at + 1] == "QUANTIZE"
    want = harness.predict(model, harness.random_inputs(model, 8, seed=5))[0]
    assert max(_max_errors(model, content)) < 0.02 * float(np.abs(want).max())


def test_int8_comparison_with_a_zero_threshold_runs_in_litert():
    # x > 0 compares with a constant holding only zeros: its scale must stay below 1,
    # which TFLite's int8 comparison kernels check (LiteRT aborted the process on selu)
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(8, activation="selu"),
                              keras.layers.Dense(2)])
    content = _convert(model, "int8", ops=[tf.lite.OpsSet.TFLITE_BUILTINS_INT8,
                                           tf.lite.OpsSet.TFLITE_BUILTINS])
    assert "GREATER" in harness.operator_names(content)
    scales = [t["quantization"][0] for t in harness.tensor_details(content)
              if t["dtype"] == np.int8 and t["quantization"][0]]
    assert max(scales) < 1.0
    want = harness.predict(model, harness.random_inputs(model, 8, seed=5))[0]
    assert max(_max_errors(model, content)) < 0.05 * float(np.abs(want).max())


def test_integer_io_needs_a_representative_dataset():
    converter = tf.lite.TFLiteConverter.from_keras_model(harness.mlp())
    converter.inference_input_type = tf.int8
    with pytest.raises(ValueError, match="representative_dataset"):
        converter.convert()


def test_representative_samples_must_be_batches():
    model = harness.mlp()
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: iter([[np.zeros(40, np.float32)]])
    with pytest.raises(ValueError, match=r"yield batches"):
        converter.convert()


def test_full_integer_transposed_convolution():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((6, 6, 2)),
        keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2D(2, 3)])
    content = _convert(model, "int8")
    assert "TRANSPOSE_CONV" in harness.operator_names(content)
    biases = [t for t in harness.tensor_details(content) if t["dtype"] == np.int32
              and len(t["quantization_parameters"]["scales"]) == 3]
    assert biases, "the transposed convolution's bias is int32, one scale per channel"
    want = harness.predict(model, harness.random_inputs(model, 8, seed=5))[0]
    assert max(_max_errors(model, content)) < 0.04 * float(np.abs(want).max())


def test_full_integer_transformer_block():
    from test_lite_float import transformer_block

    model = transformer_block()
    content = _convert(model, "int8")
    assert "BATCH_MATMUL" in harness.operator_names(content)
    # softmax probabilities after two layer norms in int8: a few output steps (1/256)
    assert max(_max_errors(model, content)) < 16 / 256


def test_full_integer_masked_lstm_with_integer_tokens():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5,), dtype="int32"),
                              keras.layers.Embedding(10, 4, mask_zero=True),
                              keras.layers.LSTM(3), keras.layers.Dense(2)])
    rng = np.random.default_rng(0)
    # embeddings of unit size: Keras's initial +-0.05 would drown in the gates' fixed
    # int8 steps (LOGISTIC 1/256, TANH 1/128), as they would with TF's converter
    model.layers[0].embeddings.assign(rng.normal(size=(10, 4)).astype("float32"))
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: (
        [rng.integers(0, 10, (1, 5)).astype("int32")] for _ in range(30))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_output_type = tf.int8
    content = converter.convert()
    from ai_edge_litert.interpreter import Interpreter

    assert Interpreter(model_content=content).get_output_details()[0]["dtype"] == np.int8
    tokens = np.array([[1, 2, 3, 0, 0], [0, 0, 4, 5, 6], [7, 0, 8, 0, 9]], "int32")
    got, want = harness.run_tflite(content, [tokens])[0], model.predict(tokens, verbose=0)
    # the same few percent as the unmasked int8 LSTM (its gates' fixed scales dominate)
    assert np.abs(got - want).max() < 0.1 * np.abs(want).max()
