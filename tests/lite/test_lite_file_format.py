"""The written flatbuffer, read back with the TFLite schema's readers: the details
TFLite readers depend on (identifier, buffer 0, both builtin-code fields, int64 zero
points, int32 biases, [units, in] weights, shape signatures, the signature def)."""

import numpy as np
import pytest

tflite = pytest.importorskip("tflite")

import lite_harness as harness  # noqa: E402

import fluxion as tf  # noqa: E402
from fluxion import keras  # noqa: E402


def _model(content: bytes):
    assert tflite.Model.ModelBufferHasIdentifier(content, 0)
    return tflite.Model.GetRootAsModel(content, 0)


def _int8_mlp():
    model = harness.mlp()
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: (harness.random_inputs(model, 1, seed=i)
                                                for i in range(5))
    return model, converter.convert()


def test_header_buffers_and_operator_codes():
    model = keras.Sequential([keras.Input((4, 3)), keras.layers.LSTM(2)])
    content = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    root = _model(content)
    assert content[4:8] == b"TFL3" and root.Version() == 3
    assert root.Buffers(0).DataLength() == 0  # the empty sentinel
    codes = [root.OperatorCodes(i) for i in range(root.OperatorCodesLength())]
    for code in codes:
        assert code.BuiltinCode() < 127 and code.DeprecatedBuiltinCode() == code.BuiltinCode()
    graph = root.Subgraphs(0)
    for i in range(graph.TensorsLength()):  # constants point past buffer 0, others at it
        tensor = graph.Tensors(i)
        assert (root.Buffers(tensor.Buffer()).DataLength() > 0) == (tensor.Buffer() > 0)


def test_builtins_from_127_up_use_the_placeholder_code():
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3, activation="gelu")])
    root = _model(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    codes = {tflite.utils.opcode2name(c.BuiltinCode()): c for c in
             (root.OperatorCodes(i) for i in range(root.OperatorCodesLength()))}
    assert codes["GELU"].BuiltinCode() >= 127
    assert codes["GELU"].DeprecatedBuiltinCode() == 127


def test_dynamic_batch_and_signature():
    root = _model(tf.lite.TFLiteConverter.from_keras_model(harness.mlp()).convert())
    graph = root.Subgraphs(0)
    given = graph.Tensors(graph.Inputs(0))
    assert given.ShapeAsNumpy().tolist() == [1, 40]
    assert given.ShapeSignatureAsNumpy().tolist() == [-1, 40]
    signature = root.SignatureDefs(0)
    assert signature.SignatureKey() == b"serving_default"
    assert signature.Outputs(0).Name() == b"output_0"
    assert signature.Inputs(0).TensorIndex() == graph.Inputs(0)


def test_weights_bias_and_quantization_fields():
    model, content = _int8_mlp()
    root = _model(content)
    graph = root.Subgraphs(0)
    ops = [graph.Operators(i) for i in range(graph.OperatorsLength())]
    names = [tflite.utils.opcode2name(root.OperatorCodes(op.OpcodeIndex()).BuiltinCode())
             for op in ops]
    first = ops[names.index("FULLY_CONNECTED")]
    x, weights, bias = (graph.Tensors(first.Inputs(i)) for i in range(3))
    assert weights.ShapeAsNumpy().tolist() == [32, 40]  # Keras's [40, 32] kernel transposed
    assert weights.Type() == tflite.TensorType.INT8
    assert bias.Type() == tflite.TensorType.INT32
    x_scale = x.Quantization().ScaleAsNumpy()[0]
    np.testing.assert_allclose(bias.Quantization().ScaleAsNumpy(),
                               x_scale * weights.Quantization().ScaleAsNumpy(), rtol=1e-6)
    zero_points = x.Quantization().ZeroPointAsNumpy()
    assert zero_points.dtype == np.int64
    raw = root.Buffers(weights.Buffer()).DataAsNumpy().view(np.int8).reshape(32, 40)
    scales = weights.Quantization().ScaleAsNumpy()
    np.testing.assert_allclose(raw * scales[:, None], model.layers[0].kernel.numpy().T,
                               atol=scales.max() / 2 + 1e-7)
