"""The fused LSTM primitive: a whole sequence, forward and backward, each one kernel.

``lstm_sequence(x [B, T, F], h0 [B, U], c0 [B, U], kernel [F, 4U], recurrent_kernel
[U, 4U], bias [4U], mask [T, B]?)`` -> ``hs, cs [T, B, U]`` (hidden and cell state after
each step, in processing order) and ``gates [T, B, 4U]`` (the activated gates i, f, c~,
o: Keras's order).  With ``reverse=True`` step ``k`` reads input step ``T - 1 - k``
(Keras's ``go_backwards``); a step whose ``mask`` is False carries both states over.

Each step is ONE matrix product: the step's input, a constant 1 and the previous hidden
state are stacked as the rows of one ``[F + 1 + U, B]`` block, multiplied by the stacked
weights ``[kernel; bias; recurrent_kernel]``.  That costs a little more per step than
the recurrent product alone, and saves the separate input projection of every step,
its bias add and its gradient products.  The backward kernel accumulates the gradient
of the stacked weights the same way, one product per step, and computes the inputs'
gradient (one more product over all steps) only when ``input_gradient`` is set: the
graph optimiser clears it when nothing reads that gradient (the first layer of a model).

Memory layout: per step the gates are a ``[4U, B]`` block and the states ``[U, B]``
blocks, so every per-step ufunc runs over contiguous memory; the outputs are
``[T, B, N]`` views of ``[T, N, B]`` buffers, which the backward kernel reads back
without copies.

Cotangents: ``lstm_sequence`` takes only the cotangents that exist (``seeded`` says
which of hs, cs, gates have one): a training step seeds ``hs`` alone, and neither fills
nor scans zero arrays for the others.  Second-order gradients differentiate the unrolled
composite ``lstm_reference`` twice; that needs a known number of steps.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, bind, declare_rewrite, define
from fluxion.core.primitives.elementwise import tanh, zeros_like
from fluxion.core.primitives.graph_readers import readers
from fluxion.core.primitives.linalg import matmul
from fluxion.core.primitives.recurrent import (
    _carry,
    _check_rank,
    _dim,
    _in_order,
    _nonzero,
    _same_dtypes,
    _second_order,
    _sequence_dims,
    _sigmoid,
    _steps,
    _time_major_t,
)
from fluxion.core.primitives.shape import concat, stack
from fluxion.core.tensor import Tensor, convert_to_tensor

ALL_SEEDED = (True, True, True)


# --- shape rules -------------------------------------------------------------------------------
def _lstm_dims(x: Aval, h0: Aval, c0: Aval, kernel: Aval, recurrent_kernel: Aval, bias: Aval,
               mask: Aval | None) -> tuple:
    """Checks the inputs; returns (T, B, U, dtype)."""
    _check_rank("x", x, 3, "[batch, time, features]")
    _check_rank("the input kernel", kernel, 2, "[features, 4 * units]")
    _check_rank("the bias", bias, 1, "[4 * units]")
    time_major = Aval((x.shape[1], x.shape[0], recurrent_kernel.shape[1]), x.dtype)
    steps, batch, units, dtype = _sequence_dims(4, time_major, [h0, c0], recurrent_kernel,
                                                mask)
    for aval in (kernel, bias):
        if aval.dtype is not dtype:
            raise TypeError(f"expected inputs of one dtype, got {dtype.name} and "
                            f"{aval.dtype.name}")
    _dim("features", x.shape[2], kernel.shape[0])
    _dim("gate width (4 * units)", kernel.shape[1], bias.shape[0], recurrent_kernel.shape[1])
    return steps, batch, units, dtype


def _lstm_rule(x, h0, c0, kernel, recurrent_kernel, bias, mask=None, reverse=False):
    steps, batch, units, dtype = _lstm_dims(x, h0, c0, kernel, recurrent_kernel, bias, mask)
    state = Aval((steps, batch, units), dtype)
    return state, state, Aval((steps, batch, None if units is None else 4 * units), dtype)


def _split_seeds(rest: tuple, seeded: tuple) -> tuple:
    """``(ghs, gcs, ggates, mask)`` from the grad primitive's variable inputs."""
    seeds = list(rest[:sum(seeded)])
    found = tuple(seeds.pop(0) if present else None for present in seeded)
    mask = rest[sum(seeded)] if len(rest) > sum(seeded) else None
    return found + (mask,)


