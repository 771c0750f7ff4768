"""Fluxion's own TFLite interpreter (``fluxion.lite.FluxionInterpreter``).

One harness, ``_run``, runs a file with the fallback on inputs in signature order.  It
is checked three ways:

- files made by TensorFlow's converter (``fixtures/interpreter``, written by
  ``fixtures/make_interpreter_fixtures.py``) give the outputs TF's reference kernels
  gave: float within 1e-5, quantized outputs within one step (exact in practice);
- files made by Fluxion's converter (float32, dynamic range, float16, full int8) give
  ``model.predict``'s outputs and, where LiteRT is installed, LiteRT's: float within
  1e-5, int8 within one quantization step of the output;
- the interface: details dicts like TF's, signature runners, resizing, clear errors.

CI installs LiteRT, so the fallback is always asked for by name here.
"""

import glob
import os

import numpy as np
import pytest

pytest.importorskip("tflite")

import lite_harness as harness  # noqa: E402

import fluxion as tf  # noqa: E402
from fluxion import keras  # noqa: E402
from fluxion.lite import FluxionInterpreter  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "interpreter")
FLOAT_TOLERANCE = 1e-5


def _run(content: bytes, inputs: list) -> list:
    """The fallback's outputs on ``inputs`` (float inputs quantized where the file's
    inputs are integers; quantized outputs returned as stored)."""
    interpreter = FluxionInterpreter(model_content=content)
    details = interpreter.get_input_details()
    for detail, array in zip(details, inputs):
        interpreter.resize_tensor_input(detail["index"], array.shape)
    interpreter.allocate_tensors()
    for detail, array in zip(details, inputs):
        scale, zero_point = detail["quantization"]
        if scale and array.dtype.kind == "f":
            info = np.iinfo(detail["dtype"])
            array = np.clip(np.round(array / scale + zero_point), info.min, info.max)
        interpreter.set_tensor(detail["index"], array.astype(detail["dtype"]))
    interpreter.invoke()
    return [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]


def _dequantized(outputs: list, content: bytes) -> list:
    details = FluxionInterpreter(model_content=content).get_output_details()
    result = []
    for array, detail in zip(outputs, details):
        scale, zero_point = detail["quantization"]
        result.append((array.astype(np.float32) - zero_point) * scale if scale else array)
    return result


# --- files from TensorFlow's converter ---------------------------------------------------------
FIXTURE_NAMES = sorted(os.path.basename(p)[:-len(".tflite")]
                       for p in glob.glob(os.path.join(FIXTURES, "*.tflite")))


def _step_of(content: bytes, position: int) -> float:
    """The quantization step of output ``position``, or that of the tensor it
    dequantizes (a float output of a fully quantized model)."""
    interpreter = FluxionInterpreter(model_content=content)
    main = interpreter._model.subgraphs[0]
    index = main.outputs[position]
    for op in main.operators:
        if index in op.outputs and op.opcode == "DEQUANTIZE":
            index = op.inputs[0]
    quantization = main.tensors[index].quantization
    return float(quantization.scales[0]) if quantization is not None else 0.0


def test_fixtures_cover_the_models():
    assert len(FIXTURE_NAMES) >= 20
    for family in ("mlp", "cnn", "lstm", "gru", "simple_rnn", "text_cnn", "attention",
                   "conditional_then", "conditional_else", "dilated",
                   "dense_activations"):
        assert any(n.startswith(family) for n in FIXTURE_NAMES)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_tensorflow_converted_file(name):
    with open(os.path.join(FIXTURES, name + ".tflite"), "rb") as file:
        content = file.read()
    recorded = np.load(os.path.join(FIXTURES, name + ".npz"))
    inputs = [recorded[f"input_{i}"] for i in range(sum(k.startswith("input")
                                                        for k in recorded))]
    outputs = _run(content, inputs)
    for position, got in enumerate(outputs):
        want = recorded[f"output_{position}"]
        assert got.dtype == want.dtype and got.shape == want.shape
        if got.dtype.kind in "iu":  # a quantized output: within one step
            assert np.abs(got.astype(int) - want.astype(int)).max() <= 1
        elif name.endswith("int8"):  # dequantized from int8: within one step of it
            step = _step_of(content, position)
            np.testing.assert_allclose(got, want, rtol=0, atol=step * 1.01)
        else:
            np.testing.assert_allclose(got, want, rtol=FLOAT_TOLERANCE,
                                       atol=FLOAT_TOLERANCE)


