"""TFLite for ``lstm_sequence``, unrolled over its (known) number of steps.

Each step is FULLY_CONNECTED of the step's input (with the bias) plus FULLY_CONNECTED
of the previous hidden state, SPLIT into Keras's gate order i, f, c~, o, LOGISTIC and
TANH on the gates, and the state update in MUL and ADD.  Unrolled, the model keeps a
dynamic batch, carries no state between invocations, and quantizes to int8 like any
other FULLY_CONNECTED model.  A zero initial state (Keras's default) costs nothing: the
first step skips the recurrent product and the forget-gate product.
"""

from __future__ import annotations

import numpy as np

from fluxion.lite.mappings import lowers
from fluxion.lite.mappings.dense import fully_connected


def _is_zeros(ctx, value) -> bool:
    array = ctx.array(value)
    if array is not None:
        return not np.any(array)
    node = value.producer
    if node is not None and node.prim.name in ("broadcast_to_dynamic", "broadcast_to"):
        filler = ctx.array(node.inputs[0])
        return filler is not None and not np.any(filler)
    return False


class _Emitter:
    """Emits one step's operators with names ``<layer>/step<k>/<what>``."""

    def __init__(self, ctx, batch, units: int, dtype):
        self.ctx, self.batch, self.units, self.dtype = ctx, batch, units, dtype
        self.step = 0

    def tensor(self, what: str, width: int):
        return self.ctx.graph.tensor(self.ctx.hint(f"step{self.step}/{what}"),
                                     (self.batch, width), self.dtype)

    def unary(self, opcode: str, x, what: str):
        out = self.tensor(what, x.shape[-1])
        self.ctx.emit(opcode, [x], [out])
        return out

    def binary(self, opcode: str, a, b, what: str):
        out = self.tensor(what, a.shape[-1])
        options = ("AddOptions" if opcode == "ADD" else "MulOptions",
                   {"FusedActivationFunction": 0})
        self.ctx.emit(opcode, [a, b], [out], options)
        return out


@lowers("lstm_sequence")
def lower_lstm_sequence(ctx, node):
    x_value, h0_value, c0_value, kernel_value, recurrent_value, bias_value = node.inputs[:6]
    if len(node.inputs) > 6:
        raise ctx.unsupported("has a mask (Masking or mask_zero before the LSTM); the "
                              "TFLite export runs unmasked sequences")
    kernel, recurrent, bias = (ctx.array(v) for v in (kernel_value, recurrent_value,
                                                      bias_value))
    if kernel is None or recurrent is None or bias is None:
        raise ctx.unsupported("has weights computed at run time; TFLite needs them known")
    x = ctx.tensor(x_value)
    batch, steps = x.shape[0], x.shape[1]
    if steps is None:
        raise ctx.unsupported("runs over an unknown number of steps; give the Input a "
                              "fixed sequence length to export it unrolled")
    units = recurrent.shape[0]
    emit = _Emitter(ctx, batch, units, x.dtype)
    step_inputs = [ctx.graph.tensor(ctx.hint(f"input{t}"), (batch, x.shape[2]), x.dtype)
                   for t in range(steps)]
    ctx.emit("UNPACK", [x], step_inputs, ("UnpackOptions", {"Num": steps, "Axis": 1}))
    h = None if _is_zeros(ctx, h0_value) else ctx.tensor(h0_value)
    c = None if _is_zeros(ctx, c0_value) else ctx.tensor(c0_value)
    split_axis = ctx.graph.constant(ctx.hint("split_axis"), np.int32(1))
    hs, cs, gates = [], [], []
    for k in range(steps):
        emit.step = k
        t = steps - 1 - k if node.attrs.get("reverse") else k
        z = emit.tensor("input_projection", 4 * units)
        fully_connected(ctx, step_inputs[t], kernel, bias, z, ctx.hint(f"step{k}/input"))
        if h is not None:
            recurrent_z = emit.tensor("recurrent_projection", 4 * units)
            fully_connected(ctx, h, recurrent, None, recurrent_z, ctx.hint(f"step{k}/rec"))
            z = emit.binary("ADD", z, recurrent_z, "gates_linear")
        pieces = [emit.tensor(name, units) for name in ("i_linear", "f_linear", "g_linear",
                                                        "o_linear")]
        ctx.emit("SPLIT", [split_axis, z], pieces, ("SplitOptions", {"NumSplits": 4}))
        i = emit.unary("LOGISTIC", pieces[0], "input_gate")
        f = emit.unary("LOGISTIC", pieces[1], "forget_gate")
        g = emit.unary("TANH", pieces[2], "candidate")
        o = emit.unary("LOGISTIC", pieces[3], "output_gate")
        c_new = emit.binary("MUL", i, g, "input_times_candidate")
        if c is not None:
            c_new = emit.binary("ADD", emit.binary("MUL", f, c, "forget_times_cell"), c_new,
                                "cell")
        c = c_new
        h = emit.binary("MUL", o, emit.unary("TANH", c, "cell_tanh"), "hidden")
        step_gates = emit.tensor("gates", 4 * units)
        ctx.emit("CONCATENATION", [i, f, g, o], [step_gates], ("ConcatenationOptions", {
            "Axis": 1, "FusedActivationFunction": 0}))
        hs.append(h), cs.append(c), gates.append(step_gates)
    outputs = []
    for position, sequence in enumerate((hs, cs, gates)):
        out = ctx.output(position)
        ctx.emit("PACK", sequence, [out], ("PackOptions", {"ValuesCount": steps, "Axis": 0}))
        outputs.append(out)
    return tuple(outputs)