def _lstm_grad_rule(x, h0, c0, kernel, recurrent_kernel, bias, hs, cs, gates, *rest,
                    seeded=ALL_SEEDED, reverse=False, input_gradient=True):
    mask = _split_seeds(rest, seeded)[3]
    _, _, _, dtype = _lstm_dims(x, h0, c0, kernel, recurrent_kernel, bias, mask)
    return tuple(Aval(a.shape, dtype) for a in (x, h0, c0, kernel, recurrent_kernel, bias))


# --- kernels -------------------------------------------------------------------------------------
def _stacked_inputs(x, steps_room: int, units: int, reverse: bool):
    """``[steps_room, F + 1 + U, B]`` blocks: rows ``x_t`` (processing order), 1, then
    room for the previous hidden state."""
    batch, steps, features = x.shape
    blocks = np.empty((steps_room, features + 1 + units, batch), x.dtype)
    np.copyto(blocks[:steps, :features], _in_order(x.transpose(1, 2, 0), reverse))
    blocks[:, features] = 1
    return blocks


def _lstm_kernel(x, h0, c0, kernel, recurrent_kernel, bias, mask=None, reverse=False):
    _same_dtypes(x, h0, c0, kernel, recurrent_kernel, bias)
    batch, steps, features = x.shape
    units = recurrent_kernel.shape[0]
    width, dtype = 4 * units, x.dtype
    half = dtype.type(0.5)
    # sigmoid(z) = 0.5 * tanh(0.5 * z) + 0.5: the sigmoid gates' weights are pre-scaled by
    # 0.5, so each step runs ONE tanh over all four gates
    scale = np.full((width, 1), half, dtype)
    scale[2 * units:3 * units] = 1
    weights_t = np.concatenate([kernel.T, bias[:, None], recurrent_kernel.T], axis=1)
    weights_t *= scale
    blocks = _stacked_inputs(x, steps + 1, units, reverse)
    previous_h = blocks[:, features + 1:]  # previous_h[k]: the state step k reads
    np.copyto(previous_h[0], h0.T)
    gates = np.empty((steps, width, batch), dtype)
    cells = np.empty((steps, 2 * units, batch), dtype)  # c, then tanh(c), per step
    tmp = np.empty((units, batch), dtype)
    keep_not = None if mask is None else ~_in_order(mask, reverse)
    c = np.ascontiguousarray(c0.T)
    for k in range(steps):
        z = gates[k]
        np.matmul(weights_t, blocks[k], out=z)
        np.tanh(z, out=z)
        sig_if, sig_o = z[:2 * units], z[3 * units:]
        sig_if *= half
        sig_if += half
        sig_o *= half
        sig_o += half
        i, f, g = z[:units], z[units:2 * units], z[2 * units:3 * units]
        c_new, tanh_c, h_new = cells[k, :units], cells[k, units:], previous_h[k + 1]
        np.multiply(f, c, out=c_new)
        np.multiply(i, g, out=tmp)
        c_new += tmp
        np.tanh(c_new, out=tanh_c)
        np.multiply(sig_o, tanh_c, out=h_new)
        if keep_not is not None:  # masked rows carry the state over
            np.copyto(c_new, c, where=keep_not[k])
            np.copyto(h_new, previous_h[k], where=keep_not[k])
        c = c_new
    return (previous_h[1:].transpose(0, 2, 1), cells[:, :units].transpose(0, 2, 1),
            gates.transpose(0, 2, 1))


def _buffer_behind(view, shape: tuple, select):
    """The forward kernel's buffer that ``view`` (an output) is ``select(buffer)`` of, or
    None when ``view`` is any other array (a copy, an input made elsewhere).

    The forward kernel keeps more in its outputs' buffers than the outputs show: each
    step's stacked input behind ``hs``, ``tanh(c)`` behind ``cs``.  Nothing else can
    reach those parts, so the backward kernel reads them instead of recomputing them.
    """
    base = view.base
    if not isinstance(base, np.ndarray) or base.shape != shape or base.dtype != view.dtype:
        return None
    expected = select(base)
    same = (expected.shape == view.shape and expected.strides == view.strides and
            expected.__array_interface__["data"][0] == view.__array_interface__["data"][0])
    return base if same else None


