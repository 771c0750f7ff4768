"""TFLite for ``lstm_sequence``, unrolled over its (known) number of steps.

Each step is FULLY_CONNECTED of the step's input (with the bias) plus FULLY_CONNECTED
of the previous hidden state, SPLIT into Keras's gate order i, f, c~, o, LOGISTIC and
TANH on the gates, and the state update in MUL and ADD.  Unrolled, the model keeps a
dynamic batch, carries no state between invocations, and quantizes to int8 like any
other FULLY_CONNECTED model.  A zero initial state (Keras's default) costs nothing: the
first step skips the recurrent product and the forget-gate product.  With a mask
(``mask_zero`` embeddings, ``Masking``) each step keeps the previous states where the
step's mask is off (SELECT_V2), as the fused kernel does.
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

    def keep(self, mask, new, old, what: str):
        """``new`` where the step's ``mask`` [batch, 1] is set, else ``old`` (zeros for
        None, the zero initial state)."""
        if old is None:
            old = self.ctx.graph.shared_constant(
                ("zero_state", self.units), self, lambda: self.ctx.graph.constant(
                    self.ctx.hint("zero_state"), np.zeros((1, self.units), self.dtype)))
        out = self.tensor(what, self.units)
        self.ctx.emit("SELECT_V2", [mask, new, old], [out])
        return out

    def binary(self, opcode: str, a, b, what: str):
        out = self.tensor(what, a.shape[-1])
        options = ("AddOptions" if opcode == "ADD" else "MulOptions",
                   {"FusedActivationFunction": 0})
        self.ctx.emit(opcode, [a, b], [out], options)
        return out


def _step_masks(ctx, mask_value, steps: int, batch) -> list:
    """A ``[steps, batch]`` mask as one ``[batch, 1]`` tensor per input step."""
    mask = ctx.tensor(mask_value)
    rows = [ctx.graph.tensor(ctx.hint(f"mask{t}"), (batch,), np.bool_) for t in range(steps)]
    ctx.emit("UNPACK", [mask], rows, ("UnpackOptions", {"Num": steps, "Axis": 0}))
    shape = ctx.graph.constant(ctx.hint("mask_shape"), np.asarray([-1, 1], np.int32))
    columns = []
    for t, row in enumerate(rows):
        column = ctx.graph.tensor(ctx.hint(f"mask{t}/column"), (batch, 1), np.bool_)
        ctx.emit("RESHAPE", [row, shape], [column])
        columns.append(column)
    return columns


@lowers("lstm_sequence")
def lower_lstm_sequence(ctx, node):
    x_value, h0_value, c0_value, kernel_value, recurrent_value, bias_value = node.inputs[:6]
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
    masks = _step_masks(ctx, node.inputs[6], steps, batch) if len(node.inputs) > 6 else None
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
        h_new = emit.binary("MUL", o, emit.unary("TANH", c_new, "cell_tanh"), "hidden")
        if masks is not None:  # a masked step carries both states over
            c_new = emit.keep(masks[t], c_new, c, "cell_kept")
            h_new = emit.keep(masks[t], h_new, h, "hidden_kept")
        c, h = c_new, h_new
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


@lowers("gru_sequence")
def lower_gru_sequence(ctx, node):
    """The GRU unrolled: the input projection ``xw`` arrives computed for all steps; each
    step adds the recurrent product, splits z, r, h~ and mixes ``h~ + z (h - h~)``."""
    xw_value, h0_value, recurrent_value, bias_value = node.inputs[:4]
    recurrent, bias = ctx.array(recurrent_value), ctx.array(bias_value)
    if recurrent is None or bias is None:
        raise ctx.unsupported("has weights computed at run time; TFLite needs them known")
    reset_after = node.attrs.get("reset_after", True)
    xw = ctx.tensor(xw_value)
    steps, batch = xw.shape[0], xw.shape[1]
    if steps is None:
        raise ctx.unsupported("runs over an unknown number of steps; give the Input a "
                              "fixed sequence length to export it unrolled")
    units = recurrent.shape[0]
    emit = _Emitter(ctx, batch, units, xw.dtype)
    step_inputs = [ctx.graph.tensor(ctx.hint(f"projected{t}"), (batch, 3 * units), xw.dtype)
                   for t in range(steps)]
    ctx.emit("UNPACK", [xw], step_inputs, ("UnpackOptions", {"Num": steps, "Axis": 0}))
    h = None if _is_zeros(ctx, h0_value) else ctx.tensor(h0_value)
    masks = _step_masks(ctx, node.inputs[4], steps, batch) if len(node.inputs) > 4 else None
    split_axis = ctx.graph.constant(ctx.hint("split_axis"), np.int32(1))
    # z and r read the first 2U columns of the recurrent product; without reset_after
    # the candidate's product reads (r * h) and the last U columns
    gate_kernel = recurrent if reset_after else recurrent[:, :2 * units]
    gate_bias = bias if reset_after else bias[:2 * units]
    width = gate_kernel.shape[1]
    hs, gates, hrecs = [], [], []
    for k in range(steps):
        emit.step = k
        x = step_inputs[steps - 1 - k if node.attrs.get("reverse") else k]
        xz, xr, xh = (emit.tensor(name, units) for name in ("x_z", "x_r", "x_h"))
        ctx.emit("SPLIT", [split_axis, x], [xz, xr, xh], ("SplitOptions", {"NumSplits": 3}))
        if h is None:  # the product of a zero state is the bias alone
            rec = ctx.graph.shared_constant(("gru_bias", id(gate_bias)), gate_bias,
                                            lambda: ctx.graph.constant(
                                                ctx.hint("recurrent_bias"),
                                                np.asarray(gate_bias, np.float32)[None]))
        else:
            rec = emit.tensor("recurrent", width)
            fully_connected(ctx, h, gate_kernel, gate_bias, rec, ctx.hint(f"step{k}/rec"))
        pieces = [emit.tensor(name, units) for name in ("rec_z", "rec_r", "rec_h")[
            :width // units]]
        rec_pieces = pieces
        if h is None:
            rec_pieces = [ctx.graph.constant(ctx.hint(f"rec_{i}"), np.asarray(
                gate_bias, np.float32)[None, i * units:(i + 1) * units])
                for i in range(width // units)]
        else:
            ctx.emit("SPLIT", [split_axis, rec], pieces,
                     ("SplitOptions", {"NumSplits": width // units}))
        z = emit.unary("LOGISTIC", emit.binary("ADD", xz, rec_pieces[0], "z_linear"), "z")
        r = emit.unary("LOGISTIC", emit.binary("ADD", xr, rec_pieces[1], "r_linear"), "r")
        if reset_after:
            hrec = rec_pieces[2]
            candidate_linear = emit.binary("ADD", xh, emit.binary("MUL", r, hrec, "r_rec"),
                                           "h_linear")
        else:
            candidate_bias = bias[2 * units:]
            if h is None:
                hrec = ctx.graph.constant(ctx.hint("rec_h"),
                                          np.asarray(candidate_bias, np.float32)[None])
            else:
                hrec = emit.tensor("rec_h", units)
                fully_connected(ctx, emit.binary("MUL", r, h, "r_times_h"),
                                recurrent[:, 2 * units:], candidate_bias, hrec,
                                ctx.hint(f"step{k}/candidate"))
            candidate_linear = emit.binary("ADD", xh, hrec, "h_linear")
        candidate = emit.unary("TANH", candidate_linear, "candidate")
        if h is None:
            delta = emit.unary("NEG", candidate, "minus_candidate")
        else:
            delta = emit.tensor("h_minus_candidate", units)
            ctx.emit("SUB", [h, candidate], [delta], ("SubOptions",
                                                      {"FusedActivationFunction": 0}))
        h_new = emit.binary("ADD", candidate, emit.binary("MUL", z, delta, "z_delta"),
                            "hidden")
        if masks is not None:  # a masked step carries the state over
            h_new = emit.keep(masks[steps - 1 - k if node.attrs.get("reverse") else k],
                              h_new, h, "hidden_kept")
        h = h_new
        step_gates = emit.tensor("gates", 3 * units)
        ctx.emit("CONCATENATION", [z, r, candidate], [step_gates], ("ConcatenationOptions", {
            "Axis": 1, "FusedActivationFunction": 0}))
        hs.append(h), gates.append(step_gates), hrecs.append(hrec)
    outputs = []
    for position, sequence in enumerate((hs, gates, hrecs)):
        out = ctx.output(position)
        ctx.emit("PACK", sequence, [out], ("PackOptions", {"ValuesCount": steps, "Axis": 0}))
        outputs.append(out)
    return tuple(outputs)