# --- files from Fluxion's converter -----------------------------------------------------------
def _embedding_model():
    return keras.Sequential([keras.Input((5,), dtype="int32"), keras.layers.Embedding(10, 4),
                             keras.layers.GlobalAveragePooling1D()])


def _activations_model():
    keras.utils.set_random_seed(1)
    L = keras.layers
    return keras.Sequential([
        keras.Input((6,)), L.Dense(6, activation="swish"), L.Dense(6, activation="selu"),
        L.Dense(6, activation="gelu"),
        L.Dense(6, activation="elu"), L.LeakyReLU(), L.Dense(6, activation="softplus"),
        L.Dense(6, activation="hard_swish"), L.Dense(4, activation="tanh"), L.Softmax()])


def _transposed_and_resampled():
    keras.utils.set_random_seed(2)
    L = keras.layers
    return keras.Sequential([
        keras.Input((6, 6, 2)), L.Conv2DTranspose(3, 3, strides=2, padding="same"),
        L.UpSampling2D(), L.ZeroPadding2D(1), L.Cropping2D(2), L.SeparableConv2D(4, 3),
        L.GlobalMaxPooling2D()])


def _recurrent():
    keras.utils.set_random_seed(3)
    L = keras.layers
    return keras.Sequential([keras.Input((4, 3)), L.GRU(5, return_sequences=True),
                             L.Bidirectional(L.LSTM(3)), L.Dense(2)])


def _transformer():
    from test_lite_float import transformer_block

    return transformer_block()


MODELS = {"mlp": harness.mlp, "convnet": harness.convnet, "lstm": harness.lstm_model,
          "multi_input": harness.multi_input_model, "activations": _activations_model,
          "transposed": _transposed_and_resampled, "recurrent": _recurrent,
          "transformer": _transformer}
# model.predict tolerance of each conversion (absolute, on outputs of size ~1)
PREDICT_TOLERANCE = {"float32": 1e-5, "float16": 2e-2, "dynamic": 5e-2, "int8": None}


def _convert(model, mode: str) -> bytes:
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode != "float32":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if mode == "int8":
        def samples():
            for i in range(20):
                yield harness.random_inputs(model, 1, seed=100 + i)
        converter.representative_dataset = samples
    return converter.convert()


