"""UNIDIRECTIONAL_SEQUENCE_LSTM, the fused LSTM TensorFlow's converter writes for
Keras 2's LSTM layer (Keras 3's layers convert to a WHILE loop instead).

Inputs, by position: 0 the sequence; 1-4 input weights and 5-8 recurrent weights of
the input, forget, cell and output gates (``[units, in]``; the input gate's absent in a
coupled-input-forget-gate LSTM); 9-11 peephole weights; 12-15 gate biases; 16-17 the
projection; 18-19 the output and cell states (variable tensors, updated in place);
20-23 layer-norm coefficients.  Int8 weights of a dynamic-range file are dequantized
(TFLite's hybrid kernel quantizes the activations too: results agree to about 1e-2).
"""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.fixed_point import dequantize
from fluxion.lite.interpreter.kernels.fused_activation import apply_float
from fluxion.lite.interpreter.kernels.registry import kernel


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _layer_norm(x, scale):
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + 1e-8) * scale


@kernel("UNIDIRECTIONAL_SEQUENCE_LSTM")
def unidirectional_sequence_lstm(call):
    def weights(position):
        array = call.inputs[position] if position < len(call.inputs) else None
        if array is not None and array.dtype.kind in "iu":
            array = dequantize(array, call.input_infos[position])
        return None if array is None else array.astype(np.float32)

    x = call.inputs[0]
    time_major = bool(call.option("TimeMajor", False))
    steps = x if time_major else np.swapaxes(x, 0, 1)  # [time, batch, features]
    input_w = [weights(p) for p in (1, 2, 3, 4)]
    recurrent_w = [weights(p) for p in (5, 6, 7, 8)]
    peephole = [weights(p) for p in (9, 10, 11)]
    bias = [weights(p) for p in (12, 13, 14, 15)]
    projection, projection_bias = weights(16), weights(17)
    norms = [weights(p) for p in (20, 21, 22, 23)]
    activation = call.option("FusedActivationFunction", 4)
    cell_clip, projection_clip = call.option("CellClip", 0.0), call.option("ProjClip", 0.0)
    h, c = call.inputs[18].astype(np.float32), call.inputs[19].astype(np.float32)

    def gate(k, x_t, h, peephole_term=None):
        z = x_t @ input_w[k].T + h @ recurrent_w[k].T
        if peephole_term is not None:
            z = z + peephole_term
        if norms[k] is not None:
            z = _layer_norm(z, norms[k])
        return z + bias[k] if bias[k] is not None else z

    outputs = []
    for x_t in steps:
        forget = _sigmoid(gate(1, x_t, h, None if peephole[1] is None else peephole[1] * c))
        if input_w[0] is None:  # coupled input and forget gates
            input_gate = 1 - forget
        else:
            input_gate = _sigmoid(gate(0, x_t, h, None if peephole[0] is None
                                       else peephole[0] * c))
        c = forget * c + input_gate * apply_float(gate(2, x_t, h), activation)
        if cell_clip > 0:
            c = np.clip(c, -cell_clip, cell_clip)
        output_gate = _sigmoid(gate(3, x_t, h, None if peephole[2] is None
                                    else peephole[2] * c))
        h = output_gate * apply_float(c, activation)
        if projection is not None:
            h = h @ projection.T + (projection_bias if projection_bias is not None else 0)
            if projection_clip > 0:
                h = np.clip(h, -projection_clip, projection_clip)
        outputs.append(h)
    call.assign(18, h.astype(np.float32))
    call.assign(19, c.astype(np.float32))
    result = np.stack(outputs)
    return (result if time_major else np.swapaxes(result, 0, 1)).astype(np.float32)
