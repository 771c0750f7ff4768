"""Masked ``lstm_sequence`` and ``gru_sequence`` unrolled into ONNX nodes, step by step.

ONNX's LSTM and GRU take no per-step mask (``sequence_lens`` only cuts sequences at
their end), while a ``mask_zero`` embedding or a ``Masking`` layer may switch any step
off.  With the number of steps known when traced, each step is written out: the
gates from the step's slice of the input projection and the previous hidden state
(MatMul, Split, Sigmoid, Tanh), the state update, and ``Where(mask_t, new, previous)``
carrying both states over a masked step, as Fluxion's fused kernels do.  States come
back in processing order (``reverse`` reads the steps from the end).
"""

from __future__ import annotations

import numpy as np


class _Steps:
    """Emits one step's nodes with names that say which step they belong to."""

    def __init__(self, ctx, units: int):
        self.ctx, self.units = ctx, units
        self.step = 0

    def node(self, op_type: str, inputs, suffix: str, **attributes):
        return self.ctx.emit(op_type, inputs, f"step{self.step}/{suffix}", **attributes)

    def split(self, x: str, pieces: int, suffix: str) -> list[str]:
        sizes = self.ctx.int64s([self.units] * pieces, "gate_sizes")
        return self.ctx.emit("Split", [x, sizes], f"step{self.step}/{suffix}",
                             outputs=pieces, axis=1)

    def take(self, sequence: str, index: int, axis: int, suffix: str) -> str:
        """Step ``index`` of ``sequence`` along ``axis``, that axis dropped."""
        position = self.ctx.constant(np.asarray(index, np.int64), f"step{index}")
        return self.node("Gather", [sequence, position], suffix, axis=axis)

    def keep(self, mask_t: str, new: str, previous: str, suffix: str) -> str:
        return self.node("Where", [mask_t, new, previous], suffix)


def _stacked(ctx, states: list[str], suffix: str) -> str:
    """``[steps, batch, units]`` from one ``[batch, units]`` state a step."""
    axis = ctx.int64s([0], "steps_axis")
    return ctx.emit("Concat", [ctx.emit("Unsqueeze", [s, axis], suffix) for s in states],
                    suffix, axis=0)


def _mask_steps(ctx, emit: _Steps, mask_value, steps: int) -> list[str]:
    """``[batch, 1]`` booleans of each input step (the mask is ``[steps, batch]``)."""
    mask = ctx.name(mask_value, np.bool_)
    masks = []
    for t in range(steps):
        emit.step = t
        masks.append(emit.node("Unsqueeze", [emit.take(mask, t, 0, "mask"),
                                             ctx.int64s([1], "column")], "mask_column"))
    return masks


def unrolled_lstm(ctx, node, kernel, recurrent, bias) -> tuple:
    """hs, cs (``[steps, batch, units]``) of a masked ``lstm_sequence``."""
    x_value, h0_value, c0_value, _, _, _, mask_value = node.inputs[:7]
    steps = x_value.aval.shape[1]
    if steps is None:
        raise ctx.unsupported("is masked over a number of steps unknown when traced; "
                              "give the sequence length in keras.Input")
    units = recurrent.shape[0]
    emit = _Steps(ctx, units)
    projected = ctx.emit("Add", [ctx.emit("MatMul", [ctx.name(x_value),
                                                     ctx.constant(kernel, "kernel")]),
                                 ctx.constant(bias, "bias")], "input_projection")
    recurrent_name = ctx.constant(recurrent, "recurrent_kernel")
    masks = _mask_steps(ctx, emit, mask_value, steps)
    h, c = ctx.name(h0_value), ctx.name(c0_value)
    hs, cs = [], []
    for k in range(steps):
        t = steps - 1 - k if node.attrs.get("reverse") else k
        emit.step = k
        z = emit.node("Add", [emit.take(projected, t, 1, "x"),
                              emit.node("MatMul", [h, recurrent_name], "recurrent")], "z")
        i, f, g, o = emit.split(z, 4, "gates")
        i, f, o = (emit.node("Sigmoid", [v], name) for v, name in ((i, "i"), (f, "f"),
                                                                   (o, "o")))
        g = emit.node("Tanh", [g], "candidate")
        c_new = emit.node("Add", [emit.node("Mul", [f, c], "kept"),
                                  emit.node("Mul", [i, g], "written")], "cell")
        h_new = emit.node("Mul", [o, emit.node("Tanh", [c_new], "cell_tanh")], "hidden")
        h = emit.keep(masks[t], h_new, h, "hidden_kept")
        c = emit.keep(masks[t], c_new, c, "cell_kept")
        hs.append(h), cs.append(c)
    return _stacked(ctx, hs, "hidden_states"), _stacked(ctx, cs, "cell_states")


def unrolled_gru(ctx, node, recurrent, recurrent_bias) -> str:
    """hs (``[steps, batch, units]``) of a masked ``gru_sequence``."""
    xw_value, h0_value, _, _, mask_value = node.inputs[:5]
    steps = xw_value.aval.shape[0]
    if steps is None:
        raise ctx.unsupported("is masked over a number of steps unknown when traced; "
                              "give the sequence length in keras.Input")
    units = recurrent.shape[0]
    reset_after = bool(node.attrs.get("reset_after", True))
    emit = _Steps(ctx, units)
    xw = ctx.name(xw_value)
    # the product with the previous state: all three gates after the reset, or z and r
    # alone before it (the candidate's product then reads r * h)
    width = 3 * units if reset_after else 2 * units
    gate_kernel = ctx.constant(recurrent[:, :width], "recurrent_kernel")
    gate_bias = ctx.constant(recurrent_bias[:width], "recurrent_bias")
    if not reset_after:
        candidate_kernel = ctx.constant(recurrent[:, width:], "candidate_kernel")
        candidate_bias = ctx.constant(recurrent_bias[width:], "candidate_bias")
    one = ctx.constant(np.asarray(1, recurrent.dtype), "one")
    masks = _mask_steps(ctx, emit, mask_value, steps)
    h = ctx.name(h0_value)
    hs = []
    for k in range(steps):
        t = steps - 1 - k if node.attrs.get("reverse") else k
        emit.step = k
        xz, xr, xh = emit.split(emit.take(xw, t, 0, "x"), 3, "x_gates")
        rec = emit.node("Add", [emit.node("MatMul", [h, gate_kernel], "recurrent"),
                                gate_bias], "recurrent_biased")
        rz, rr, *rh = emit.split(rec, 3 if reset_after else 2, "recurrent_gates")
        z = emit.node("Sigmoid", [emit.node("Add", [xz, rz], "z_linear")], "z")
        r = emit.node("Sigmoid", [emit.node("Add", [xr, rr], "r_linear")], "r")
        if reset_after:
            reset = emit.node("Mul", [r, rh[0]], "reset")
        else:
            reset = emit.node("Add", [emit.node("MatMul", [emit.node(
                "Mul", [r, h], "reset_state"), candidate_kernel], "candidate_product"),
                candidate_bias], "reset")
        candidate = emit.node("Tanh", [emit.node("Add", [xh, reset], "h_linear")],
                              "candidate")
        h_new = emit.node("Add", [emit.node("Mul", [z, h], "kept"), emit.node(
            "Mul", [emit.node("Sub", [one, z], "one_minus_z"), candidate], "written")],
            "hidden")
        h = emit.keep(masks[t], h_new, h, "hidden_kept")
        hs.append(h)
    return _stacked(ctx, hs, "hidden_states")
