"""Fused recurrent primitives: whole LSTM and GRU sequences, forward and backward.

An LSTM or GRU layer spends its time in a loop over time steps whose per-step work is
small.  Run as a graph of small ops, each step would pay the dispatch cost of a dozen
nodes; here the loop runs inside ONE kernel, with one matmul and a few in-place NumPy
ufuncs per step, and the backward pass is one more kernel looping backwards.

The input projection ``x @ kernel + bias`` does not belong to the loop: callers compute
it for all steps at once and pass the result, time-major, as ``xw``:

- ``lstm_sequence(xw [T, B, 4U], h0 [B, U], c0 [B, U], R [U, 4U], mask [T, B]?)``
  -> ``hs, cs [T, B, U]`` (hidden and cell state after each step) and ``gates
  [T, B, 4U]`` (the activated gates i, f, c~, o: Keras's layout);
- ``gru_sequence(xw [T, B, 3U], h0, R [U, 3U], rb [3U], mask?)`` -> ``hs``, ``gates
  [T, B, 3U]`` (z, r, h~) and ``hrec [T, B, U]``: with ``reset_after`` the recurrent
  candidate ``h @ R_h + rb_h`` (then ``h~ = tanh(x_h + r * hrec)``), without it
  ``(r * h) @ R_h + rb_h`` (then ``h~ = tanh(x_h + hrec)``).

Outputs are in processing order: with ``reverse=True`` step ``k`` reads input step
``T - 1 - k`` (Keras's ``go_backwards``), and ``hs[k]`` is the state after it.  A step
whose ``mask`` is False carries every state over unchanged.  ``gates``/``cs``/``hrec``
are the residuals the backward kernel reads; they are ordinary differentiable outputs.

Memory layout (LSTM): the kernels run transposed, a step's gates being one [4U, B] block,
and return every [T, B, N] array as the transposed view of a [T, N, B] buffer.  An ``xw``
laid out that way (``LSTM`` computes its projection so) is read without a copy; any other
layout costs one transposing copy.  Values are the same either way.

Gradients: ``lstm_sequence_grad`` / ``gru_sequence_grad`` are primitives of their own.
Their VJPs (second order) differentiate an unrolled composite of the same recurrence
(``lstm_reference`` / ``gru_reference``) twice; that needs a known number of steps.
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


def _lstm_rule(xw, h0, c0, kernel, mask=None, reverse=False):
    t, b, u, dtype = _sequence_dims(4, xw, [h0, c0], kernel, mask)
    state = Aval((t, b, u), dtype)
    return state, state, Aval((t, b, None if u is None else 4 * u), dtype)


def _lstm_grad_rule(xw, h0, c0, kernel, hs, cs, gates, ghs, gcs, ggates, mask=None,
                    reverse=False):
    t, b, u, dtype = _sequence_dims(4, xw, [h0, c0], kernel, mask)
    return Aval(xw.shape, dtype), Aval(h0.shape, dtype), Aval(c0.shape, dtype), \
        Aval(kernel.shape, dtype)


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


# --- kernels: LSTM -------------------------------------------------------------------------------
# The LSTM kernels work "transposed": per step the gates are a [4U, B] block and the states
# [U, B] blocks, so each gate is a contiguous run of memory and every per-step ufunc runs
# over contiguous data (per-gate column slices of [B, 4U] rows are strided, and NumPy
# pays several times more for them).  Arrays cross the interface as [T, B, ...] views of
# [T, ..., B] buffers: the outputs (and d xw) are such views, and an ``xw`` already laid
# out that way (the LSTM layer computes its input projection so) is read without a copy;
# any other layout is transposed once per call.
def _time_major_t(array):
    """``[T, B, N]`` -> ``[T, N, B]``, C-contiguous: a view when the memory already is."""
    return np.ascontiguousarray(array.transpose(0, 2, 1))


def _same_dtypes(*arrays) -> None:
    """NumPy would promote silently; raising lets ``bind`` report the shape rule's error."""
    if any(a.dtype != arrays[0].dtype for a in arrays[1:]):
        raise TypeError("mixed dtypes")


def _in_order(array, reverse: bool):
    return array[::-1] if reverse else array


