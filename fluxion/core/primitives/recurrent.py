"""The fused GRU primitive, and what the fused recurrent primitives share.

A GRU or LSTM layer spends its time in a loop over time steps whose per-step work is
small.  Run as a graph of small ops, each step would pay the dispatch cost of a dozen
nodes; here the loop runs inside ONE kernel, with one matmul and a few in-place NumPy
ufuncs per step, and the backward pass is one more kernel looping backwards.  (The
LSTM's primitive is in ``lstm.py``; it builds on the helpers here.)

The GRU's input projection ``x @ kernel + bias`` does not belong to the loop: callers
compute it for all steps at once and pass the result, time-major, as ``xw``:
``gru_sequence(xw [T, B, 3U], h0, R [U, 3U], rb [3U], mask?)`` -> ``hs``, ``gates
[T, B, 3U]`` (z, r, h~) and ``hrec [T, B, U]``: with ``reset_after`` the recurrent
candidate ``h @ R_h + rb_h`` (then ``h~ = tanh(x_h + r * hrec)``), without it
``(r * h) @ R_h + rb_h`` (then ``h~ = tanh(x_h + hrec)``).

Outputs are in processing order: with ``reverse=True`` step ``k`` reads input step
``T - 1 - k`` (Keras's ``go_backwards``), and ``hs[k]`` is the state after it.  A step
whose ``mask`` is False carries every state over unchanged.  ``gates``/``hrec`` are the
residuals the backward kernel reads; they are ordinary differentiable outputs.

Gradients: ``gru_sequence_grad`` is a primitive of its own.  Its VJP (second order)
differentiates an unrolled composite of the same recurrence (``gru_reference``) twice;
that needs a known number of steps.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.elementwise import exp, reciprocal, select, tanh
from fluxion.core.primitives.linalg import matmul
from fluxion.core.primitives.shape import concat, expand_dims, stack
from fluxion.core.tensor import Tensor, convert_to_tensor


# --- shape rules -----------------------------------------------------------------------------
def _dim(name: str, *dims):
    """The one size that all known ``dims`` agree on (None when none is known)."""
    known = {d for d in dims if d is not None}
    if len(known) > 1:
        raise ValueError(f"inconsistent {name}: got sizes {sorted(known)}")
    return known.pop() if known else None


def _check_rank(what: str, aval: Aval, rank: int, layout: str) -> None:
    if len(aval.shape) != rank:
        raise ValueError(f"expected {what} of rank {rank} ({layout}), got shape "
                         f"{list(aval.shape)}")


def _sequence_dims(gates_per_unit: int, xw: Aval, states: list, kernel: Aval,
                   mask: Aval | None) -> tuple:
    """Checks the common inputs of a recurrent primitive; returns (T, B, U, dtype)."""
    _check_rank("xw", xw, 3, "[time, batch, gates * units]")
    for aval in states:
        _check_rank("the initial state", aval, 2, "[batch, units]")
    _check_rank("the recurrent kernel", kernel, 2, "[units, gates * units]")
    dtype = xw.dtype
    if not dtype.is_floating:
        raise TypeError(f"expected floating-point inputs, got {dtype.name}")
    for aval in states + [kernel]:
        if aval.dtype is not dtype:
            raise TypeError(f"expected inputs of one dtype, got {dtype.name} and "
                            f"{aval.dtype.name}")
    g = gates_per_unit
    width = _dim(f"gate width ({g} * units)", xw.shape[2], kernel.shape[1])
    units = _dim("units", kernel.shape[0], *[s.shape[1] for s in states],
                 None if width is None else width // g)
    if width is not None and width % g or (units is not None and width is not None
                                           and width != g * units):
        raise ValueError(f"the gate axis must be {g} * units, got width {width} for "
                         f"units {units}")
    steps, batch = xw.shape[0], _dim("batch size", xw.shape[1], *[s.shape[0] for s in states])
    if mask is not None:
        _check_rank("the mask", mask, 2, "[time, batch]")
        if mask.dtype is not dtypes.bool_:
            raise TypeError(f"the mask must be bool, got {mask.dtype.name}")
        steps = _dim("number of steps", steps, mask.shape[0])
        batch = _dim("batch size", batch, mask.shape[1])
    return steps, batch, units, dtype


def _gru_rule(xw, h0, kernel, rb, mask=None, reverse=False, reset_after=True):
    t, b, u, dtype = _sequence_dims(3, xw, [h0], kernel, mask)
    if len(rb.shape) != 1 or rb.dtype is not dtype or None not in (u, rb.shape[0]) and \
            rb.shape[0] != 3 * u:
        raise ValueError(f"expected the recurrent bias as a vector [3 * units] of "
                         f"{dtype.name}, got {rb.dtype.name}{list(rb.shape)}")
    return Aval((t, b, u), dtype), Aval((t, b, None if u is None else 3 * u), dtype), \
        Aval((t, b, u), dtype)


def _gru_grad_rule(xw, h0, kernel, rb, hs, gates, hrec, ghs, ggates, ghrec, mask=None,
                   reverse=False, reset_after=True):
    _, _, _, dtype = _sequence_dims(3, xw, [h0], kernel, mask)
    return Aval(xw.shape, dtype), Aval(h0.shape, dtype), Aval(kernel.shape, dtype), \
        Aval(rb.shape, dtype)


# --- array helpers shared by the kernels ---------------------------------------------------
# Kernels that work "transposed" (per step a [N, B] block, each gate a contiguous run of
# memory) hand arrays across the interface as [T, B, N] views of [T, N, B] buffers and
# read such views back without copies.
def _time_major_t(array):
    """``[T, B, N]`` -> ``[T, N, B]``, C-contiguous: a view when the memory already is."""
    return np.ascontiguousarray(array.transpose(0, 2, 1))


def _same_dtypes(*arrays) -> None:
    """NumPy would promote silently; raising lets ``bind`` report the shape rule's error."""
    if any(a.dtype != arrays[0].dtype for a in arrays[1:]):
        raise TypeError("mixed dtypes")


