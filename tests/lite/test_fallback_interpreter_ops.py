"""Fluxion's TFLite interpreter, operator by operator: each small function is converted
by Fluxion's converter and run by the fallback; its outputs must equal the function's
eager outputs (and LiteRT's, where installed) within 1e-5.  The fused LSTM, which
Keras 3 models do not convert to, is written operator-first with the schema writer."""

import numpy as np
import pytest

pytest.importorskip("tflite")

import fluxion as tf  # noqa: E402
from fluxion.lite import FluxionInterpreter  # noqa: E402

TOLERANCE = 1e-5
RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 6)).astype(np.float32)
Y = RNG.uniform(0.5, 2.0, size=(3, 6)).astype(np.float32)

# name -> function of (x, y), both float32 [None, 6]
FUNCTIONS = {
    "arg_max_min": lambda x, y: (tf.argmax(x, axis=1, output_type=tf.int32),
                                 tf.argmin(y, axis=1, output_type=tf.int32)),
    "rounding": lambda x, y: (tf.math.ceil(x), tf.math.floor(x), tf.math.round(x * 3),
                              tf.math.sign(x)),
    "trigonometry_and_powers": lambda x, y: (tf.sin(x), tf.cos(x), tf.sqrt(y),
                                             tf.square(x), tf.pow(y, x)),
    "division": lambda x, y: (x / y, tf.math.floordiv(x, y), tf.math.floormod(x, y)),
    "comparisons": lambda x, y: tf.where(
        tf.logical_or(tf.logical_not(tf.greater(x, y)), tf.equal(x, 0.0)),
        tf.minimum(x, y), tf.cast(tf.not_equal(x, y), tf.float32) +
        tf.cast(tf.less_equal(x, y), tf.float32) + tf.cast(tf.greater_equal(x, y),
                                                          tf.float32)),
    "reductions": lambda x, y: (tf.reduce_sum(x, axis=1), tf.reduce_min(x, axis=1),
                                tf.reduce_prod(y, axis=1),
                                tf.cast(tf.reduce_any(x > 1.0, axis=1), tf.float32)),
    "activations": lambda x, y: (tf.nn.relu(x), tf.nn.relu6(x * 4),
                                 tf.clip_by_value(x, -1.0, 1.0), tf.nn.log_softmax(x)),
    "shapes": lambda x, y: (tf.tile(x, [1, 2]), tf.broadcast_to(x[:, :1], tf.shape(x)),
                            tf.split(x, [2, 4], axis=1)[1], tf.zeros_like(x) + y,
                            tf.pad(x, [[0, 0], [1, 2]], constant_values=1.5)),
    "cumulative_sum": lambda x, y: (tf.cumsum(x, axis=1),
                                    tf.cumsum(x, axis=1, exclusive=True, reverse=True)),
}


def _fallback(content: bytes, inputs: list) -> list:
    interpreter = FluxionInterpreter(model_content=content)
    runner = interpreter.get_signature_runner()
    names = list(runner.get_input_details())
    result = runner(**dict(zip(names, inputs)))
    return [result[name] for name in runner.get_output_details()]


def _litert(content: bytes, inputs: list):
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        return None
    runner = Interpreter(model_content=content).get_signature_runner()
    result = runner(**dict(zip(runner.get_input_details(), inputs)))
    return [result[name] for name in runner.get_output_details()]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_operator(name):
    function = FUNCTIONS[name]
    spec = tf.TensorSpec([None, 6], tf.float32)

    @tf.function(input_signature=[spec, spec])
    def serve(x, y):
        outputs = function(x, y)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        return {f"out_{i}": o for i, o in enumerate(outputs)}

    content = tf.lite.TFLiteConverter.from_concrete_functions(
        [serve.get_concrete_function()]).convert()
    want = serve(X, Y)
    want = [np.asarray(want[f"out_{i}"]) for i in range(len(want))]
    got = _fallback(content, [X, Y])
    litert = _litert(content, [X, Y])
    for position, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape and g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=TOLERANCE, atol=TOLERANCE)
        if litert is not None:
            np.testing.assert_allclose(g, litert[position], rtol=TOLERANCE, atol=TOLERANCE)


