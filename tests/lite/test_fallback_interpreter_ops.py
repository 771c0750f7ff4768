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