def _in_order(array, reverse: bool):
    return array[::-1] if reverse else array


def _nonzero(array, per_step: bool = False):
    """Whether ``array`` (with ``per_step``: each ``array[k]``) has a nonzero element, read
    from its bits: an integer ``max`` is several times faster than ``any``, and O(1) for
    broadcast constants.  (-0.0 counts as nonzero: harmless, adding it changes nothing.)"""
    bits = array.view(f"u{array.itemsize}")  # no copy, whatever the strides
    if per_step:
        if not array.size:
            return np.zeros(len(array), bool)
        return bits.max(axis=tuple(range(1, array.ndim))) != 0
    if not array.size:
        return False
    return bool(bits.flat[0] if not any(array.strides) else bits.max())


# --- shared by the GRU kernels ----------------------------------------------------------------
def _sigmoid_by_tanh(width: int, units: int, tanh_columns: slice, dtype) -> tuple:
    """Scales that turn one tanh over a gate row into sigmoids where needed.

    ``sigmoid(z) = 0.5 * tanh(0.5 * z) + 0.5``: pre-activations of sigmoid gates are
    pre-scaled by 0.5 (folded into ``xw`` and ``R`` once), so each step runs ONE tanh
    over the whole row and then ``row * post + shift``.
    """
    pre = np.full(width, 0.5, dtype)
    pre[tanh_columns] = 1
    shift = np.full(width, 0.5, dtype)
    shift[tanh_columns] = 0
    return pre, pre.copy(), shift


def _activation_slope(gates_row, out, slope_shift, tanh_columns):
    """d(activation)/d(pre-activation) from activated values: s(1-s) or 1-t^2, in place."""
    np.subtract(slope_shift, gates_row, out=out)  # 1 - s for sigmoids, -t for tanh
    out *= gates_row  # s(1-s) / -t^2
    out[:, tanh_columns] += 1  # 1 - t^2
    return out