def _lstm_grad_kernel(x, h0, c0, kernel, recurrent_kernel, bias, hs, cs, gates, *rest,
                      seeded=ALL_SEEDED, reverse=False, input_gradient=True):
    ghs, gcs, ggates, mask = _split_seeds(rest, seeded)
    batch, steps, features = x.shape
    units = recurrent_kernel.shape[0]
    width, dtype = 4 * units, x.dtype
    one = dtype.type(1)
    rows = features + 1 + units
    gates_t = _time_major_t(gates)
    cells = _buffer_behind(cs, (steps, 2 * units, batch),
                           lambda b: b[:, :units].transpose(0, 2, 1))
    if cells is not None:
        cs_t, tanh_cs = cells[:, :units], cells[:, units:]
    else:
        cs_t = _time_major_t(cs)
        tanh_cs = np.tanh(cs_t)
    blocks = _buffer_behind(hs, (steps + 1, rows, batch),
                            lambda b: b[1:, features + 1:].transpose(0, 2, 1))
    if blocks is None:  # each step's stacked input again
        blocks = _stacked_inputs(x, steps, units, reverse)
        if steps:
            np.copyto(blocks[0, features + 1:], h0.T)
            np.copyto(blocks[1:, features + 1:], hs[:-1].transpose(0, 2, 1))
    extra_gates = _time_major_t(ggates) if ggates is not None and _nonzero(ggates) else None
    extra_cells = _time_major_t(gcs) if gcs is not None and _nonzero(gcs) else None
    seeded_steps = _nonzero(ghs, per_step=True) if ghs is not None else np.zeros(steps, bool)
    keep = None if mask is None else _in_order(mask, reverse).astype(dtype)
    # d pre-activations: every step's when the inputs' gradient needs them, else one block
    d_pre = np.empty((steps, width, batch), dtype) if input_gradient else None
    d_step = None if input_gradient else np.empty((width, batch), dtype)
    slope = np.empty((width, batch), dtype)
    tmp = np.empty((units, batch), dtype)
    d_weights_t = np.zeros((width, rows), dtype)  # d [kernel; bias; R], transposed
    d_weights_k = np.empty_like(d_weights_t)
    dh = np.zeros((units, batch), dtype)
    dc = np.zeros((units, batch), dtype)
    carry_h = np.empty_like(dh)
    carry_c = np.empty_like(dc)
    c0_t = np.ascontiguousarray(c0.T)
    for k in range(steps - 1, -1, -1):
        a = gates_t[k]
        i, f, g, o = a[:units], a[units:2 * units], a[2 * units:3 * units], a[3 * units:]
        tc = tanh_cs[k]
        c_prev = cs_t[k - 1] if k else c0_t
        if seeded_steps[k]:
            dh += ghs[k].T
        if extra_cells is not None:
            dc += extra_cells[k]
        if keep is not None:  # masked rows pass their gradient straight to the previous step
            np.subtract(dh, np.multiply(dh, keep[k], out=tmp), out=carry_h)
            dh -= carry_h
            np.subtract(dc, np.multiply(dc, keep[k], out=tmp), out=carry_c)
            dc -= carry_c
        dz = d_step if d_pre is None else d_pre[k]
        d_o = dz[3 * units:]
        np.multiply(dh, tc, out=d_o)
        np.multiply(dh, o, out=tmp)  # d c through h = o * tanh(c): dh * o * (1 - tc^2)
        dc += tmp
        np.multiply(d_o, o, out=tmp)
        tmp *= tc
        dc -= tmp
        np.multiply(dc, g, out=dz[:units])  # d i
        np.multiply(dc, c_prev, out=dz[units:2 * units])  # d f
        np.multiply(dc, i, out=dz[2 * units:3 * units])  # d g
        if extra_gates is not None:
            dz += extra_gates[k]
        np.multiply(a, a, out=slope)  # sigmoid' = s - s^2; tanh' = 1 - g^2
        np.subtract(a, slope, out=slope)
        slope_g = slope[2 * units:3 * units]
        np.multiply(g, g, out=slope_g)
        np.subtract(one, slope_g, out=slope_g)
        dz *= slope
        dc *= f
        np.matmul(recurrent_kernel, dz, out=dh)
        np.matmul(dz, blocks[k].T, out=d_weights_k)
        d_weights_t += d_weights_k
        if keep is not None:
            dh += carry_h
            dc += carry_c
    d_x = _input_gradient(kernel, d_pre, x, reverse) if input_gradient else \
        np.broadcast_to(dtype.type(0), x.shape)
    d_weights = d_weights_t.T
    return (d_x, dh.T, dc.T, np.ascontiguousarray(d_weights[:features]),
            np.ascontiguousarray(d_weights[features + 1:]), d_weights[features].copy())


def _input_gradient(kernel, d_pre, x, reverse: bool):
    """``d x [B, T, F]`` from every step's d pre-activations ``[T, 4U, B]``: one product."""
    d_x = np.matmul(kernel, d_pre)  # [T, F, B], processing order
    return _in_order(d_x, reverse).transpose(2, 0, 1)