def _lstm_file(units: int, features: int, batch: int, steps: int, weights: list,
               time_major: bool = False) -> bytes:
    """A file of one UNIDIRECTIONAL_SEQUENCE_LSTM (i, f, c, o gates; no peepholes)."""
    from fluxion.lite.flatbuffer_writer import write_model
    from fluxion.lite.model_ir import LiteGraph

    kernel, recurrent, bias = weights  # Keras's layout: [in, 4u], [u, 4u], [4u]
    graph = LiteGraph()
    shape = (steps, batch, features) if time_major else (batch, steps, features)
    x = graph.tensor("x", shape, np.float32)
    gates = [graph.constant(f"input_w{k}", kernel[:, k * units:(k + 1) * units].T)
             for k in range(4)]
    gates += [graph.constant(f"recurrent_w{k}", recurrent[:, k * units:(k + 1) * units].T)
              for k in range(4)]
    biases = [graph.constant(f"bias{k}", bias[k * units:(k + 1) * units]) for k in range(4)]
    states = [graph.tensor(name, (batch, units), np.float32) for name in ("h", "c")]
    for state in states:
        state.is_variable = True
    out_shape = (steps, batch, units) if time_major else (batch, steps, units)
    out = graph.tensor("sequence", out_shape, np.float32)
    graph.inputs, graph.outputs = [x], [out]
    graph.input_names, graph.output_names = ["x"], ["sequence"]
    graph.add_op("UNIDIRECTIONAL_SEQUENCE_LSTM",
                 [x, *gates, None, None, None, *biases, None, None, *states],
                 [out], ("UnidirectionalSequenceLSTMOptions",
                         {"FusedActivationFunction": 4, "TimeMajor": time_major}))
    return write_model(graph)


@pytest.mark.parametrize("time_major", [False, True])
def test_fused_lstm_matches_keras_lstm(time_major):
    from fluxion import keras

    keras.utils.set_random_seed(5)
    layer = keras.layers.LSTM(4, return_sequences=True)
    sequence = RNG.normal(size=(2, 5, 3)).astype(np.float32)
    want = np.asarray(layer(sequence))
    content = _lstm_file(4, 3, 2, 5, [w.numpy() for w in layer.weights], time_major)
    fed = np.swapaxes(sequence, 0, 1).copy() if time_major else sequence
    interpreter = FluxionInterpreter(model_content=content)
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], fed)
    interpreter.invoke()
    first = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    got = np.swapaxes(first, 0, 1) if time_major else first
    np.testing.assert_allclose(got, want, rtol=TOLERANCE, atol=TOLERANCE)
    # the states are variables: a second invoke continues from them, as in TFLite
    interpreter.invoke()
    again = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    assert np.abs(again - first).max() > 1e-3
    interpreter.reset_all_variables()
    interpreter.invoke()
    reset = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    np.testing.assert_allclose(np.swapaxes(reset, 0, 1) if time_major else reset, want,
                               rtol=TOLERANCE, atol=TOLERANCE)
    litert = _litert(content, [fed])
    if litert is not None:
        np.testing.assert_allclose(
            np.swapaxes(litert[0], 0, 1) if time_major else litert[0], want,
            rtol=TOLERANCE, atol=TOLERANCE)


def _single_operator_file(opcode: str, x: np.ndarray, constants: list, out_shape,
                          out_dtype=np.float32, options=None) -> bytes:
    """A file of one operator on the input ``x`` and ``constants``."""
    from fluxion.lite.flatbuffer_writer import write_model
    from fluxion.lite.model_ir import LiteGraph

    graph = LiteGraph()
    source = graph.tensor("x", x.shape, x.dtype)
    out = graph.tensor("y", out_shape, out_dtype)
    # scalars stay 0-d (LiteRT refuses a [1]-shaped RANGE limit)
    stored = [graph.constant(f"c{i}", array) for i, array in enumerate(constants)]
    graph.inputs, graph.outputs = [source], [out]
    graph.input_names, graph.output_names = ["x"], ["y"]
    graph.add_op(opcode, [source, *stored], [out], options)
    return write_model(graph)