# --- kernels: GRU --------------------------------------------------------------------------------
def _gru_kernel(xw, h0, kernel, rb, mask=None, reverse=False, reset_after=True):
    _same_dtypes(xw, h0, kernel, rb)
    steps, batch, width = xw.shape
    units = width // 3
    zr, hcol = slice(0, 2 * units), slice(2 * units, 3 * units)
    pre, post, shift = _sigmoid_by_tanh(width, units, hcol, xw.dtype)
    gates = np.multiply(_in_order(xw, reverse), pre)
    kernel_s, rb_s = kernel * pre, rb * pre
    kernel_zr = np.ascontiguousarray(kernel_s[:, zr])
    kernel_h = np.ascontiguousarray(kernel_s[:, hcol])
    hs = np.empty((steps, batch, units), xw.dtype)
    hrec = np.empty_like(hs)
    row = np.empty((batch, width), xw.dtype)
    row_zr = np.empty((batch, 2 * units), xw.dtype)
    tmp = np.empty((batch, units), xw.dtype)
    keep_not = None if mask is None else ~_in_order(mask, reverse)[:, :, None]
    h = h0
    for k in range(steps):
        x = gates[k]
        if reset_after:
            np.matmul(h, kernel_s, out=row)
            row += rb_s
            x[:, zr] += row[:, zr]
            np.copyto(hrec[k], row[:, hcol])
        else:
            np.matmul(h, kernel_zr, out=row_zr)
            row_zr += rb_s[zr]
            x[:, zr] += row_zr
        x_zr = x[:, zr]
        np.tanh(x_zr, out=x_zr)
        x_zr *= post[zr]
        x_zr += shift[zr]
        z, r, hh = x[:, :units], x[:, units:2 * units], x[:, hcol]
        if reset_after:
            np.multiply(r, hrec[k], out=tmp)
        else:
            np.multiply(r, h, out=tmp)
            np.matmul(tmp, kernel_h, out=hrec[k])
            hrec[k] += rb_s[hcol]
            np.copyto(tmp, hrec[k])
        hh += tmp
        np.tanh(hh, out=hh)
        h_new = hs[k]
        np.subtract(h, hh, out=tmp)  # h = hh + z * (h_prev - hh)
        tmp *= z
        np.add(hh, tmp, out=h_new)
        if keep_not is not None:
            np.copyto(h_new, h, where=keep_not[k])
        h = h_new
    return hs, gates, hrec


