"""Convolution primitives: N-d (1, 2 or 3 spatial axes), channels-last, grouped.

Three primitives, each the adjoint of the others, so every derivative of every order is
one of them again:

- ``conv(x, w)``: ``x`` is ``[N, *spatial, C]``, ``w`` is ``[*kernel, C // groups, O]``;
  ``y[n, o, m] = sum_{t, c} xpad[n, o * stride + t * dilation, c] * w[t, c, m]``
  within each group (depthwise convolution is ``groups == C``);
- ``conv_input_grad(g, w, like)``: the transposed convolution, shaped like ``like``
  (only its shape is read: that is what makes it work when sizes are known only at run
  time, and it is how ``conv_transpose`` names its output size);
- ``conv_filter_grad(x, g, like)``: the gradient with respect to the filter.

All three share the attributes ``strides``, ``dilations`` (tuples, one per spatial
axis), ``groups`` and ``padding``: ``"SAME"``, ``"VALID"`` or explicit ``((lo, hi),
...)`` pairs.  ``SAME`` is resolved against the actual input size exactly as TF does
(``window_geometry``).

Speed: the kernels never loop over pixels, and keep BLAS on contiguous operands:

- forward and filter gradient copy the input's windows into one reused scratch matrix
  (im2col) and do a single matmul.  Single-channel inputs (a network's first layer) are
  copied tap by tap into a tap-major matrix instead, which is several times faster than a
  window view whose innermost run is one element;
- the input gradient does one small matmul per kernel tap, ``g @ w[tap].T``, into a
  scratch slab that is still in cache when it is added into the taps' input cells (col2im).
  One big matmul followed by nine strided adds reads the product back from main memory
  (but for a handful of input channels one matmul is better than matrix-vector products);
- padding never builds a padded copy where a tap's valid span (``tap_spans``) suffices.

Depthwise convolutions skip im2col and accumulate per tap.
"""

from __future__ import annotations

import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from fluxion.core.primitive import Aval, bind, define
from fluxion.core.tensor import Tensor