_MATRIX = RNG.normal(size=(2, 3)).astype(np.float32)
_IMAGE = RNG.normal(size=(1, 4, 4, 2)).astype(np.float32)
_MASK = np.array([[True, False, True], [True, True, True]])
_POOL = ("Pool2DOptions", {"Padding": 1, "StrideW": 2, "StrideH": 2, "FilterWidth": 2,
                           "FilterHeight": 2})
_PADDINGS = np.array([[1, 1], [2, 2]], np.int32)
_BLOCKS = np.arange(2 * 4 * 6 * 3, dtype=np.float32).reshape(2, 4, 6, 3)
_BLOCK, _SPACE_PADDINGS = np.array([2, 2], np.int32), np.array([[0, 0], [1, 1]], np.int32)
# name -> (opcode, x, constants, options, expected output)
SINGLE_OPERATORS = {
    "space_to_depth": ("SPACE_TO_DEPTH", _BLOCKS, [], ("SpaceToDepthOptions",
                                                      {"BlockSize": 2}),
                       np.asarray(tf.nn.space_to_depth(_BLOCKS, 2))),
    "depth_to_space": ("DEPTH_TO_SPACE", np.asarray(tf.nn.space_to_depth(_BLOCKS, 2)), [],
                       ("DepthToSpaceOptions", {"BlockSize": 2}), _BLOCKS),
    "space_to_batch": ("SPACE_TO_BATCH_ND", _BLOCKS, [_BLOCK, _SPACE_PADDINGS], None,
                       np.asarray(tf.space_to_batch_nd(_BLOCKS, [2, 2], [[0, 0], [1, 1]]))),
    "batch_to_space": ("BATCH_TO_SPACE_ND", np.asarray(tf.space_to_batch_nd(
        _BLOCKS, [2, 2], [[0, 0], [1, 1]])), [_BLOCK, _SPACE_PADDINGS], None, _BLOCKS),
    "gather_nd": ("GATHER_ND", _MATRIX, [np.array([[0, 1], [1, 2]], np.int32)], None,
                  _MATRIX[[0, 1], [1, 2]]),
    "l2_pool": ("L2_POOL_2D", _IMAGE, [], _POOL, np.sqrt(
        (_IMAGE ** 2).reshape(1, 2, 2, 2, 2, 2).mean(axis=(2, 4)))),
    "mirror_pad_reflect": ("MIRROR_PAD", _MATRIX, [_PADDINGS], ("MirrorPadOptions",
                                                                {"Mode": 0}),
                           np.pad(_MATRIX, _PADDINGS, mode="reflect")),
    "mirror_pad_symmetric": ("MIRROR_PAD", _MATRIX, [_PADDINGS], ("MirrorPadOptions",
                                                                  {"Mode": 1}),
                             np.pad(_MATRIX, _PADDINGS, mode="symmetric")),
    "squeeze": ("SQUEEZE", _MATRIX.reshape(2, 1, 3), [], ("SqueezeOptions",
                                                          {"SqueezeDims": [1]}), _MATRIX),
    "reduce_all": ("REDUCE_ALL", _MASK, [np.array([1], np.int32)],
                   ("ReducerOptions", {"KeepDims": False}), _MASK.all(axis=1)),
    "select_rows": ("SELECT", np.array([True, False]), [_MATRIX, -_MATRIX], None,
                    np.where([[True], [False]], _MATRIX, -_MATRIX)),
    "prelu": ("PRELU", _MATRIX, [np.array([0.1, 0.2, 0.3], np.float32)], None,
              np.where(_MATRIX >= 0, _MATRIX, _MATRIX * [0.1, 0.2, 0.3])),
    "relu_0_to_1": ("RELU_0_TO_1", _MATRIX, [], None, np.clip(_MATRIX, 0, 1)),
    "range": ("RANGE", np.array(2, np.int32), [np.array(11, np.int32),
                                               np.array(3, np.int32)], None,
              np.arange(2, 11, 3, dtype=np.int32)),
    "rank": ("RANK", _IMAGE, [], None, np.array(4, np.int32)),
}