def _gru_grad_kernel(xw, h0, kernel, rb, hs, gates, hrec, ghs, ggates, ghrec, mask=None,
                     reverse=False, reset_after=True):
    steps, batch, width = gates.shape
    units = width // 3
    dtype = gates.dtype
    zr, hcol = slice(0, 2 * units), slice(2 * units, 3 * units)
    slope_shift = np.ones(width, dtype)
    slope_shift[hcol] = 0
    kernel_t = np.ascontiguousarray(kernel.T)  # [3U, U]
    kernel_zr_t = np.ascontiguousarray(kernel[:, zr].T)
    kernel_h_t = np.ascontiguousarray(kernel[:, hcol].T)
    extra_gates = ggates if _nonzero(ggates) else None
    extra_rec = ghrec if _nonzero(ghrec) else None
    keep = None if mask is None else _in_order(mask, reverse)[:, :, None].astype(dtype)
    dx_all = np.empty((steps, batch, width), dtype)  # d pre-activations of xw
    drec_all = np.empty((steps, batch, width), dtype)  # d (h @ R + rb), per column block
    slope = np.empty((batch, width), dtype)
    d_act = np.empty((batch, width), dtype)
    tmp = np.empty((batch, units), dtype)
    d_rh = np.empty((batch, units), dtype)
    dh = np.zeros((batch, units), dtype)
    carry = np.empty_like(dh)
    for k in range(steps - 1, -1, -1):
        x = gates[k]
        z, r, hh = x[:, :units], x[:, units:2 * units], x[:, hcol]
        h_prev = hs[k - 1] if k else h0
        dh += ghs[k]
        if keep is not None:
            np.subtract(dh, np.multiply(dh, keep[k], out=tmp), out=carry)
            dh -= carry
        _activation_slope(x, slope, slope_shift, hcol)
        np.subtract(h_prev, hh, out=d_act[:, :units])
        d_act[:, :units] *= dh  # d z
        np.subtract(1, z, out=d_act[:, hcol])
        d_act[:, hcol] *= dh  # d h~
        if extra_gates is not None:
            d_act[:, :units] += extra_gates[k, :, :units]
            d_act[:, hcol] += extra_gates[k, :, hcol]
        dx, drec = dx_all[k], drec_all[k]
        np.multiply(d_act[:, hcol], slope[:, hcol], out=dx[:, hcol])  # d a_h
        dh *= z  # the direct path h_prev -> h
        if reset_after:
            np.multiply(dx[:, hcol], hrec[k], out=d_act[:, units:2 * units])  # d r
            np.multiply(dx[:, hcol], r, out=drec[:, hcol])
            if extra_rec is not None:
                drec[:, hcol] += extra_rec[k]
        else:
            np.copyto(drec[:, hcol], dx[:, hcol])
            if extra_rec is not None:
                drec[:, hcol] += extra_rec[k]
            np.matmul(drec[:, hcol], kernel_h_t, out=d_rh)
            np.multiply(d_rh, h_prev, out=d_act[:, units:2 * units])  # d r
            np.multiply(d_rh, r, out=tmp)
            dh += tmp
        if extra_gates is not None:
            d_act[:, units:2 * units] += extra_gates[k, :, units:2 * units]
        np.multiply(d_act[:, zr], slope[:, zr], out=dx[:, zr])
        np.copyto(drec[:, zr], dx[:, zr])
        if reset_after:
            np.matmul(drec, kernel_t, out=tmp)
        else:
            np.matmul(drec[:, zr], kernel_zr_t, out=tmp)
        dh += tmp
        if keep is not None:
            dh += carry
    h_prev_all = np.concatenate([h0[None], hs[:-1]]) if steps else hs
    flat_h = h_prev_all.reshape(-1, units)
    flat_rec = drec_all.reshape(-1, width)
    if reset_after:
        d_kernel = flat_h.T @ flat_rec
    else:
        d_kernel = np.empty_like(kernel)
        d_kernel[:, zr] = flat_h.T @ flat_rec[:, zr]
        rh = (gates[:, :, units:2 * units] * h_prev_all).reshape(-1, units)
        d_kernel[:, hcol] = rh.T @ flat_rec[:, hcol]
    d_rb = flat_rec.sum(axis=0)
    d_xw = np.ascontiguousarray(dx_all[::-1]) if reverse else dx_all
    return d_xw, dh, d_kernel.astype(dtype, copy=False), d_rb.astype(dtype, copy=False)


# --- gradient rules ---------------------------------------------------------------------------
def _gru_vjp(cts, inputs, outputs, reverse=False, reset_after=True):
    xw, h0, kernel, rb = inputs[:4]
    mask = tuple(inputs[4:])
    grads = bind(gru_sequence_grad_p, xw, h0, kernel, rb, *outputs, *cts, *mask,
                 reverse=reverse, reset_after=reset_after)
    return tuple(grads) + (None,) * len(mask)


def _second_order(reference, primals: list, seeds: list, mask, cts, **attrs):
    """The VJP of ``(primals, seeds) -> vjp_of_reference(primals)(seeds)`` at ``cts``.

    The backward kernel computes that inner VJP; its own derivative is found by
    differentiating the unrolled composite ``reference`` twice.  The residual inputs of
    the backward kernel (hs, cs, gates...) are functions of ``primals``, and this
    derivative already accounts for that dependence, so they get None.
    """
    from fluxion.core.tape import GradientTape, UnconnectedGradients

    with GradientTape() as outer:
        outer.watch(primals + seeds)
        with GradientTape() as inner:
            inner.watch(primals)
            outs = reference(*primals, mask=mask, **attrs)
        grads = inner.gradient(list(outs), primals, output_gradients=seeds,
                               unconnected_gradients=UnconnectedGradients.ZERO)
    return outer.gradient(grads, primals + seeds, output_gradients=list(cts))