def _lstm_kernel(xw, h0, c0, kernel, mask=None, reverse=False):
    _same_dtypes(xw, h0, c0, kernel)
    steps, batch, width = xw.shape
    units = width // 4
    dtype = xw.dtype
    half = dtype.type(0.5)
    x_t = _time_major_t(xw)  # [T, 4U, B]
    kernel_t = np.ascontiguousarray(kernel.T)  # [4U, U]: kernel_t @ h -> [4U, B]
    hs = np.empty((steps, units, batch), dtype)
    cs = np.empty_like(hs)
    gates = np.empty((steps, width, batch), dtype)
    rec = np.empty((width, batch), dtype)
    tmp = np.empty((units, batch), dtype)
    keep_not = None if mask is None else ~_in_order(mask, reverse)
    h, c = np.ascontiguousarray(h0.T), np.ascontiguousarray(c0.T)
    for k in range(steps):
        z = gates[k]
        np.matmul(kernel_t, h, out=rec)
        np.add(x_t[steps - 1 - k if reverse else k], rec, out=z)
        # sigmoid(z) = 0.5 * tanh(0.5 * z) + 0.5: ONE tanh over all gates per step
        sig_if, sig_o = z[:2 * units], z[3 * units:]
        sig_if *= half
        sig_o *= half
        np.tanh(z, out=z)
        sig_if *= half
        sig_if += half
        sig_o *= half
        sig_o += half
        i, f, g = z[:units], z[units:2 * units], z[2 * units:3 * units]
        c_new, h_new = cs[k], hs[k]
        np.multiply(f, c, out=c_new)
        np.multiply(i, g, out=tmp)
        c_new += tmp
        np.tanh(c_new, out=tmp)
        np.multiply(sig_o, tmp, out=h_new)
        if keep_not is not None:  # masked rows carry the state over
            np.copyto(c_new, c, where=keep_not[k])
            np.copyto(h_new, h, where=keep_not[k])
        h, c = h_new, c_new
    return hs.transpose(0, 2, 1), cs.transpose(0, 2, 1), gates.transpose(0, 2, 1)


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


def _lstm_grad_kernel(xw, h0, c0, kernel, hs, cs, gates, ghs, gcs, ggates, mask=None,
                      reverse=False):
    steps, batch, width = gates.shape
    units = width // 4
    dtype = gates.dtype
    one = dtype.type(1)
    gates_t, cs_t, hs_t = _time_major_t(gates), _time_major_t(cs), _time_major_t(hs)
    extra_gates = _time_major_t(ggates) if _nonzero(ggates) else None
    extra_cells = _time_major_t(gcs) if _nonzero(gcs) else None
    seeded = _nonzero(ghs, per_step=True)
    keep = None if mask is None else _in_order(mask, reverse).astype(dtype)
    d_xw = np.empty((steps, width, batch), dtype)  # in input order
    dz = np.empty((width, batch), dtype)  # this step's d pre-activations
    slope = np.empty((width, batch), dtype)
    tc = np.empty((units, batch), dtype)
    tmp = np.empty((units, batch), dtype)
    d_kernel_t = np.zeros((width, units), dtype)  # d kernel, transposed
    d_kernel_k = np.empty_like(d_kernel_t)
    dh = np.zeros((units, batch), dtype)
    dc = np.zeros((units, batch), dtype)
    carry_h = np.empty_like(dh)
    carry_c = np.empty_like(dc)
    h0_t, c0_t = np.ascontiguousarray(h0.T), np.ascontiguousarray(c0.T)
    for k in range(steps - 1, -1, -1):
        a = gates_t[k]
        i, f, g, o = a[:units], a[units:2 * units], a[2 * units:3 * units], a[3 * units:]
        c_prev = cs_t[k - 1] if k else c0_t
        if seeded[k]:
            dh += ghs[k].T
        if extra_cells is not None:
            dc += extra_cells[k]
        if keep is not None:  # masked rows pass their gradient straight to the previous step
            np.subtract(dh, np.multiply(dh, keep[k], out=tmp), out=carry_h)
            dh -= carry_h
            np.subtract(dc, np.multiply(dc, keep[k], out=tmp), out=carry_c)
            dc -= carry_c
        np.tanh(cs_t[k], out=tc)
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
        np.subtract(one, a, out=slope)  # sigmoid' = s (1 - s); tanh' = 1 - g^2
        slope *= a
        slope_g = slope[2 * units:3 * units]
        np.multiply(g, g, out=slope_g)
        np.subtract(one, slope_g, out=slope_g)
        dz_k = d_xw[steps - 1 - k if reverse else k]
        np.multiply(dz, slope, out=dz_k)
        dc *= f
        np.matmul(kernel, dz_k, out=dh)
        np.matmul(dz_k, (hs_t[k - 1] if k else h0_t).T, out=d_kernel_k)
        d_kernel_t += d_kernel_k
        if keep is not None:
            dh += carry_h
            dc += carry_c
    return d_xw.transpose(0, 2, 1), dh.T, dc.T, np.ascontiguousarray(d_kernel_t.T)


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
def _lstm_vjp(cts, inputs, outputs, reverse=False):
    xw, h0, c0, kernel = inputs[:4]
    mask = tuple(inputs[4:])
    grads = bind(lstm_sequence_grad_p, xw, h0, c0, kernel, *outputs, *cts, *mask,
                 reverse=reverse)
    return tuple(grads) + (None,) * len(mask)


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