# --- geometry shared with pooling ---------------------------------------------------------------
def window_geometry(in_sizes, kernel, strides, dilations, padding) -> tuple[tuple, tuple]:
    """TF's output sizes and ``(lo, hi)`` pads per spatial axis; None where unknown.

    Raises ValueError when a window does not fit in the padded input.
    """
    pads, outs = [], []
    for axis, (size, k, s, d) in enumerate(zip(in_sizes, kernel, strides, dilations)):
        extent = None if k is None else d * (k - 1) + 1
        if padding == "SAME":
            out = None if size is None else -(-size // s)
            if size is None or extent is None:
                pads.append((None, None))
            else:
                total = max((out - 1) * s + extent - size, 0)
                pads.append((total // 2, total - total // 2))
            outs.append(out)
            continue
        lo, hi = (0, 0) if padding == "VALID" else padding[axis]
        pads.append((lo, hi))
        if size is None or extent is None:
            outs.append(None)
            continue
        padded = size + lo + hi
        if padded < extent:
            raise ValueError(
                f"the window (extent {extent} along spatial axis {axis}, kernel size {k}, "
                f"dilation {d}) is larger than the padded input ({padded} = size {size} + "
                f"pads {lo}+{hi}); use padding='SAME' or a larger input")
        outs.append((padded - extent) // s + 1)
    return tuple(pads), tuple(outs)


def pad_spatial(x: np.ndarray, pads: tuple, value=0) -> np.ndarray:
    """``x`` padded along its spatial axes (all but the first and last) with ``value``."""
    if not any(lo or hi for lo, hi in pads):
        return x
    shape = (x.shape[0],) + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[1:-1], pads))
    out = np.empty(shape + (x.shape[-1],), dtype=x.dtype)
    # Fill only the borders: writing the whole array first would double the memory traffic.
    for axis, ((lo, hi), n) in enumerate(zip(pads, x.shape[1:-1]), start=1):
        for start, stop in ((0, lo), (lo + n, lo + n + hi)):
            if stop > start:
                index = [slice(None)] * out.ndim
                index[axis] = slice(start, stop)
                out[tuple(index)] = value
    out[interior(pads, x.shape[1:-1])] = x
    return out


def interior(pads: tuple, sizes: tuple) -> tuple:
    """The index of the unpadded region inside a padded ``[N, *spatial, C]`` array."""
    return (slice(None),) + tuple(slice(lo, lo + n) for (lo, _), n in zip(pads, sizes)) + (
        slice(None),)


def windows(xp: np.ndarray, outs: tuple, kernel: tuple, strides: tuple,
            dilations: tuple) -> np.ndarray:
    """A read-only view ``[N, *outs, *kernel, C]`` with ``[n, o, t, c] = xp[n, o*s + t*d, c]``."""
    sn, *ss, sc = xp.strides
    shape = (xp.shape[0],) + tuple(outs) + tuple(kernel) + (xp.shape[-1],)
    steps = (sn,) + tuple(a * s for a, s in zip(ss, strides)) + tuple(
        a * d for a, d in zip(ss, dilations)) + (sc,)
    return as_strided(xp, shape, steps, writeable=False)


def tap_regions(outs: tuple, kernel: tuple, strides: tuple, dilations: tuple):
    """For each kernel tap ``t``: (t, the strided index of the input cells it touches)."""
    for tap in np.ndindex(*kernel):
        yield tap, (slice(None),) + tuple(
            slice(t * d, t * d + s * (o - 1) + 1, s)
            for t, o, s, d in zip(tap, outs, strides, dilations)) + (slice(None),)


def tap_spans(in_sizes: tuple, outs: tuple, kernel: tuple, strides: tuple, dilations: tuple,
              pads: tuple):
    """For each kernel tap: ``(number, spans)``, where ``spans`` is None when the tap reads only
    padding, else ``(out_index, in_index, full)``: the outputs whose tap reads a real input
    cell, those cells (both ``[N, *spatial]`` indices, no channel axis), and whether that is
    every output.  This is what lets kernels skip building padded copies."""
    per_axis = []
    for n, o, k, s, d, (lo, _) in zip(in_sizes, outs, kernel, strides, dilations, pads):
        spans = []
        for t in range(k):
            first = max(0, -((t * d - lo) // s))  # ceil((lo - t * d) / s)
            last = min(o, (n - 1 - t * d + lo) // s + 1)
            if last <= first:
                spans.append(None)
                continue
            start = first * s + t * d - lo
            spans.append((slice(first, last), slice(start, start + (last - first - 1) * s + 1, s),
                          first == 0 and last == o))
        per_axis.append(spans)
    for number, tap in enumerate(np.ndindex(*kernel)):
        parts = [per_axis[axis][t] for axis, t in enumerate(tap)]
        if any(part is None for part in parts):
            yield number, None
            continue
        yield number, ((slice(None),) + tuple(part[0] for part in parts),
                       (slice(None),) + tuple(part[1] for part in parts),
                       all(part[2] for part in parts))


def _tap(view: np.ndarray, rank: int, tap: tuple) -> np.ndarray:
    """One kernel tap ``[N, *outs, C]`` of a ``windows`` view."""
    return view[(slice(None),) * (rank + 1) + tap]


# --- scratch memory -------------------------------------------------------------------------------
# im2col matrices are big and live only for one matmul.  Fresh ones cost page faults on every
# call (a training step allocates and frees them again and again), so each thread keeps one
# buffer, up to _SCRATCH_LIMIT bytes, and reuses it.
_SCRATCH_LIMIT = 64 << 20
_scratch = threading.local()


def scratch(shape: tuple, dtype) -> np.ndarray:
    """An uninitialised array valid until the next ``scratch`` call on this thread."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    if nbytes > _SCRATCH_LIMIT:
        return np.empty(shape, dtype)
    buffer = getattr(_scratch, "buffer", None)
    if buffer is None or buffer.nbytes < nbytes:
        buffer = _scratch.buffer = np.empty(max(nbytes, 1 << 20), np.uint8)
    return buffer[:nbytes].view(dtype).reshape(shape)


def im2col(x: np.ndarray, kernel: tuple, strides: tuple, dilations: tuple, pads: tuple,
           outs: tuple, allocate=scratch) -> np.ndarray:
    """The ``[rows, taps * C]`` patch matrix of ``x`` (in scratch memory unless ``allocate``
    says otherwise; for C == 1 it is the transpose of a contiguous tap-major matrix, which
    BLAS reads just as well)."""
    batch, channels = x.shape[0], x.shape[-1]
    rows = batch * int(np.prod(outs))
    if channels == 1:
        taps = int(np.prod(kernel))
        cols = allocate((taps, batch) + tuple(outs), x.dtype)
        flat = x[..., 0]
        for number, spans in tap_spans(x.shape[1:-1], outs, kernel, strides, dilations, pads):
            if spans is None or not spans[2]:
                cols[number] = 0
            if spans is not None:
                cols[number][spans[0]] = flat[spans[1]]
        return cols.reshape(taps, rows).T
    view = windows(pad_spatial(x, pads), outs, kernel, strides, dilations)
    cols = allocate(view.shape, view.dtype)
    np.copyto(cols, view)
    return cols.reshape(rows, -1)


# --- kernels --------------------------------------------------------------------------------------
PATCH_BUDGET_BYTES = 64 << 20  # above this, im2col is done a few samples at a time


def _samples_per_chunk(x: np.ndarray, outs: tuple, columns: int) -> int:
    """How many samples' patches fit in the budget (all of them for ordinary layers)."""
    per_sample = int(np.prod(outs)) * columns * x.dtype.itemsize
    return max(1, PATCH_BUDGET_BYTES // max(per_sample, 1))


def _setup(x_shape, w_shape, strides, padding, dilations):
    kernel = tuple(w_shape[:-2])
    pads, outs = window_geometry(x_shape[1:-1], kernel, strides, dilations, padding)
    return kernel, pads, outs


def _conv_kernel(x, w, strides, padding, dilations, groups):
    kernel, pads, outs = _setup(x.shape, w.shape, strides, padding, dilations)
    rows = x.shape[0] * int(np.prod(outs))
    taps = int(np.prod(kernel))
    cin, cout = w.shape[-2], w.shape[-1]
    out_shape = (x.shape[0],) + outs + (cout,)
    if groups == 1:
        chunk = _samples_per_chunk(x, outs, taps * cin)
        if chunk < x.shape[0]:  # a huge patch matrix: build it a few samples at a time
            out = np.empty(out_shape, dtype=np.result_type(x, w))
            flat_w = w.reshape(taps * cin, cout)
            for start in range(0, x.shape[0], chunk):
                part = x[start:start + chunk]
                cols = im2col(part, kernel, strides, dilations, pads, outs)
                out[start:start + chunk] = (cols @ flat_w).reshape(
                    (part.shape[0],) + outs + (cout,))
            return out
        cols = im2col(x, kernel, strides, dilations, pads, outs)
        return (cols @ w.reshape(taps * cin, cout)).reshape(out_shape)
    view = windows(pad_spatial(x, pads), outs, kernel, strides, dilations)
    per_group = cout // groups
    if cin == 1:  # depthwise: accumulate tap by tap, no im2col
        out = np.zeros((x.shape[0],) + outs + (groups, per_group), dtype=np.result_type(x, w))
        for tap in np.ndindex(*kernel):
            out += _tap(view, len(outs), tap)[..., None] * w[tap].reshape(groups, per_group)
        return out.reshape(out_shape)
    cols = view.reshape(rows, taps, groups, cin).transpose(2, 0, 1, 3).reshape(
        groups, rows, taps * cin)
    wg = w.reshape(taps, cin, groups, per_group).transpose(2, 0, 1, 3).reshape(
        groups, taps * cin, per_group)
    return np.matmul(cols, wg).transpose(1, 0, 2).reshape(out_shape)


def _conv_input_grad_kernel(g, w, like, strides, padding, dilations, groups):
    g = np.ascontiguousarray(g)  # a broadcast cotangent would keep matmul off BLAS
    kernel, pads, outs = _setup(like.shape, w.shape, strides, padding, dilations)
    taps = int(np.prod(kernel))
    cin, cout = w.shape[-2], w.shape[-1]
    batch, channels = like.shape[0], like.shape[-1]
    rows = batch * int(np.prod(outs))
    per_group = cout // groups
    dtype = np.result_type(g, w)
    dx = np.zeros(like.shape, dtype=dtype)
    spans = tap_spans(like.shape[1:-1], outs, kernel, strides, dilations, pads)
    if groups == 1 and cin < 8:
        # Few input channels: per-tap products would be matrix-vector products; do one matmul.
        product = scratch((rows, taps * cin), dtype)
        np.matmul(g.reshape(rows, cout), w.reshape(taps * cin, cout).T, out=product)
        tap_product = product.reshape(g.shape[:-1] + (taps, cin))
        for number, span in spans:
            if span is not None:
                dx[span[1]] += tap_product[..., number, :][span[0]]
        return dx
    if groups == 1:
        # Tap by tap: each product [rows, cin] is added into dx while it is still in cache.
        g2 = g.reshape(rows, cout)
        w_t = np.ascontiguousarray(w.reshape(taps, cin, cout).transpose(0, 2, 1))
        product = scratch((rows, cin), dtype)
        tap_product = product.reshape(g.shape[:-1] + (cin,))
        for number, span in spans:
            if span is not None:
                np.matmul(g2, w_t[number], out=product)
                dx[span[1]] += tap_product[span[0]]
        return dx
    taps_list = list(np.ndindex(*kernel))
    if cin == 1:
        gg = g.reshape(g.shape[:-1] + (groups, per_group))
        tap_cols = lambda number: np.einsum(  # noqa: E731
            "...gm,gm->...g", gg, w[taps_list[number]].reshape(groups, per_group))
    else:
        gg = g.reshape(rows, groups, per_group).transpose(1, 0, 2)
        wg = w.reshape(taps * cin, groups, per_group).transpose(1, 2, 0)
        cols = np.matmul(gg, wg).reshape((groups,) + g.shape[:-1] + kernel + (cin,))
        cols = np.moveaxis(cols, 0, -2)  # [N, *outs, *kernel, groups, cin]
        tap_cols = lambda number: _tap(cols, len(outs), taps_list[number]).reshape(  # noqa: E731
            g.shape[:-1] + (channels,))
    for number, span in spans:
        if span is not None:
            dx[span[1]] += tap_cols(number)[span[0]]
    return dx


def _conv_filter_grad_kernel(x, g, like, strides, padding, dilations, groups):
    g = np.ascontiguousarray(g)
    kernel, pads, outs = _setup(x.shape, like.shape, strides, padding, dilations)
    rows = x.shape[0] * int(np.prod(outs))
    taps = int(np.prod(kernel))
    cin, cout = like.shape[-2], like.shape[-1]
    per_group = cout // groups
    if groups == 1:
        chunk = _samples_per_chunk(x, outs, taps * cin)
        if chunk < x.shape[0]:  # a huge patch matrix: accumulate over a few samples a time
            dw = np.zeros((taps * cin, cout), dtype=np.result_type(x, g))
            per_sample = int(np.prod(outs))
            for start in range(0, x.shape[0], chunk):
                part = x[start:start + chunk]
                cols = im2col(part, kernel, strides, dilations, pads, outs)
                dw += cols.T @ g[start:start + chunk].reshape(part.shape[0] * per_sample, cout)
            return dw.reshape(like.shape)
        cols = im2col(x, kernel, strides, dilations, pads, outs)
        return (cols.T @ g.reshape(rows, cout)).reshape(like.shape)
    view = windows(pad_spatial(x, pads), outs, kernel, strides, dilations)
    gg = g.reshape(rows, groups, per_group)
    if cin == 1:
        dw = np.empty(kernel + (groups, per_group), dtype=np.result_type(x, g))
        for tap in np.ndindex(*kernel):
            dw[tap] = np.einsum("rg,rgm->gm", _tap(view, len(outs), tap).reshape(rows, groups),
                                gg)
        return dw.reshape(like.shape)
    cols = view.reshape(rows, taps, groups, cin).transpose(2, 1, 3, 0).reshape(
        groups, taps * cin, rows)
    dw = np.matmul(cols, gg.transpose(1, 0, 2))  # [groups, taps * cin, per_group]
    return dw.reshape(groups, taps, cin, per_group).transpose(1, 2, 0, 3).reshape(like.shape)


# --- the patch matrix as a value of its own ----------------------------------------------------
# A training step convolves x in the forward pass and builds x's patch matrix again for the
# filter gradient.  The graph pass ``share_patches`` rewrites such a pair into one
# ``im2col`` node feeding ``conv_patches`` and ``filter_grad_patches``, so the patches are
# built once.  These run after differentiation only, so they need no gradient rules.
def _im2col_kernel(x, kernel, strides, padding, dilations):
    pads, outs = window_geometry(x.shape[1:-1], kernel, strides, dilations, padding)
    return im2col(x, kernel, strides, dilations, pads, outs, allocate=np.empty)


def _conv_patches_kernel(cols, w, like, strides, padding, dilations):
    _, outs = window_geometry(like.shape[1:-1], w.shape[:-2], strides, dilations, padding)
    out = cols @ w.reshape(-1, w.shape[-1])
    return out.reshape((like.shape[0],) + outs + (w.shape[-1],))


def _filter_grad_patches_kernel(cols, g, like):
    g = np.ascontiguousarray(g)
    return (cols.T @ g.reshape(-1, g.shape[-1])).reshape(like.shape)


def _im2col_rule(x: Aval, kernel, strides, padding, dilations) -> Aval:
    _, outs = window_geometry(x.shape[1:-1], kernel, strides, dilations, padding)
    known = [x.shape[0], *outs]
    rows = None if None in known else int(np.prod(known))
    width = None if x.shape[-1] is None else int(np.prod(kernel)) * x.shape[-1]
    return Aval((rows, width), x.dtype)


def _conv_patches_rule(cols: Aval, w: Aval, like: Aval, strides, padding, dilations) -> Aval:
    return _conv_rule(like, w, strides, padding, dilations, 1)


im2col_p = define("im2col", _im2col_kernel, _im2col_rule, fresh_output=True)
conv_patches_p = define("conv_patches", _conv_patches_kernel, _conv_patches_rule,
                        fresh_output=True, shape_only=(2,))
filter_grad_patches_p = define("filter_grad_patches", _filter_grad_patches_kernel,
                               lambda cols, g, like: Aval(like.shape, g.dtype),
                               fresh_output=True, shape_only=(2,))


# --- shape rules ---------------------------------------------------------------------------------
def _check_operands(x: Aval, w: Aval, strides, groups, x_name="input"):
    rank = len(strides) + 2
    if len(x.shape) != rank:
        raise ValueError(f"expected the {x_name} to have rank {rank} ([batch, *spatial, "
                         f"channels]), got shape {list(x.shape)}")
    if len(w.shape) != rank:
        raise ValueError(f"expected the filter to have rank {rank} ([*kernel, in_channels, "
                         f"out_channels]), got shape {list(w.shape)}")
    if x.dtype is not w.dtype:
        raise TypeError(f"the {x_name} and the filter must have one dtype, got "
                        f"{x.dtype.name} and {w.dtype.name}")
    if x.dtype.is_bool or not (x.dtype.is_floating or x.dtype.is_integer):
        raise TypeError(f"expected a floating-point or integer {x_name}, got {x.dtype.name}")
    channels, cin, cout = x.shape[-1], w.shape[-2], w.shape[-1]
    if channels is not None and cin is not None and channels != cin * groups:
        raise ValueError(f"the {x_name} has {channels} channels but the filter expects "
                         f"{cin * groups} ({cin} per group x {groups} groups); filter shape "
                         f"{list(w.shape)}, {x_name} shape {list(x.shape)}")
    if cout is not None and cout % groups:
        raise ValueError(f"the filter's {cout} output channels are not divisible into "
                         f"{groups} groups")


def _conv_rule(x: Aval, w: Aval, strides, padding, dilations, groups) -> Aval:
    _check_operands(x, w, strides, groups)
    _, outs = window_geometry(x.shape[1:-1], w.shape[:-2], strides, dilations, padding)
    return Aval((x.shape[0],) + outs + (w.shape[-1],), x.dtype)


def _check_cotangent(g: Aval, x_shape, w_shape, strides, padding, dilations):
    _, outs = window_geometry(x_shape[1:-1], w_shape[:-2], strides, dilations, padding)
    want = (x_shape[0],) + outs + (w_shape[-1],)
    if len(g.shape) != len(want) or any(
            a is not None and b is not None and a != b for a, b in zip(g.shape, want)):
        raise ValueError(f"the output gradient has shape {list(g.shape)} but the "
                         f"convolution's output has shape {list(want)}")


def _input_grad_rule(g: Aval, w: Aval, like: Aval, strides, padding, dilations, groups):
    _check_operands(like._replace(dtype=g.dtype), w, strides, groups, "output")
    _check_cotangent(g, like.shape, w.shape, strides, padding, dilations)
    return Aval(like.shape, g.dtype)


def _filter_grad_rule(x: Aval, g: Aval, like: Aval, strides, padding, dilations, groups):
    _check_operands(x, like._replace(dtype=x.dtype), strides, groups)
    if g.dtype is not x.dtype:
        raise TypeError(f"the input and the output gradient must have one dtype, got "
                        f"{x.dtype.name} and {g.dtype.name}")
    _check_cotangent(g, x.shape, like.shape, strides, padding, dilations)
    return Aval(like.shape, x.dtype)


# --- gradient rules: each primitive's VJP is made of the three primitives ------------------------
def _conv_vjp(g, xs, out, **attrs):
    x, w = xs
    return conv_input_grad(g, w, x, **attrs), conv_filter_grad(x, g, w, **attrs)


def _input_grad_vjp(ct, xs, out, **attrs):
    g, w, _ = xs
    return conv(ct, w, **attrs), conv_filter_grad(ct, g, w, **attrs), None


def _filter_grad_vjp(ct, xs, out, **attrs):
    x, g, _ = xs
    return conv_input_grad(g, ct, x, **attrs), conv(x, ct, **attrs), None


conv_p = define("conv", _conv_kernel, _conv_rule, _conv_vjp, fresh_output=True)
conv_input_grad_p = define("conv_input_grad", _conv_input_grad_kernel, _input_grad_rule,
                           _input_grad_vjp, fresh_output=True, shape_only=(2,))
conv_filter_grad_p = define("conv_filter_grad", _conv_filter_grad_kernel, _filter_grad_rule,
                            _filter_grad_vjp, fresh_output=True, shape_only=(2,))


# --- thin functions (attributes already normalised by fluxion.ops.conv_ops) -----------------------
def conv(x: Tensor, w: Tensor, *, strides: tuple, padding, dilations: tuple,
         groups: int = 1) -> Tensor:
    """Channels-last N-d convolution of ``x`` with ``w`` (``[*kernel, C // groups, O]``)."""
    return bind(conv_p, x, w, strides=strides, padding=padding, dilations=dilations,
                groups=groups)


def conv_input_grad(g: Tensor, w: Tensor, like: Tensor, *, strides: tuple, padding,
                    dilations: tuple, groups: int = 1) -> Tensor:
    """The transposed convolution of ``g``: the input gradient, shaped like ``like``."""
    return bind(conv_input_grad_p, g, w, like, strides=strides, padding=padding,
                dilations=dilations, groups=groups)


def conv_filter_grad(x: Tensor, g: Tensor, like: Tensor, *, strides: tuple, padding,
                     dilations: tuple, groups: int = 1) -> Tensor:
    """The filter gradient of ``conv(x, w)`` for output gradient ``g``, shaped like ``like``."""
    return bind(conv_filter_grad_p, x, g, like, strides=strides, padding=padding,
                dilations=dilations, groups=groups)