@pytest.mark.parametrize("name", sorted(SINGLE_OPERATORS))
def test_single_operator(name):
    opcode, x, constants, options, want = SINGLE_OPERATORS[name]
    want = np.asarray(want, np.asarray(want).dtype if want.dtype != np.float64
                      else np.float32)
    content = _single_operator_file(opcode, x, constants, want.shape, want.dtype, options)
    got = _fallback(content, [x])[0]
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=TOLERANCE, atol=TOLERANCE)
    litert = _litert(content, [x])
    if litert is not None:
        np.testing.assert_allclose(got, litert[0], rtol=TOLERANCE, atol=TOLERANCE)


@pytest.mark.parametrize("align_corners, half_pixel", [(False, False), (True, False),
                                                       (False, True)])
@pytest.mark.parametrize("opcode", ["RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"])
def test_resize(opcode, align_corners, half_pixel):
    """Against LiteRT, and against TF's rule for bilinear with half-pixel centres."""
    image = RNG.normal(size=(2, 5, 4, 3)).astype(np.float32)
    options = ("ResizeBilinearOptions" if opcode == "RESIZE_BILINEAR"
               else "ResizeNearestNeighborOptions",
               {"AlignCorners": align_corners, "HalfPixelCenters": half_pixel})
    content = _single_operator_file(opcode, image, [np.array([8, 7], np.int32)],
                                    (2, 8, 7, 3), options=options)
    got = _fallback(content, [image])[0]
    assert got.shape == (2, 8, 7, 3)
    if opcode == "RESIZE_BILINEAR" and half_pixel:
        want = np.asarray(tf.image.resize(image, [8, 7], method="bilinear"))
        np.testing.assert_allclose(got, want, rtol=TOLERANCE, atol=TOLERANCE)
    litert = _litert(content, [image])
    if litert is not None:
        np.testing.assert_allclose(got, litert[0], rtol=TOLERANCE, atol=TOLERANCE)


def _hybrid_file(opcode: str, per_channel: bool, asymmetric: bool) -> tuple[bytes, list]:
    """One FULLY_CONNECTED or CONV_2D with int8 weights on float activations."""
    from fluxion.lite.flatbuffer_writer import write_model
    from fluxion.lite.model_ir import LiteGraph, Quantization

    rng = np.random.default_rng(1)
    shape = (8, 20) if opcode == "FULLY_CONNECTED" else (8, 3, 3, 4)
    weights = rng.integers(-127, 128, shape).astype(np.int8)
    scales = rng.uniform(0.001, 0.01, 8 if per_channel else 1).astype(np.float32)
    graph = LiteGraph()
    x_shape, out_shape = ((3, 20), (3, 8)) if opcode == "FULLY_CONNECTED" \
        else ((2, 6, 6, 4), (2, 6, 6, 8))
    x = graph.tensor("x", x_shape, np.float32)
    out = graph.tensor("y", out_shape, np.float32)
    stored = graph.constant("w", weights)
    stored.quantization = Quantization(scales, np.zeros(len(scales)), 0)
    bias = graph.constant("b", rng.normal(size=8).astype(np.float32))
    graph.inputs, graph.outputs = [x], [out]
    graph.input_names, graph.output_names = ["x"], ["y"]
    options = ("FullyConnectedOptions", {"FusedActivationFunction": 1,
                                         "AsymmetricQuantizeInputs": asymmetric}) \
        if opcode == "FULLY_CONNECTED" else \
        ("Conv2DOptions", {"Padding": 0, "StrideW": 1, "StrideH": 1,
                           "FusedActivationFunction": 0})
    graph.add_op(opcode, [x, stored, bias], [out], options)
    inputs = [(rng.normal(size=x_shape) + 0.3).astype(np.float32)]
    return write_model(graph), inputs


@pytest.mark.parametrize("opcode, per_channel, asymmetric", [
    ("FULLY_CONNECTED", False, False), ("FULLY_CONNECTED", True, False),
    ("FULLY_CONNECTED", True, True), ("CONV_2D", False, False), ("CONV_2D", True, False)])