def _lstm_grad_vjp(cts, inputs, outputs, reverse=False):
    primals, seeds = list(inputs[:4]), list(inputs[7:10])
    mask = inputs[10] if len(inputs) > 10 else None
    result = _second_order(lstm_reference, primals, seeds, mask, cts, reverse=reverse)
    return tuple(result[:4]) + (None,) * 3 + tuple(result[4:]) + (None,) * (len(inputs) - 10)


def _gru_grad_vjp(cts, inputs, outputs, reverse=False, reset_after=True):
    primals, seeds = list(inputs[:4]), list(inputs[7:10])
    mask = inputs[10] if len(inputs) > 10 else None
    result = _second_order(gru_reference, primals, seeds, mask, cts, reverse=reverse,
                           reset_after=reset_after)
    return tuple(result[:4]) + (None,) * 3 + tuple(result[4:]) + (None,) * (len(inputs) - 10)


lstm_sequence_p = define("lstm_sequence", _lstm_kernel, _lstm_rule, _lstm_vjp,
                         multiple_results=True, fresh_output=True)
lstm_sequence_grad_p = define("lstm_sequence_grad", _lstm_grad_kernel, _lstm_grad_rule,
                              _lstm_grad_vjp, multiple_results=True)
gru_sequence_p = define("gru_sequence", _gru_kernel, _gru_rule, _gru_vjp,
                        multiple_results=True, fresh_output=True)
gru_sequence_grad_p = define("gru_sequence_grad", _gru_grad_kernel, _gru_grad_rule,
                             _gru_grad_vjp, multiple_results=True)


# --- thin functions ---------------------------------------------------------------------------
def lstm_sequence(xw: Tensor, h0: Tensor, c0: Tensor, recurrent_kernel: Tensor,
                  mask: Tensor | None = None, reverse: bool = False) -> tuple:
    """Runs an LSTM over ``xw`` (time-major pre-activations); returns ``(hs, cs, gates)``."""
    inputs = [convert_to_tensor(a) for a in (xw, h0, c0, recurrent_kernel)]
    extra = () if mask is None else (convert_to_tensor(mask),)
    return bind(lstm_sequence_p, *inputs, *extra, reverse=bool(reverse))


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


def _steps(xw: Tensor, what: str) -> int:
    steps = xw.shape[0]
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


def lstm_reference(xw, h0, c0, kernel, mask=None, reverse: bool = False) -> tuple:
    """``lstm_sequence`` unrolled in Fluxion ops (differentiable to any order)."""
    steps = _steps(xw, "lstm_sequence")
    units = kernel.shape[0]
    h, c, hs, cs, gs = h0, c0, [], [], []
    for k in range(steps):
        z = xw[steps - 1 - k if reverse else k] + matmul(h, kernel)
        i, f = _sigmoid(z[:, :units]), _sigmoid(z[:, units:2 * units])
        g, o = tanh(z[:, 2 * units:3 * units]), _sigmoid(z[:, 3 * units:])
        c = _carry(mask, k, steps, reverse, f * c + i * g, c)
        h = _carry(mask, k, steps, reverse, o * tanh(c), h)
        hs.append(h)
        cs.append(c)
        gs.append(concat([i, f, g, o], axis=1))
    return stack(hs), stack(cs), stack(gs)


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
