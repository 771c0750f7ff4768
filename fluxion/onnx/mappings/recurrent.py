"""ONNX for the fused recurrent primitives: ``lstm_sequence`` as ONNX's LSTM and
``gru_sequence`` as ONNX's GRU, one node a layer.

- Gate orders: Keras's LSTM is i, f, c~, o, ONNX's i, o, f, c; the GRU's z, r, h is the
  same in both.  The weights are reordered and transposed here, at export time.
- ``reverse`` (Keras's ``go_backwards``): Fluxion returns the states in processing
  order, so the input is reversed along time (a Slice with step -1) and the ONNX node
  runs forward.
- ``gru_sequence`` takes the input already projected (``xw = x @ kernel + bias``, a
  matmul before it in the graph).  When that projection is the Keras layer's own
  (time-major input, reshaped, multiplied by a constant kernel, bias added, reshaped
  back) the ONNX GRU takes the kernel and bias as its input weights and the nodes of
  the projection fall away; otherwise it reads ``xw`` with an identity input weight.
- The cell states ``cs`` of every step are not an output of ONNX's LSTM, only the last
  one: ``cs`` exports when every reader takes its last step (``return_state``).  The
  gate histories only a gradient reads do not export.
- A mask (``mask_zero`` embeddings, ``Masking``) has no ONNX counterpart (ONNX's
  ``sequence_lens`` only cuts sequences at their end): a masked layer is unrolled step
  by step instead (``recurrent_unrolled``).
"""

from __future__ import annotations

import numpy as np

from fluxion.onnx.mappings import lowers
from fluxion.onnx.mappings.recurrent_unrolled import unrolled_gru, unrolled_lstm

_KERAS_TO_ONNX_LSTM = (0, 3, 1, 2)  # ONNX's i, o, f, c taken from Keras's i, f, c, o


def _known(ctx, node, positions) -> list[np.ndarray]:
    arrays = [ctx.array(node.inputs[p]) for p in positions]
    if any(a is None for a in arrays):
        raise ctx.unsupported("has weights computed at run time; the ONNX export stores "
                              "recurrent weights as constants")
    return [np.asarray(a, ctx.dtype()) for a in arrays]


def _time_major(ctx, value, batch_major: bool, reverse: bool) -> str:
    """The input as ``[steps, batch, features]``, reversed along time for ``reverse``."""
    x = ctx.name(value)
    if batch_major:
        x = ctx.transpose(x, [1, 0, 2])
    if reverse:
        end = np.iinfo(np.int64).max
        x = ctx.emit("Slice", [x, ctx.int64s([end], "starts"),
                               ctx.int64s([np.iinfo(np.int64).min], "ends"),
                               ctx.int64s([0], "axes"), ctx.int64s([-1], "steps")],
                     "reversed")
    return x


def _gates(matrix: np.ndarray, order, units: int) -> np.ndarray:
    """The gate blocks (columns of ``units``) of ``matrix``'s last axis in ``order``."""
    return np.concatenate([matrix[..., g * units:(g + 1) * units] for g in order], axis=-1)


def _only_last_step_read(ctx, value) -> bool:
    readers = ctx.readers(value)
    return bool(readers) and all(r.prim.name == "getitem" and tuple(r.attrs["key"]) == (-1,)
                                 for r in readers) and not ctx.is_returned(value)


def _initial_state(ctx, value) -> str:
    """``[1, batch, units]`` for the ONNX node, or "" (ONNX's zeros) for a zero state:
    Keras's default, traced as zeros broadcast to the batch read at run time."""
    array = ctx.array(value)
    producer = value.producer
    zeros = array is not None and not array.any()
    if producer is not None and producer.prim.name in ("broadcast_to_dynamic",
                                                      "broadcast_to", "fill_like"):
        filled = ctx.array(producer.inputs[0])
        zeros = producer.attrs.get("value") == 0 if producer.prim.name == "fill_like" \
            else filled is not None and not filled.any()
    if zeros:
        return ""
    return ctx.emit("Unsqueeze", [ctx.name(value), ctx.int64s([0], "direction")], "initial")