def _gru_grad_vjp(cts, inputs, outputs, reverse=False, reset_after=True):
    primals, seeds = list(inputs[:4]), list(inputs[7:10])
    mask = inputs[10] if len(inputs) > 10 else None
    result = _second_order(gru_reference, primals, seeds, mask, cts, reverse=reverse,
                           reset_after=reset_after)
    return tuple(result[:4]) + (None,) * 3 + tuple(result[4:]) + (None,) * (len(inputs) - 10)


gru_sequence_p = define("gru_sequence", _gru_kernel, _gru_rule, _gru_vjp,
                        multiple_results=True, fresh_output=True)
gru_sequence_grad_p = define("gru_sequence_grad", _gru_grad_kernel, _gru_grad_rule,
                             _gru_grad_vjp, multiple_results=True)


# --- thin functions ---------------------------------------------------------------------------
def gru_sequence(xw: Tensor, h0: Tensor, recurrent_kernel: Tensor, recurrent_bias: Tensor,
                 mask: Tensor | None = None, reverse: bool = False,
                 reset_after: bool = True) -> tuple:
    """Runs a GRU over ``xw`` (time-major); returns ``(hs, gates, hrec)``."""
    inputs = [convert_to_tensor(a) for a in (xw, h0, recurrent_kernel, recurrent_bias)]
    extra = () if mask is None else (convert_to_tensor(mask),)
    return bind(gru_sequence_p, *inputs, *extra,
                reverse=bool(reverse), reset_after=bool(reset_after))


# --- unrolled composites: the same recurrences in Fluxion ops (for second order) ---------------
def _sigmoid(x: Tensor) -> Tensor:
    return reciprocal(exp(-x) + 1)


def _steps(sequence: Tensor, what: str, axis: int = 0) -> int:
    steps = sequence.shape[axis]
    if steps is None:
        raise NotImplementedError(
            f"second-order gradients of {what} need a known number of time steps; this "
            f"sequence's length is only known at run time")
    return int(steps)


def _carry(mask, k: int, steps: int, reverse: bool, new: Tensor, old: Tensor) -> Tensor:
    if mask is None:
        return new
    keep = expand_dims(mask[steps - 1 - k if reverse else k], 1)
    return select(keep, new, old)


def gru_reference(xw, h0, kernel, rb, mask=None, reverse: bool = False,
                  reset_after: bool = True) -> tuple:
    """``gru_sequence`` unrolled in Fluxion ops (differentiable to any order)."""
    steps = _steps(xw, "gru_sequence")
    units = kernel.shape[0]
    h, hs, gs, recs = h0, [], [], []
    for k in range(steps):
        x = xw[steps - 1 - k if reverse else k]
        if reset_after:
            rec = matmul(h, kernel) + rb
        else:
            rec = matmul(h, kernel[:, :2 * units]) + rb[:2 * units]
        z = _sigmoid(x[:, :units] + rec[:, :units])
        r = _sigmoid(x[:, units:2 * units] + rec[:, units:2 * units])
        if reset_after:
            hrec = rec[:, 2 * units:]
            hh = tanh(x[:, 2 * units:] + r * hrec)
        else:
            hrec = matmul(r * h, kernel[:, 2 * units:]) + rb[2 * units:]
            hh = tanh(x[:, 2 * units:] + hrec)
        h = _carry(mask, k, steps, reverse, hh + z * (h - hh), h)
        hs.append(h)
        gs.append(concat([z, r, hh], axis=1))
        recs.append(hrec)
    return stack(hs), stack(gs), stack(recs)
