"""ONNX for the recurrent layers SimpleRNN, LSTM and GRU, as ONNX's RNN/LSTM/GRU ops, and
for the wrappers Bidirectional and TimeDistributed.

Keras runs batch-major ``[batch, steps, features]``; the ONNX ops are time-major, so the
sequence is transposed in and out.  Weights are regrouped: ONNX keeps gates as rows
(``[1, gates * units, features]``), LSTM's gates in the order i, o, f, c (Keras: i, f, c,
o); GRU's z, r, h are the same in both, and Keras's ``reset_after=True`` is ONNX's
``linear_before_reset=1``.  ``go_backwards`` reverses the steps before the op, as Keras
does, and its output sequence stays in that reversed order.
"""

from __future__ import annotations

import numpy as np

from fluxion.keras.layers.rnn.bidirectional import Bidirectional
from fluxion.keras.layers.rnn.gru import GRU
from fluxion.keras.layers.rnn.lstm import LSTM
from fluxion.keras.layers.rnn.simple_rnn import SimpleRNN
from fluxion.keras.layers.rnn.time_distributed import TimeDistributed
from fluxion.onnx.convert_activations import activation_name
from fluxion.onnx.errors import UnsupportedLayerError
from fluxion.onnx.registry import converter_for, converts

_ONNX_ACTIVATIONS = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu"}


def _activation(layer, function) -> str:
    name = activation_name(function)
    if name not in _ONNX_ACTIVATIONS:
        raise UnsupportedLayerError(layer, f"its activation {name or function!r} is not one "
                                           f"ONNX's recurrent ops take; use one of "
                                           f"{sorted(_ONNX_ACTIVATIONS)}")
    return _ONNX_ACTIVATIONS[name]


def _rows(matrix, gate_order, units: int) -> np.ndarray:
    """``[features, gates * units]`` Keras columns as ``[1, gates * units, features]``."""
    matrix = np.asarray(matrix.numpy() if hasattr(matrix, "numpy") else matrix, np.float32)
    blocks = [matrix[:, g * units:(g + 1) * units] for g in gate_order]
    return np.concatenate(blocks, axis=1).T[None]


def _gates(vector, gate_order, units: int) -> np.ndarray:
    vector = np.asarray(vector, np.float32)
    return np.concatenate([vector[g * units:(g + 1) * units] for g in gate_order])


def _reversed_steps(graph, x: str, hint: str) -> str:
    """``x[:, ::-1]``: a Slice with step -1 reverses the steps, whatever their number."""
    return graph.node("Slice", [x, graph.int64s([-1], f"{hint}/start"),
                                graph.int64s([np.iinfo(np.int64).min], f"{hint}/end"),
                                graph.int64s([1], f"{hint}/axis"),
                                graph.int64s([-1], f"{hint}/step")], hint)


def _recurrent_nodes(graph, layer, inputs, op_type: str, gate_order, input_bias,
                     recurrent_bias, activations: list[str], **attributes):
    cell, units, hint = layer.cell, layer.cell.units, layer.name
    if layer.stateful:
        raise UnsupportedLayerError(layer, "stateful=True keeps state between calls, which an "
                                           "ONNX graph cannot; export a stateless copy")
    x = _reversed_steps(graph, inputs[0], hint) if layer.go_backwards else inputs[0]
    x = graph.transpose(x, [1, 0, 2], hint)
    weights = [graph.constant(_rows(cell.kernel, gate_order, units), f"{hint}/W"),
               graph.constant(_rows(cell.recurrent_kernel, gate_order, units), f"{hint}/R")]
    bias = np.concatenate([_gates(input_bias, gate_order, units),
                           _gates(recurrent_bias, gate_order, units)])[None]
    node_inputs = [x] + weights + [graph.constant(bias, f"{hint}/B"), ""]
    zero = graph.int64s([0], f"{hint}/axis0")
    for state in inputs[1:]:  # initial states given in the call: [batch, units] each
        node_inputs.append(graph.node("Unsqueeze", [state, zero], hint))
    outputs = [graph.fresh(f"{hint}/Y"), graph.fresh(f"{hint}/Y_h")]
    if op_type == "LSTM":
        outputs.append(graph.fresh(f"{hint}/Y_c"))
    graph.node(op_type, node_inputs, hint, outputs=outputs, hidden_size=units,
               activations=activations, **attributes)
    if layer.return_sequences:  # [steps, 1, batch, units] -> [batch, steps, units]
        sequence = graph.node("Squeeze", [outputs[0], graph.int64s([1], f"{hint}/axis1")],
                              hint)
        result = [graph.transpose(sequence, [1, 0, 2], hint)]
    else:
        result = [graph.node("Squeeze", [outputs[1], zero], hint)]
    if layer.return_state:
        result += [graph.node("Squeeze", [state, zero], hint) for state in outputs[1:]]
    return result


