"""Functional graphs (merges, several inputs/outputs, nested models), Model.export, and
the errors for what the ONNX exporter cannot express."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from onnx_harness import assert_exports_exactly  # noqa: E402

import fluxion.onnx  # noqa: E402
from fluxion import keras  # noqa: E402

L = keras.layers

MERGES = {"add": L.Add, "subtract": L.Subtract, "multiply": L.Multiply,
          "average": L.Average, "maximum": L.Maximum, "minimum": L.Minimum,
          "concatenate": L.Concatenate, "concatenate_axis_1": lambda: L.Concatenate(axis=1)}


@pytest.mark.parametrize("name", sorted(MERGES))
def test_two_input_merges(tmp_path, name):
    a, b = keras.Input((3, 4), name="a"), keras.Input((3, 4), name="b")
    merged = MERGES[name]()([L.Dense(4)(a), b])
    model = keras.Model([a, b], L.Dense(2)(merged))
    assert_exports_exactly(model, tmp_path / "m.onnx")


def test_three_way_add_and_multiply(tmp_path):
    x = keras.Input((5,))
    branches = [L.Dense(3, activation=act)(x) for act in ("relu", "tanh", "sigmoid")]
    model = keras.Model(x, L.Multiply()([L.Add()(branches), *branches[1:]]))
    assert_exports_exactly(model, tmp_path / "m.onnx")


def test_residual_cnn_with_two_outputs(tmp_path):
    image = keras.Input((12, 12, 3), name="image")
    x = L.Conv2D(8, 3, padding="same", activation="relu")(image)
    x = L.BatchNormalization()(x)
    shortcut = x
    x = L.Conv2D(8, 3, padding="same")(x)
    x = L.ReLU()(L.Add()([x, shortcut]))
    x = L.AveragePooling2D(2)(x)
    features = L.GlobalAveragePooling2D()(x)
    logits = L.Dense(4, name="logits")(L.Dropout(0.3)(features))
    probabilities = L.Softmax(name="probabilities")(logits)
    model = keras.Model(image, [logits, probabilities])
    proto = assert_exports_exactly(model, tmp_path / "m.onnx")
    assert [o.name for o in proto.graph.output] == ["logits", "probabilities"]


def test_trained_model_with_batch_norm_statistics(tmp_path):
    model = keras.Sequential([keras.Input((6,)), L.Dense(8), L.BatchNormalization(),
                              L.Activation("relu"), L.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    model.fit(rng.standard_normal((32, 6)).astype("float32") * 3 + 1,
              rng.integers(0, 3, 32), epochs=2, batch_size=8, verbose=0)
    assert_exports_exactly(model, tmp_path / "m.onnx")


def test_nested_sequential_inside_functional(tmp_path):
    inner = keras.Sequential([keras.Input((4,)), L.Dense(5, activation="relu"), L.Dense(3)],
                             name="inner")
    x = keras.Input((4,))
    model = keras.Model(x, L.Dense(2)(inner(x)))
    assert_exports_exactly(model, tmp_path / "m.onnx")


def test_model_export_method_writes_onnx(tmp_path):
    model = keras.Sequential([keras.Input((3,)), L.Dense(2, activation="sigmoid")])
    path = tmp_path / "model.onnx"
    model.export(str(path), format="onnx", opset_version=18)
    proto = onnx.load(str(path))
    assert proto.opset_import[0].version == 18
    with pytest.raises(ValueError, match="format 'openvino'"):
        model.export(str(tmp_path / "x"), format="openvino")


def test_export_without_path_returns_the_model_proto():
    model = keras.Sequential([keras.Input((3,)), L.Dense(2)])
    proto = fluxion.onnx.export(model, None)
    onnx.checker.check_model(proto, full_check=True)
    kernel, bias = model.layers[0].get_weights()
    weights = {i.name: onnx.numpy_helper.to_array(i) for i in proto.graph.initializer}
    np.testing.assert_array_equal(weights[f"{model.layers[0].name}/kernel"], kernel)
    np.testing.assert_array_equal(weights[f"{model.layers[0].name}/bias"], bias)


def test_lambda_layer_exports_through_its_primitives(tmp_path):
    # the layer table could not see inside a Lambda; its primitives export
    model = keras.Sequential([keras.Input((5, 3)), L.Lambda(lambda x: x * 2, name="twice"),
                              L.Dense(2)])
    assert_exports_exactly(model, tmp_path / "m.onnx")


def test_operation_without_mapping_names_primitive_layer_and_line(tmp_path):
    x = keras.Input((4,))
    running = L.Lambda(lambda t: keras.ops.cumprod(t, axis=1), name="running")
    model = keras.Model(x, running(x))
    path = tmp_path / "m.onnx"
    with pytest.raises(fluxion.onnx.UnsupportedOperationError,
                       match=r"operation 'cumprod' in layer '.*running' \(traced at "
                             r".*test_onnx_export_models.py:\d+\) has no ONNX mapping"):
        fluxion.onnx.export(model, path)
    assert not path.exists()


def test_subclass_that_changes_call_exports_what_it_computes(tmp_path):
    class DoubledDense(L.Dense):
        def call(self, inputs):
            return super().call(inputs) * 2.0

    model = keras.Sequential([keras.Input((3,)), DoubledDense(2, name="doubled")])
    assert_exports_exactly(model, tmp_path / "m.onnx")


def test_custom_activation_function_exports(tmp_path):
    def cube(x):
        return x * x * x

    model = keras.Sequential([keras.Input((3,)), L.Dense(2, activation=cube, name="d")])
    assert_exports_exactly(model, tmp_path / "m.onnx")


@pytest.mark.parametrize("rnn", ["lstm", "lstm_backwards_sequences", "gru",
                                 "gru_reset_before_backwards"])
def test_masked_recurrent_layers_unroll(tmp_path, rnn):
    layer = {"lstm": lambda: L.LSTM(3, return_state=True),
             "lstm_backwards_sequences": lambda: L.LSTM(3, go_backwards=True,
                                                        return_sequences=True),
             "gru": lambda: L.GRU(3),
             "gru_reset_before_backwards": lambda: L.GRU(
                 3, reset_after=False, go_backwards=True, return_sequences=True)}[rnn]()
    ids = keras.Input((6,), dtype="int32")
    outputs = layer(L.Embedding(10, 2, mask_zero=True)(ids))
    model = keras.Model(ids, outputs)
    rng = np.random.default_rng(3)
    layer.set_weights([rng.standard_normal(w.shape).astype("float32") * 0.5
                       for w in layer.get_weights()])
    # ids in [0, 10): zeros (masked steps) fall anywhere in the sequences
    assert_exports_exactly(model, tmp_path / "m.onnx", integers=True, batches=(1, 7))


def test_built_subclassed_model_exports_and_unbuilt_models_get_clear_errors(tmp_path):
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(2)

        def call(self, x):
            return keras.ops.relu(self.dense(x)) - 1.0

    with pytest.raises(ValueError, match="no input shape yet"):
        fluxion.onnx.export(Custom(), None)
    with pytest.raises(ValueError, match="no input shape yet"):
        fluxion.onnx.export(keras.Sequential([L.Dense(2)]), None)
    model = Custom()
    x = np.random.default_rng(0).standard_normal((4, 3)).astype("float32")
    expected = model.predict(x, verbose=0)
    path = tmp_path / "m.onnx"
    fluxion.onnx.export(model, path)
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_opset_below_13_is_refused():
    model = keras.Sequential([keras.Input((3,)), L.Dense(2)])
    with pytest.raises(ValueError, match="opset 13 or later; got opset=11"):
        fluxion.onnx.export(model, None, opset=11)


def test_import_fluxion_does_not_load_onnx():
    import subprocess
    import sys

    code = ("import sys, fluxion; assert 'onnx' not in sys.modules; "
            "assert 'fluxion.onnx' not in sys.modules; "
            "assert callable(fluxion.onnx.export); assert 'onnx' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_float64_layer_exports_in_float64(tmp_path):
    model = keras.Sequential([keras.Input((3,)), L.Dense(2, dtype="float64", name="wide")])
    proto = assert_exports_exactly(model, tmp_path / "m.onnx")
    assert proto.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE


def test_keras_ops_on_keras_tensors(tmp_path):
    x, y = keras.Input((4,), name="x"), keras.Input((4,), name="y")
    z = keras.ops.exp(x * 0.5 - y) + keras.ops.maximum(x, y) / 3.0 + (1.0 - x)
    z = keras.ops.square(keras.ops.tanh(z)) + 2.0 * keras.ops.abs(L.Dense(4)(y))
    assert_exports_exactly(keras.Model([x, y], z), tmp_path / "m.onnx")


def test_keras_cumsum_exports(tmp_path):
    x = keras.Input((4,))
    model = keras.Model(x, keras.ops.cumsum(x, axis=1))
    assert_exports_exactly(model, tmp_path / "m.onnx")


def test_attention_and_einsum_dense(tmp_path):
    tokens = keras.Input((5, 8), name="tokens")
    attended = L.MultiHeadAttention(num_heads=2, key_dim=4)(tokens, tokens)
    x = L.LayerNormalization()(L.Add()([tokens, attended]))
    x = L.EinsumDense("abc,cd->abd", output_shape=(None, 6), bias_axes="d")(x)
    model = keras.Model(tokens, L.GlobalAveragePooling1D()(x))
    proto = assert_exports_exactly(model, tmp_path / "m.onnx")
    assert "Einsum" in {n.op_type for n in proto.graph.node}


def test_pooling_and_convolution_in_one_and_three_dimensions(tmp_path):
    model = keras.Sequential([keras.Input((12, 3)), L.Conv1D(4, 3, padding="same"),
                              L.MaxPooling1D(2), L.AveragePooling1D(2, padding="same"),
                              L.GlobalMaxPooling1D()])
    assert_exports_exactly(model, tmp_path / "one.onnx")
    model = keras.Sequential([keras.Input((6, 6, 6, 2)), L.Conv3D(3, 2, strides=2),
                              L.MaxPooling3D(1), L.AveragePooling3D(3, padding="same"),
                              L.GlobalAveragePooling3D()])
    assert_exports_exactly(model, tmp_path / "three.onnx")


def test_sequential_built_by_a_first_call_keeps_the_batch_open(tmp_path):
    model = keras.Sequential([L.Dense(2, activation="relu")])
    model(np.zeros((1, 5), "float32"))
    assert_exports_exactly(model, tmp_path / "m.onnx")