def _sequence(ctx, y: str) -> str:
    """ONNX's ``Y [steps, directions, batch, units]`` as ``[steps, batch, units]``."""
    return ctx.emit("Squeeze", [y, ctx.int64s([1], "direction")], "sequence")


@lowers("lstm_sequence")
def lower_lstm_sequence(ctx, node):
    kernel, recurrent, bias = _known(ctx, node, (3, 4, 5))
    if len(node.inputs) > 6:  # masked: step by step
        return (*unrolled_lstm(ctx, node, kernel, recurrent, bias), None)
    units = recurrent.shape[0]
    order = _KERAS_TO_ONNX_LSTM
    weights = ctx.constant(_gates(kernel, order, units).T[None], "W")
    recurrent_weights = ctx.constant(_gates(recurrent, order, units).T[None], "R")
    biases = ctx.constant(np.concatenate([_gates(bias, order, units),
                                          np.zeros_like(bias)])[None], "B")
    x = _time_major(ctx, node.inputs[0], True, node.attrs.get("reverse", False))
    h0, c0 = (_initial_state(ctx, v) for v in node.inputs[1:3])
    y, _, y_c = ctx.emit("LSTM", [x, weights, recurrent_weights, biases, "", h0, c0],
                         "lstm", outputs=3, hidden_size=int(units))
    cs = None  # every step's cell state: ONNX gives the last one only
    if _only_last_step_read(ctx, node.outputs[1]):
        cs = y_c  # [directions = 1, batch, units]: a one-step sequence of the last state
    return _sequence(ctx, y), cs, None


def _private_producer(ctx, value, *names):
    """The node computing ``value`` when it is one of ``names`` and only one node reads
    ``value`` (so the ONNX node may take over its work)."""
    node = value.producer
    if node is None or node.prim.name not in names or len(ctx.readers(value)) != 1 or \
            ctx.is_returned(value):
        return None
    return node


def _input_projection(ctx, xw):
    """(time-major input value, kernel, bias) when ``xw`` is
    ``reshape(reshape(x_time_major, [-1, F]) @ kernel + bias)``, else None."""
    reshaped = _private_producer(ctx, xw, "reshape_dynamic", "reshape")
    added = _private_producer(ctx, reshaped.inputs[0], "add") if reshaped else None
    product = _private_producer(ctx, added.inputs[0], "matmul") if added else None
    flat = _private_producer(ctx, product.inputs[0], "reshape") if product else None
    if flat is None:
        return None
    kernel, bias = ctx.array(product.inputs[1]), ctx.array(added.inputs[1])
    x = flat.inputs[0]
    if kernel is None or bias is None or kernel.ndim != 2 or bias.shape != \
            (kernel.shape[1],) or len(x.aval.shape) != 3 or xw.aval.shape[0] != \
            x.aval.shape[0]:
        return None
    return x, np.asarray(kernel, ctx.dtype()), np.asarray(bias, ctx.dtype())


@lowers("gru_sequence")
def lower_gru_sequence(ctx, node):
    recurrent, recurrent_bias = _known(ctx, node, (2, 3))
    if len(node.inputs) > 4:  # masked: step by step
        return unrolled_gru(ctx, node, recurrent, recurrent_bias), None, None
    units = recurrent.shape[0]
    width = 3 * units
    projection = _input_projection(ctx, node.inputs[0])
    if projection is None:
        x_value = node.inputs[0]
        kernel, bias = np.eye(width, dtype=ctx.dtype()), np.zeros(width, ctx.dtype())
    else:
        x_value, kernel, bias = projection
    weights = ctx.constant(kernel.T[None], "W")
    recurrent_weights = ctx.constant(recurrent.T[None], "R")
    biases = ctx.constant(np.concatenate([bias, recurrent_bias])[None], "B")
    x = _time_major(ctx, x_value, False, node.attrs.get("reverse", False))
    h0 = _initial_state(ctx, node.inputs[1])
    y, _ = ctx.emit("GRU", [x, weights, recurrent_weights, biases, "", h0], "gru",
                    outputs=2, hidden_size=int(units),
                    linear_before_reset=int(bool(node.attrs.get("reset_after", True))))
    return _sequence(ctx, y), None, None