def _litert_outputs(content: bytes, inputs: list):
    """LiteRT's outputs with its reference kernels, the arithmetic the fallback follows
    (its optimized int8 kernels round some ties the other way); with its builtin
    kernels where the reference set lacks an operator (ELU).  None without LiteRT."""
    try:
        from ai_edge_litert.interpreter import Interpreter, OpResolverType
    except ImportError:
        return None
    try:
        interpreter = Interpreter(model_content=content,
                                  experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    except ValueError:
        interpreter = Interpreter(
            model_content=content,
            experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    details = interpreter.get_input_details()
    for detail, array in zip(details, inputs):
        interpreter.resize_tensor_input(detail["index"], array.shape)
    interpreter.allocate_tensors()
    for detail, array in zip(details, inputs):
        interpreter.set_tensor(detail["index"], array.astype(detail["dtype"]))
    interpreter.invoke()
    return [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]


@pytest.mark.parametrize("mode", ["float32", "dynamic", "float16", "int8"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_fluxion_converted_file(name, mode):
    model = MODELS[name]()
    content = _convert(model, mode)
    inputs = harness.random_inputs(model, 3, seed=7)
    got = _dequantized(_run(content, inputs), content)
    want = harness.predict(model, inputs)
    litert = _litert_outputs(content, inputs)
    for position, (g, w) in enumerate(zip(got, want)):
        if mode == "int8":
            step = _step_of(content, position)
            # calibration on 20 samples: a few steps from the float model
            np.testing.assert_allclose(g, w, rtol=0, atol=max(8 * step, 0.05))
            if litert is not None:
                np.testing.assert_allclose(g, litert[position], rtol=0, atol=step * 1.01)
            continue
        np.testing.assert_allclose(g, w, rtol=0, atol=PREDICT_TOLERANCE[mode])
        if litert is not None:
            np.testing.assert_allclose(g, litert[position], rtol=FLOAT_TOLERANCE,
                                       atol=FLOAT_TOLERANCE)


def test_embedding_with_integer_inputs():
    keras.utils.set_random_seed(4)
    model = _embedding_model()
    content = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    tokens = np.random.default_rng(0).integers(0, 10, (3, 5)).astype("int32")
    np.testing.assert_allclose(_run(content, [tokens])[0], model.predict(tokens, verbose=0),
                               rtol=FLOAT_TOLERANCE, atol=FLOAT_TOLERANCE)


# --- the interface ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mlp_file():
    model = harness.mlp()
    return model, tf.lite.TFLiteConverter.from_keras_model(model).convert()


def test_details_have_tensorflows_keys(mlp_file):
    _, content = mlp_file
    interpreter = FluxionInterpreter(model_content=content)
    [detail] = interpreter.get_input_details()
    assert set(detail) == {"name", "index", "shape", "shape_signature", "dtype",
                           "quantization", "quantization_parameters", "sparsity_parameters"}
    assert detail["dtype"] is np.float32
    assert list(detail["shape"]) == [1, 40] and list(detail["shape_signature"]) == [-1, 40]
    assert detail["quantization"] == (0.0, 0)
    assert set(detail["quantization_parameters"]) == {"scales", "zero_points",
                                                      "quantized_dimension"}
    assert interpreter.get_signature_list() == {
        "serving_default": {"inputs": ["input_layer"], "outputs": ["output_0"]}} or \
        list(interpreter.get_signature_list()) == ["serving_default"]


def test_quantized_details_and_integer_io():
    model = harness.mlp()
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: (harness.random_inputs(model, 1, seed=i)
                                                for i in range(10))
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    content = converter.convert()
    interpreter = FluxionInterpreter(model_content=content)
    [detail] = interpreter.get_input_details()
    assert detail["dtype"] is np.int8
    scale, zero_point = detail["quantization"]
    assert scale > 0 and -128 <= zero_point <= 127
    parameters = detail["quantization_parameters"]
    assert parameters["scales"].dtype == np.float32 and parameters["scales"][0] == \
        np.float32(scale)
    weights = [d for d in interpreter.get_tensor_details()
               if d["dtype"] is np.int8 and len(d["quantization_parameters"]["scales"]) > 1]
    assert weights and weights[0]["quantization"] == (0.0, 0)  # per channel


def test_signature_runner_resizes_and_returns_a_dict(mlp_file):
    model, content = mlp_file
    interpreter = FluxionInterpreter(model_content=content)
    runner = interpreter.get_signature_runner()
    [input_name] = runner.get_input_details()
    for batch in (2, 5):
        x = harness.random_inputs(model, batch, seed=batch)[0]
        result = runner(**{input_name: x})
        [output] = result.values()
        np.testing.assert_allclose(output, model.predict(x, verbose=0),
                                   rtol=FLOAT_TOLERANCE, atol=FLOAT_TOLERANCE)
    with pytest.raises(ValueError, match=r"takes inputs \['input_layer.*'\]; got \['x'\]"):
        runner(x=x)


def test_output_shape_follows_a_resized_input(mlp_file):
    _, content = mlp_file
    interpreter = FluxionInterpreter(model_content=content)
    [detail] = interpreter.get_input_details()
    interpreter.resize_tensor_input(detail["index"], [7, 40], strict=True)
    interpreter.allocate_tensors()
    assert list(interpreter.get_output_details()[0]["shape"]) == [7, 4]
    with pytest.raises(ValueError, match=r"only its -1 dimensions may change"):
        interpreter.resize_tensor_input(detail["index"], [7, 41], strict=True)


def test_invoke_before_allocate_tensors(mlp_file):
    interpreter = FluxionInterpreter(model_content=mlp_file[1])
    with pytest.raises(RuntimeError, match=r"invoke\(\) before allocate_tensors\(\)"):
        interpreter.invoke()


def test_wrong_input_dtype_and_shape(mlp_file):
    interpreter = FluxionInterpreter(model_content=mlp_file[1])
    interpreter.allocate_tensors()
    index = interpreter.get_input_details()[0]["index"]
    with pytest.raises(ValueError, match=r"holds float32; got float64"):
        interpreter.set_tensor(index, np.zeros((1, 40)))
    with pytest.raises(ValueError, match=r"has shape \[1, 40\]; got shape \[2, 40\]\. Call "
                                         r"resize_tensor_input"):
        interpreter.set_tensor(index, np.zeros((2, 40), np.float32))


def _two_operator_file(second: str) -> bytes:
    from fluxion.lite.flatbuffer_writer import write_model
    from fluxion.lite.model_ir import LiteGraph

    graph = LiteGraph()
    x = graph.tensor("x", (2, 3), np.float32)
    y, z = graph.tensor("y", (2, 3), np.float32), graph.tensor("z", (2, 3), np.float32)
    graph.inputs, graph.outputs = [x], [z]
    graph.input_names, graph.output_names = ["x"], ["z"]
    graph.add_op("RELU", [x], [y])
    graph.add_op(second, [y], [z])
    return write_model(graph)


def test_unsupported_operator_is_named_with_its_index():
    with pytest.raises(tf.lite.interpreter.UnsupportedOperatorError,
                       match=r"no kernel for the builtin operator "
                             r"LOCAL_RESPONSE_NORMALIZATION \(operator 1 of subgraph 0\)"):
        FluxionInterpreter(model_content=_two_operator_file("LOCAL_RESPONSE_NORMALIZATION"))
    with pytest.raises(tf.lite.interpreter.UnsupportedOperatorError,
                       match=r"builtin operators only; the file has the custom operator "
                             r"'' \(operator 1 of subgraph 0\)"):
        FluxionInterpreter(model_content=_two_operator_file("CUSTOM"))


def test_not_a_tflite_file():
    with pytest.raises(ValueError, match=r"not a TFLite flatbuffer"):
        FluxionInterpreter(model_content=b"\x00" * 64)


def test_interpreter_is_litert_when_installed_else_fluxion(monkeypatch, mlp_file):
    import sys

    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        assert tf.lite.Interpreter is FluxionInterpreter
    else:
        assert tf.lite.Interpreter is Interpreter
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    assert tf.lite.Interpreter is FluxionInterpreter
    model, content = mlp_file
    x = harness.random_inputs(model, 1)[0]
    runner = tf.lite.Interpreter(model_content=content).get_signature_runner()
    [output] = runner(**{next(iter(runner.get_input_details())): x}).values()
    np.testing.assert_allclose(output, model.predict(x, verbose=0), rtol=FLOAT_TOLERANCE,
                               atol=FLOAT_TOLERANCE)


def test_full_integer_conversion_calibrates_without_litert(monkeypatch):
    """Where LiteRT is absent, the converter's calibration runs on the fallback."""
    import sys

    model = harness.mlp()
    with_litert = _convert(model, "int8")
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    without = _convert(model, "int8")
    assert len(without) == len(with_litert)
    inputs = harness.random_inputs(model, 4, seed=3)
    np.testing.assert_allclose(_dequantized(_run(without, inputs), without)[0],
                               _dequantized(_run(with_litert, inputs), with_litert)[0],
                               atol=2 * _step_of(without, 0))


def test_int8_negation_is_a_product_by_minus_one():
    """TFLite's int8 NEG negates stored integers whatever the scales (-x only for a zero
    point of 0; a ReLU's output has -128): full integer conversion writes MUL by -1."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6,))
    hidden = keras.layers.Dense(5, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3)(-hidden))
    content = _convert(model, "int8")
    assert "NEG" not in harness.operator_names(content)
    assert "NEG" in harness.operator_names(_convert(model, "float32"))
    x = harness.random_inputs(model, 4, seed=1)
    got = _dequantized(_run(content, x), content)[0]
    np.testing.assert_allclose(got, harness.predict(model, x)[0], atol=0.05)
    litert = _litert_outputs(content, x)
    if litert is not None:
        np.testing.assert_allclose(got, litert[0], atol=_step_of(content, 0) * 1.01)


def test_signature_runner_on_a_tensorflow_file():
    with open(os.path.join(FIXTURES, "cnn_float32.tflite"), "rb") as file:
        content = file.read()
    recorded = np.load(os.path.join(FIXTURES, "cnn_float32.npz"))
    interpreter = FluxionInterpreter(model_path=os.path.join(FIXTURES, "cnn_float32.tflite"))
    [(key, names)] = interpreter.get_signature_list().items()
    assert key == "serving_default" and len(names["inputs"]) == 1
    runner = interpreter.get_signature_runner("serving_default")
    result = runner(**{names["inputs"][0]: recorded["input_0"]})
    assert list(result) == names["outputs"]
    np.testing.assert_allclose(result[names["outputs"][0]], recorded["output_0"],
                               rtol=FLOAT_TOLERANCE, atol=FLOAT_TOLERANCE)
    details = runner.get_output_details()[names["outputs"][0]]
    assert list(details["shape"]) == list(recorded["output_0"].shape)
    with pytest.raises(ValueError, match=r"no signature 'train'; the model's signatures "
                                         r"are \['serving_default'\]"):
        interpreter.get_signature_runner("train")
    assert len(FluxionInterpreter(model_content=content).get_tensor_details()) > 10


def test_tensor_gives_a_view_of_the_current_value(mlp_file):
    model, content = mlp_file
    interpreter = FluxionInterpreter(model_content=content)
    interpreter.allocate_tensors()
    x = harness.random_inputs(model, 1)[0]
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    output = interpreter.tensor(interpreter.get_output_details()[0]["index"])
    np.testing.assert_array_equal(output(), interpreter.get_tensor(
        interpreter.get_output_details()[0]["index"]))


@pytest.mark.parametrize("io_type", ["int8", "uint8"])
def test_integer_inputs_and_outputs(io_type):
    model = harness.convnet()
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: (harness.random_inputs(model, 1, seed=i)
                                                for i in range(20))
    converter.inference_input_type = getattr(tf, io_type)
    converter.inference_output_type = getattr(tf, io_type)
    content = converter.convert()
    interpreter = FluxionInterpreter(model_content=content)
    assert interpreter.get_input_details()[0]["dtype"] is getattr(np, io_type)
    inputs = harness.random_inputs(model, 3, seed=2)
    [got] = _run(content, inputs)
    assert got.dtype == getattr(np, io_type)
    np.testing.assert_allclose(_dequantized([got], content)[0],
                               harness.predict(model, inputs)[0], atol=0.1)
    scale, zero_point = interpreter.get_input_details()[0]["quantization"]
    limits = np.iinfo(io_type)
    fed = [np.clip(np.round(x / scale + zero_point), limits.min, limits.max).astype(io_type)
           for x in inputs]
    litert = _litert_outputs(content, fed)
    if litert is not None:
        assert np.abs(got.astype(int) - litert[0].astype(int)).max() <= 1