# --- gradient rules -----------------------------------------------------------------------------
def _lstm_vjp(cts, inputs, outputs, reverse=False):
    seeded = tuple(ct is not None for ct in cts)
    present = [ct for ct in cts if ct is not None]
    mask = tuple(inputs[6:])
    grads = bind(lstm_sequence_grad_p, *inputs[:6], *outputs, *present, *mask,
                 seeded=seeded, reverse=reverse, input_gradient=True)
    return tuple(grads) + (None,) * len(mask)


def _lstm_grad_vjp(cts, inputs, outputs, seeded=ALL_SEEDED, reverse=False,
                   input_gradient=True):
    primals, residuals = list(inputs[:6]), inputs[6:9]
    ghs, gcs, ggates, mask = _split_seeds(tuple(inputs[9:]), seeded)
    seeds = [s if s is not None else zeros_like(r)
             for s, r in zip((ghs, gcs, ggates), residuals)]
    result = _second_order(lstm_reference, primals, seeds, mask, cts, reverse=reverse)
    seed_grads = [g for g, present in zip(result[6:], seeded) if present]
    return tuple(result[:6]) + (None,) * 3 + tuple(seed_grads) + \
        (None,) * (mask is not None)


lstm_sequence_p = define("lstm_sequence", _lstm_kernel, _lstm_rule, _lstm_vjp,
                         multiple_results=True, fresh_output=True, sparse_cotangents=True)
lstm_sequence_grad_p = define("lstm_sequence_grad", _lstm_grad_kernel, _lstm_grad_rule,
                              _lstm_grad_vjp, multiple_results=True)


# --- the thin function -------------------------------------------------------------------------
# --- a gradient nobody reads ---------------------------------------------------------------------
# A model's first LSTM layer: nothing reads the gradient of its inputs, so the backward
# kernel is told not to compute it (one matrix product over all steps, and the buffer
# of every step's gate gradient, saved).  Applied by fluxion.graph.passes.backward_rewrites.
@declare_rewrite(lstm_sequence_grad_p, order=50)
def skip_unread_input_gradient(graph, rewriter_class):
    """``lstm_sequence_grad`` with an unread ``d x`` -> the same with ``input_gradient=False``."""
    targets = [n for n in graph.nodes if n.prim is lstm_sequence_grad_p
               and n.attrs.get("input_gradient", True)]
    if not targets:
        return graph
    users = readers(graph)
    unread = {id(n) for n in targets if not users.get(n.outputs[0].id)}
    if not unread:
        return graph
    rewriter = rewriter_class(graph)
    for node in graph.nodes:
        if id(node) in unread:
            rewriter.emit(node.prim, rewriter.inputs(node),
                          {**node.attrs, "input_gradient": False}, replacing=node)
        else:
            rewriter.keep(node)
    return rewriter.finish()


def lstm_sequence(x: Tensor, h0: Tensor, c0: Tensor, kernel: Tensor, recurrent_kernel: Tensor,
                  bias: Tensor, mask: Tensor | None = None, reverse: bool = False) -> tuple:
    """Runs an LSTM over ``x [batch, time, features]``; returns ``(hs, cs, gates)``,
    time-major."""
    inputs = [convert_to_tensor(a) for a in (x, h0, c0, kernel, recurrent_kernel, bias)]
    extra = () if mask is None else (convert_to_tensor(mask),)
    return bind(lstm_sequence_p, *inputs, *extra, reverse=bool(reverse))


# --- the unrolled composite (for second order) ---------------------------------------------------
def lstm_reference(x, h0, c0, kernel, recurrent_kernel, bias, mask=None,
                   reverse: bool = False) -> tuple:
    """``lstm_sequence`` unrolled in Fluxion ops (differentiable to any order)."""
    steps = _steps(x, "lstm_sequence", axis=1)
    units = recurrent_kernel.shape[0]
    h, c, hs, cs, gs = h0, c0, [], [], []
    for k in range(steps):
        x_k = x[:, steps - 1 - k if reverse else k]
        z = matmul(x_k, kernel) + matmul(h, recurrent_kernel) + bias
        i, f = _sigmoid(z[:, :units]), _sigmoid(z[:, units:2 * units])
        g, o = tanh(z[:, 2 * units:3 * units]), _sigmoid(z[:, 3 * units:])
        c = _carry(mask, k, steps, reverse, f * c + i * g, c)
        h = _carry(mask, k, steps, reverse, o * tanh(c), h)
        hs.append(h)
        cs.append(c)
        gs.append(concat([i, f, g, o], axis=1))
    return stack(hs), stack(cs), stack(gs)