def test_hybrid_kernels_quantize_inputs_as_tflite_does(opcode, per_channel, asymmetric):
    """Dynamic-range kernels quantize the float input row by row (symmetric, or
    asymmetric when asked; per-channel convolutions always asymmetric) and accumulate
    in integers: the fallback follows that arithmetic, not the float product."""
    pytest.importorskip("ai_edge_litert")
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    content, inputs = _hybrid_file(opcode, per_channel, asymmetric)
    got = _fallback(content, inputs)[0]
    interpreter = Interpreter(
        model_content=content,
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    runner = interpreter.get_signature_runner()
    want = runner(x=inputs[0])["y"]
    np.testing.assert_allclose(got, want, rtol=TOLERANCE, atol=TOLERANCE)


def _scaled_one_at_a_time(x: int, mantissa: int, exponent: int) -> int:
    """TFLite's fixed-point scaling of one int32, step by step in Python integers: a
    left shift (saturated), the rounding doubling high multiply (a nudge of +-2**30,
    then division truncating toward zero), the rounding right shift (halves away)."""
    left, right = max(exponent, 0), max(-exponent, 0)
    x = min(max(x * 2 ** left, -2 ** 31), 2 ** 31 - 1)
    product = x * mantissa
    total = product + (2 ** 30 if product >= 0 else 1 - 2 ** 30)
    high = total // 2 ** 31 if total >= 0 else -((-total) // 2 ** 31)
    mask = 2 ** right - 1
    threshold = (mask >> 1) + (1 if high < 0 else 0)
    return (high >> right) + (1 if (high & mask) > threshold else 0)


def test_fixed_point_scaling_matches_its_definition():
    from fluxion.lite.interpreter.kernels import fixed_point

    rng = np.random.default_rng(4)
    x = np.concatenate([rng.integers(-2 ** 31, 2 ** 31, 300), rng.integers(-5000, 5000, 300),
                        [-2 ** 31, 2 ** 31 - 1, 0, -1, 1, -2048, 2048, -1024, 1536]])
    reals = np.concatenate([rng.uniform(1e-5, 4.0, x.size - 9), [0.5, 0.25, 0.125] * 3])
    mantissa, exponent = fixed_point.quantize_multiplier(reals)
    got = fixed_point.multiply_by_quantized_multiplier(x, mantissa, exponent)
    want = [_scaled_one_at_a_time(int(a), int(m), int(e))
            for a, m, e in zip(x, mantissa, exponent)]
    np.testing.assert_array_equal(got, want)
    # one multiplier for all (per tensor), including exact halves
    halves = np.arange(-64, 65)
    mantissa, exponent = fixed_point.quantize_multiplier(0.25)
    np.testing.assert_array_equal(
        fixed_point.multiply_by_quantized_multiplier(halves, mantissa, exponent),
        [_scaled_one_at_a_time(int(a), int(mantissa), int(exponent)) for a in halves])
    assert list(fixed_point.round_half_away(np.float32([0.5, -0.5, 1.5, 0.49999997]))) == \
        [1, -1, 2, 0]


def test_every_operator_the_converter_writes_has_a_kernel():
    """The builtin names in the converter's mappings and passes (a source scan: the
    mappings emit operators by name) all have kernels in the fallback."""
    import pathlib
    import re

    import tflite

    from fluxion.lite.interpreter.kernels.registry import kernel_table

    builtins = {name for name in vars(tflite.BuiltinOperator) if name.isupper()}
    root = pathlib.Path(tf.lite.__file__).parent
    sources = [*root.glob("mappings/*.py"), root / "quantize.py", root / "lowering.py"]
    written = {name for path in sources
               for name in re.findall(r'"([A-Z][A-Z0-9_]+)"', path.read_text())} & builtins
    assert len(written) > 60
    assert written <= set(kernel_table()), sorted(written - set(kernel_table()))


def test_scalar_constants_stay_scalars():
    from fluxion.lite.model_ir import LiteGraph

    graph = LiteGraph()
    assert graph.constant("limit", np.array(11, np.int32)).shape == ()
    assert graph.constant("scale", 0.5, np.float32).shape == ()
    assert graph.constant("row", [1, 2], np.int32).shape == (2,)