def _bias(cell, width: int):
    if not cell.use_bias:
        return np.zeros(width, np.float32)
    return np.asarray(cell.bias.numpy(), np.float32)


@converts(SimpleRNN)
def convert_simple_rnn(graph, layer, inputs, shapes):
    cell = layer.cell
    return _recurrent_nodes(graph, layer, inputs, "RNN", [0], _bias(cell, cell.units),
                            np.zeros(cell.units, np.float32),
                            [_activation(layer, cell.activation)])


@converts(LSTM)
def convert_lstm(graph, layer, inputs, shapes):
    cell = layer.cell
    recurrent, activation = (_activation(layer, cell.recurrent_activation),
                             _activation(layer, cell.activation))
    return _recurrent_nodes(graph, layer, inputs, "LSTM", [0, 3, 1, 2],
                            _bias(cell, 4 * cell.units), np.zeros(4 * cell.units, np.float32),
                            [recurrent, activation, activation])


@converts(GRU)
def convert_gru(graph, layer, inputs, shapes):
    cell = layer.cell
    width = 3 * cell.units
    bias = _bias(cell, 2 * width if cell.reset_after else width).reshape(-1)
    input_bias, recurrent_bias = (bias[:width], bias[width:]) if cell.reset_after else \
        (bias, np.zeros(width, np.float32))
    return _recurrent_nodes(graph, layer, inputs, "GRU", [0, 1, 2], input_bias,
                            recurrent_bias, [_activation(layer, cell.recurrent_activation),
                                             _activation(layer, cell.activation)],
                            linear_before_reset=int(cell.reset_after))


@converts(Bidirectional)
def convert_bidirectional(graph, layer, inputs, shapes):
    """The forward and backward layers converted on the same sequence, the backward
    sequence put back in input order, then merged as ``merge_mode`` says."""
    half = (len(inputs) - 1) // 2
    results = []
    for inner, states in ((layer.forward_layer, inputs[1:1 + half]),
                          (layer.backward_layer, inputs[1 + half:])):
        converter = converter_for(inner)
        if converter is None:
            raise UnsupportedLayerError(inner)
        results.append(converter(graph, inner, [inputs[0], *states], shapes[:1]))
    (y, *forward_states), (y_rev, *backward_states) = results
    hint = layer.name
    if layer.return_sequences:
        y_rev = _reversed_steps(graph, y_rev, hint)
    mode = layer.merge_mode
    if mode == "concat":
        outputs = [graph.node("Concat", [y, y_rev], hint, axis=-1)]
    elif mode in ("sum", "mul"):
        outputs = [graph.node("Add" if mode == "sum" else "Mul", [y, y_rev], hint)]
    elif mode == "ave":
        total = graph.node("Add", [y, y_rev], hint)
        outputs = [graph.node("Div", [total, graph.constant(np.float32(2), f"{hint}/two")],
                              hint)]
    elif mode is None:
        outputs = [y, y_rev]
    else:
        raise UnsupportedLayerError(layer, f"merge_mode {mode!r} is not one of 'concat', "
                                           f"'sum', 'ave', 'mul', None")
    return outputs + (forward_states + backward_states if layer.return_state else [])


@converts(TimeDistributed)
def convert_time_distributed(graph, layer, inputs, shapes):
    """The wrapped layer on ``[batch * steps, ...]``, then the steps split off again; the
    batch and step counts are read from the input at run time, so both stay dynamic."""
    inner = layer.layer
    converter = converter_for(inner)
    if converter is None:
        raise UnsupportedLayerError(inner)
    x, hint, shape = inputs[0], layer.name, shapes[0]
    per_step = list(shape[2:])
    if None in per_step:
        raise UnsupportedLayerError(layer, f"its input shape {shape} has unknown dimensions "
                                           f"after the steps; give them in keras.Input")
    merged = graph.node("Reshape", [x, graph.int64s([-1] + per_step, f"{hint}/merged")], hint)
    out = converter(graph, inner, [merged], [(None, *per_step)])
    out = out[0] if isinstance(out, (list, tuple)) else out
    out_per_step = [int(d) for d in inner.compute_output_shape((None, *per_step))[1:]]
    batch_and_steps = graph.node("Slice", [graph.node("Shape", [x], hint),
                                           graph.int64s([0], f"{hint}/zero"),
                                           graph.int64s([2], f"{hint}/two")], hint)
    target = graph.node("Concat", [batch_and_steps, graph.int64s(out_per_step,
                                                                 f"{hint}/per_step")],
                        hint, axis=0)
    return graph.node("Reshape", [out, target], hint)
