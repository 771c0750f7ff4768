"""Pooling primitives: N-d max and average pooling, channels-last, with TF's padding rules.

- ``max_pool(x)``: padded cells hold the lowest value, so ``SAME`` ignores them;
- ``max_pool_grad(x, g)``: routes each output gradient to the first maximum of its window
  (in window scan order, as TF does) and sums where windows overlap;
- ``max_pool_gather(x, h)``: reads ``h`` at those same positions.  It is the adjoint of
  ``max_pool_grad``, so the two are each other's VJP and every order of derivative works;
- ``avg_pool(x)`` / ``avg_pool_grad(g, like)``: the mean over the real (unpadded) cells of
  each window, and its adjoint; again each other's VJP.

Attributes: ``window``, ``strides``, ``dilations`` (tuples, one per spatial axis) and
``padding`` (``"SAME"``, ``"VALID"`` or explicit ``((lo, hi), ...)``).  The kernels loop
over the window's taps (a handful), never over pixels.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.conv import (
    interior,
    pad_spatial,
    tap_regions,
    tap_spans,
    window_geometry,
    windows,
)
from fluxion.core.tensor import Tensor


def _lowest(dtype: np.dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _view(x, window, strides, padding, dilations, value):
    pads, outs = window_geometry(x.shape[1:-1], window, strides, dilations, padding)
    return windows(pad_spatial(x, pads, value), outs, window, strides, dilations), pads, outs


def _taps(view: np.ndarray, window: tuple) -> list:
    lead = (slice(None),) * (view.ndim - len(window) - 1)
    return [view[lead + tap] for tap in np.ndindex(*window)]


def _first_max(taps: list, need_max: bool = False):
    """Where each tap holds its window's first maximum in scan order (TF's choice on ties).

    A tournament over the taps in scan order: at each match the later half wins only where
    it is strictly greater, so ties go to the earlier tap.  That is a few whole-array passes
    per tap, against one per tap and per pixel for an argmax index.  Returns the maximum
    (when ``need_max``) and one boolean mask per tap (None for a single tap: everywhere).
    """
    if len(taps) == 1:
        return taps[0], [None]
    half = len(taps) // 2
    left, left_masks = _first_max(taps[:half], need_max=True)
    right, right_masks = _first_max(taps[half:], need_max=True)
    right_wins = np.greater(right, left)
    left_wins = ~right_wins
    masks = []
    for mask, wins in [(m, left_wins) for m in left_masks] + [(m, right_wins)
                                                               for m in right_masks]:
        masks.append(wins if mask is None else np.logical_and(mask, wins, out=mask))
    return (np.maximum(left, right) if need_max else None), masks


def _route(g: np.ndarray, mask, out: np.ndarray) -> np.ndarray:
    """``g`` where ``mask``, else 0, written into ``out``."""
    if mask is None:
        np.copyto(out, g)
        return out
    return np.multiply(g, mask, out=out, dtype=out.dtype)


# --- the common case: windows that tile the input (strides == window, no padding) ------------
def _tiling(x_shape, window, strides, padding, dilations) -> bool:
    if tuple(window) != tuple(strides) or any(d != 1 for d in dilations):
        return False
    pads, _ = window_geometry(x_shape[1:-1], window, strides, dilations, padding)
    return not any(lo or hi for lo, hi in pads)


def _blocks(x, window):
    """``x`` cropped to whole windows, as a view [N, o1, w1, o2, w2, ..., C]."""
    outs = tuple(n // w for n, w in zip(x.shape[1:-1], window))
    crop = x[(slice(None),) + tuple(slice(0, o * w) for o, w in zip(outs, window))]
    shape = (x.shape[0],) + tuple(d for o, w in zip(outs, window) for d in (o, w)) \
        + (x.shape[-1],)
    return crop.reshape(shape), outs


def _block_taps(blocks: np.ndarray, window: tuple) -> list:
    """Each window tap of a ``_blocks`` view: strided views [N, *outs, C], in scan order."""
    taps = []
    for tap in np.ndindex(*window):
        index = [slice(None)] * blocks.ndim
        for axis, t in enumerate(tap):
            index[2 + 2 * axis] = t
        taps.append(blocks[tuple(index)])
    return taps


def _pairwise_max(taps: list):
    """The maximum over ``taps`` by a balanced tree of ``np.maximum`` (no copy of a tap)."""
    if len(taps) == 1:
        return taps[0]
    half = len(taps) // 2
    return np.maximum(_pairwise_max(taps[:half]), _pairwise_max(taps[half:]))


def _tiled_max(x, window):
    """The maximum of each window: np.maximum over the taps (strided views), several times
    faster than a reduction over the interleaved window axes."""
    taps = _block_taps(_blocks(x, window)[0], window)
    out = taps[0].copy()
    for tap in taps[1:]:
        np.maximum(out, tap, out=out)
    return out


def _route_to_first_max(taps: list, g: np.ndarray, outs: list) -> None:
    """Writes ``g`` into ``outs[k]`` where ``taps[k]`` holds its window's first maximum, 0
    elsewhere.

    The same tournament as ``_first_max`` (ties go to the earlier half), but routed top
    down: at each match ``g`` splits into the part the right half wins and the rest, so
    every tap costs two passes instead of a mask per tap and per level.
    """
    if len(taps) == 1:
        np.copyto(outs[0], g)
        return
    half = len(taps) // 2
    right_wins = np.greater(_pairwise_max(taps[half:]), _pairwise_max(taps[:half]))
    if len(taps) == 2:
        np.multiply(g, right_wins, out=outs[1], dtype=g.dtype)
        np.multiply(g, np.logical_not(right_wins, out=right_wins), out=outs[0], dtype=g.dtype)
        return
    g_right = np.multiply(g, right_wins, dtype=g.dtype)
    g_left = np.multiply(g, np.logical_not(right_wins, out=right_wins), dtype=g.dtype)
    _route_to_first_max(taps[:half], g_left, outs[:half])
    _route_to_first_max(taps[half:], g_right, outs[half:])


def _tap_major(blocks: np.ndarray, window: tuple) -> tuple:
    """The axes permutation that turns a ``_blocks`` view into ``[*window, N, *outs, C]``."""
    n = len(window)
    return tuple(2 + 2 * a for a in range(n)) + (0,) + tuple(1 + 2 * a for a in range(n)) + (
        blocks.ndim - 1,)


def _tiled_max_pool_grad(x, g, window):
    """Routes ``g`` to each window's first maximum.

    The taps of ``x`` are first copied into one tap-major array, the tournament runs on
    contiguous taps, and the routed gradients are copied back into place in one pass:
    ufuncs over strided taps (innermost run: the channels) cost four to five times more
    per element than over contiguous ones, so two strided copies beat a dozen strided
    passes.
    """
    x_taps = _tap_major_copy(x, window)
    routed = np.empty(x_taps.shape, dtype=g.dtype)
    _route_to_first_max(list(x_taps), g, list(routed))
    dx, dx_blocks = _empty_gradient(x.shape, g.dtype, window)
    in_place = dx_blocks.transpose(_tap_major(dx_blocks, window))
    np.copyto(in_place, routed.reshape(in_place.shape))
    return dx


def _tap_major_copy(x, window) -> np.ndarray:
    """``x`` 's window taps as one contiguous ``[taps, N, *outs, C]`` array."""
    blocks, _ = _blocks(x, window)
    order = _tap_major(blocks, window)
    taps_shape = tuple(blocks.shape[a] for a in order)
    x_taps = np.empty(taps_shape, dtype=x.dtype)
    np.copyto(x_taps, blocks.transpose(order))
    return x_taps.reshape((int(np.prod(window)),) + taps_shape[len(window):])


def _empty_gradient(shape, dtype, window) -> tuple:
    """An uninitialised gradient shaped like the pooled input (zero past the last whole
    window) and its ``_blocks`` view."""
    dx = np.empty(shape, dtype=dtype)
    dx_blocks, outs = _blocks(dx, window)
    for axis, (n, o, w) in enumerate(zip(shape[1:-1], outs, window), start=1):
        if o * w < n:  # cells past the last whole window get no gradient
            index = [slice(None)] * dx.ndim
            index[axis] = slice(o * w, None)
            dx[tuple(index)] = 0
    return dx, dx_blocks


# --- max pooling that keeps each window's winner (for training graphs) -------------------------
# ``fluxion.graph.passes.backward_rewrites`` turns a training step's max_pool(x) and
# max_pool_grad(x, g) into max_pool_with_index(x) -> (y, winner) and
# max_pool_grad_from_index(winner, g, x): the forward pass finds each window's first
# maximum once (the tournament, on the strided taps), and the backward pass only
# compares a byte per output cell instead of running the tournament again.  Tiling
# windows only (strides equal to the window, no padding, no dilation); they run after
# differentiation, so they have no gradient rules.  ``activation="relu"`` applies ReLU to
# the pooled output (``relu(max_pool(z))``, which equals ``max_pool(relu(z))``), a
# post-op where oneDNN runs it; the winners stay those of ``z``.
def _max_and_winner(taps: list) -> tuple:
    """The maximum over ``taps`` and the number of the first tap holding it (uint8, or
    None for a single tap: tap 0 everywhere)."""
    if len(taps) == 1:
        return taps[0], None
    half = len(taps) // 2
    left, left_winner = _max_and_winner(taps[:half])
    right, right_winner = _max_and_winner(taps[half:])
    right_wins = np.greater(right, left).view(np.uint8)
    best = np.maximum(left, right)
    if left_winner is None and right_winner is None:  # two taps: the winner is right_wins
        return best, right_wins
    if left_winner is None:
        left_winner = np.zeros_like(right_wins)
    if right_winner is None:
        right_winner = np.zeros_like(right_wins)
    # winner = left + right_wins * (right + half - left), all modulo 256: exact below 256
    step = np.add(right_winner, np.uint8(half))
    step -= left_winner
    step *= right_wins
    step += left_winner
    return best, step


POOL_ACTIVATIONS = ("linear", "relu")


def _max_pool_with_index_kernel(x, window, strides, padding, dilations, activation="linear"):
    best, winner = _max_and_winner(_block_taps(_blocks(x, window)[0], window))
    if winner is None:  # a 1x1 window: ``best`` is a view of x, and outputs must be fresh
        best, winner = best.copy(), np.zeros(best.shape, np.uint8)
    if activation == "relu":
        np.maximum(best, 0, out=best)
    return best, winner


def _max_pool_grad_from_index_kernel(winner, g, like, window, strides, padding, dilations):
    dx, dx_blocks = _empty_gradient(like.shape, g.dtype, window)
    hit = np.empty(winner.shape, bool)
    for number, out in enumerate(_block_taps(dx_blocks, window)):
        np.multiply(g, np.equal(winner, number, out=hit), out=out, dtype=g.dtype)
    return dx


def tiles(x_shape, window, strides, padding, dilations) -> bool:
    """Whether pooling windows tile the input (with static spatial sizes): the case the
    index-keeping kernels handle."""
    if None in tuple(x_shape[1:-1]) or int(np.prod(window)) > 255:
        return False
    return _tiling(x_shape, window, strides, padding, dilations)


def _with_index_rule(x: Aval, window, strides, padding, dilations,
                     activation="linear") -> tuple:
    if activation not in POOL_ACTIVATIONS:
        raise ValueError(f"max_pool_with_index: activation must be one of "
                         f"{POOL_ACTIVATIONS}, got {activation!r}")
    if not tiles(x.shape, window, strides, padding, dilations):
        raise ValueError("max_pool_with_index needs windows that tile the input (strides "
                         "equal to the window, no padding, no dilation), got window "
                         f"{window}, strides {strides}, padding {padding!r}")
    pooled = _max_pool_rule(x, window, strides, padding, dilations)
    return pooled, Aval(pooled.shape, dtypes.uint8)


def _grad_from_index_rule(winner: Aval, g: Aval, like: Aval, **attrs) -> Aval:
    return _max_pool_grad_rule(like, g, **attrs)


# --- max pooling ---------------------------------------------------------------------------------
def _max_pool_kernel(x, window, strides, padding, dilations):
    if _tiling(x.shape, window, strides, padding, dilations):
        return _tiled_max(x, window)
    view, _, _ = _view(x, window, strides, padding, dilations, _lowest(x.dtype))
    taps = _taps(view, window)
    out = taps[0].copy()
    for tap in taps[1:]:
        np.maximum(out, tap, out=out)
    return out


def _max_pool_grad_kernel(x, g, window, strides, padding, dilations):
    if _tiling(x.shape, window, strides, padding, dilations):
        return _tiled_max_pool_grad(x, g, window)
    view, pads, outs = _view(x, window, strides, padding, dilations, _lowest(x.dtype))
    _, masks = _first_max(_taps(view, window))
    dx = np.zeros(x.shape, dtype=g.dtype)
    routed = np.empty(g.shape, dtype=g.dtype)
    for number, span in tap_spans(x.shape[1:-1], outs, window, strides, dilations, pads):
        if span is not None:  # a tap that reads only padding never holds a maximum
            _route(g, masks[number], routed)
            dx[span[1]] += routed[span[0]]
    return dx


def _max_pool_gather_kernel(x, h, window, strides, padding, dilations):
    view, pads, outs = _view(x, window, strides, padding, dilations, _lowest(x.dtype))
    _, masks = _first_max(_taps(view, window))
    h_taps = _taps(windows(pad_spatial(h, pads), outs, window, strides, dilations), window)
    out = np.zeros(view.shape[:len(outs) + 1] + (x.shape[-1],), dtype=h.dtype)
    routed = np.empty_like(out)
    for mask, tap in zip(masks, h_taps):
        out += _route(tap, mask, routed)
    return out


def _argmax_taps(x, window, strides, padding, dilations):
    """The index (in scan order) of each window's first maximum, and the geometry."""
    view, pads, outs = _view(x, window, strides, padding, dilations, _lowest(x.dtype))
    _, masks = _first_max(_taps(view, window))
    index = np.zeros(view.shape[:len(outs) + 1] + (x.shape[-1],), dtype=np.int64)
    for number, mask in enumerate(masks):
        if mask is not None:
            index += number * mask
    return index, pads, outs


def _max_pool_argmax_kernel(x, window, strides, padding, dilations, include_batch, dtype):
    """Flat indices ``((b * H + y) * W + x) * C + c`` of each window's maximum."""
    index, pads, outs = _argmax_taps(x, window, strides, padding, dilations)
    offsets = np.array(list(np.ndindex(*window)), dtype=np.int64).reshape(-1, len(window))
    n = len(window)
    flat = np.zeros(index.shape, dtype=np.int64)
    if include_batch:
        flat += np.arange(x.shape[0]).reshape((-1,) + (1,) * (n + 1))
    for axis, (size, s, d, (lo, _), o) in enumerate(
            zip(x.shape[1:-1], strides, dilations, pads, outs)):
        starts = (np.arange(o) * s - lo).reshape((1,) * (axis + 1) + (o,) + (1,) * (n - axis))
        flat = flat * size + starts + offsets[index, axis] * d
    flat = flat * x.shape[-1] + np.arange(x.shape[-1])
    return flat.astype(dtype.np_dtype)


# --- average pooling ------------------------------------------------------------------------------
def _counts(sizes, window, strides, dilations, pads, outs, dtype) -> np.ndarray | float:
    """How many real cells each window covers, shaped to broadcast against the output."""
    if not any(lo or hi for lo, hi in pads):
        return float(np.prod(window))
    total = np.ones((), dtype=dtype)
    for axis, (n, k, s, d, (lo, _), o) in enumerate(
            zip(sizes, window, strides, dilations, pads, outs)):
        starts = np.arange(o)[:, None] * s - lo + np.arange(k)[None, :] * d
        per_axis = ((starts >= 0) & (starts < n)).sum(axis=1).astype(dtype)
        shape = [1] * (len(sizes) + 2)
        shape[axis + 1] = o
        total = total * per_axis.reshape(shape)
    return total


def _avg_pool_kernel(x, window, strides, padding, dilations):
    view, pads, outs = _view(x, window, strides, padding, dilations, 0)
    taps = _taps(view, window)
    out = taps[0].copy()
    for tap in taps[1:]:
        out += tap
    out /= _counts(x.shape[1:-1], window, strides, dilations, pads, outs, x.dtype)
    return out


def _avg_pool_grad_kernel(g, like, window, strides, padding, dilations):
    pads, outs = window_geometry(like.shape[1:-1], window, strides, dilations, padding)
    share = g / _counts(like.shape[1:-1], window, strides, dilations, pads, outs, g.dtype)
    padded = (like.shape[0],) + tuple(
        n + lo + hi for n, (lo, hi) in zip(like.shape[1:-1], pads))
    dxp = np.zeros(padded + (like.shape[-1],), dtype=g.dtype)
    for _, region in tap_regions(outs, window, strides, dilations):
        dxp[region] += share
    return dxp[interior(pads, like.shape[1:-1])]


# --- shape rules ---------------------------------------------------------------------------------
def _pooled(x: Aval, window, strides, padding, dilations, what="input") -> tuple:
    rank = len(window) + 2
    if len(x.shape) != rank:
        raise ValueError(f"expected the {what} to have rank {rank} ([batch, *spatial, "
                         f"channels]), got shape {list(x.shape)}")
    _, outs = window_geometry(x.shape[1:-1], window, strides, dilations, padding)
    return (x.shape[0],) + outs + (x.shape[-1],)


def _check_dtype(x: Aval, floating: bool) -> None:
    if x.dtype.is_bool or not (x.dtype.is_floating or (x.dtype.is_integer and not floating)):
        kind = "floating-point" if floating else "floating-point or integer"
        raise TypeError(f"expected a {kind} input, got {x.dtype.name}")


def _max_pool_rule(x: Aval, window, strides, padding, dilations) -> Aval:
    _check_dtype(x, floating=False)
    return Aval(_pooled(x, window, strides, padding, dilations), x.dtype)


def _check_pooled(g: Aval, x: Aval, attrs: dict, what: str) -> None:
    want = _pooled(x, **attrs)
    if len(g.shape) != len(want) or any(
            a is not None and b is not None and a != b for a, b in zip(g.shape, want)):
        raise ValueError(f"the {what} has shape {list(g.shape)} but the pooled output has "
                         f"shape {list(want)}")


def _max_pool_grad_rule(x: Aval, g: Aval, **attrs) -> Aval:
    _check_dtype(g, floating=True)
    _check_pooled(g, x, attrs, "output gradient")
    return Aval(x.shape, g.dtype)


def _max_pool_gather_rule(x: Aval, h: Aval, **attrs) -> Aval:
    _check_dtype(h, floating=True)
    if len(h.shape) != len(x.shape) or any(
            a is not None and b is not None and a != b for a, b in zip(h.shape, x.shape)):
        raise ValueError(f"the gathered tensor has shape {list(h.shape)}, expected the "
                         f"pooled input's shape {list(x.shape)}")
    return Aval(_pooled(x, **attrs), h.dtype)


def _max_pool_argmax_rule(x: Aval, window, strides, padding, dilations, include_batch,
                          dtype) -> Aval:
    _check_dtype(x, floating=False)
    if not dtype.is_integer:
        raise TypeError(f"the argmax dtype must be an integer type, got {dtype.name}")
    return Aval(_pooled(x, window, strides, padding, dilations), dtype)


def _avg_pool_rule(x: Aval, window, strides, padding, dilations) -> Aval:
    _check_dtype(x, floating=True)
    return Aval(_pooled(x, window, strides, padding, dilations), x.dtype)


def _avg_pool_grad_rule(g: Aval, like: Aval, **attrs) -> Aval:
    _check_dtype(g, floating=True)
    _check_pooled(g, like, attrs, "output gradient")
    return Aval(like.shape, g.dtype)


# --- gradient rules -------------------------------------------------------------------------------
max_pool_p = define("max_pool", _max_pool_kernel, _max_pool_rule,
                    lambda g, xs, out, **attrs: (max_pool_grad(xs[0], g, **attrs),),
                    fresh_output=True)
max_pool_grad_p = define(
    "max_pool_grad", _max_pool_grad_kernel, _max_pool_grad_rule,
    lambda ct, xs, out, **attrs: (None, max_pool_gather(xs[0], ct, **attrs)), fresh_output=True)
max_pool_gather_p = define(
    "max_pool_gather", _max_pool_gather_kernel, _max_pool_gather_rule,
    lambda ct, xs, out, **attrs: (None, max_pool_grad(xs[0], ct, **attrs)))
max_pool_with_index_p = define("max_pool_with_index", _max_pool_with_index_kernel,
                               _with_index_rule, multiple_results=True, fresh_output=True)
max_pool_grad_from_index_p = define("max_pool_grad_from_index", _max_pool_grad_from_index_kernel,
                                    _grad_from_index_rule, fresh_output=True, shape_only=(2,))
max_pool_argmax_p = define("max_pool_argmax", _max_pool_argmax_kernel, _max_pool_argmax_rule)
avg_pool_p = define("avg_pool", _avg_pool_kernel, _avg_pool_rule,
                    lambda g, xs, out, **attrs: (avg_pool_grad(g, xs[0], **attrs),),
                    fresh_output=True)
avg_pool_grad_p = define(
    "avg_pool_grad", _avg_pool_grad_kernel, _avg_pool_grad_rule,
    lambda ct, xs, out, **attrs: (avg_pool(ct, **attrs), None), fresh_output=True,
    shape_only=(1,))


# --- thin functions (attributes already normalised by fluxion.ops.pool_ops) -----------------------
def max_pool(x: Tensor, *, window: tuple, strides: tuple, padding,
             dilations: tuple) -> Tensor:
    return bind(max_pool_p, x, window=window, strides=strides, padding=padding,
                dilations=dilations)


def max_pool_grad(x: Tensor, g: Tensor, *, window: tuple, strides: tuple, padding,
                  dilations: tuple) -> Tensor:
    return bind(max_pool_grad_p, x, g, window=window, strides=strides, padding=padding,
                dilations=dilations)


def max_pool_gather(x: Tensor, h: Tensor, *, window: tuple, strides: tuple, padding,
                    dilations: tuple) -> Tensor:
    return bind(max_pool_gather_p, x, h, window=window, strides=strides, padding=padding,
                dilations=dilations)


def avg_pool(x: Tensor, *, window: tuple, strides: tuple, padding, dilations: tuple) -> Tensor:
    return bind(avg_pool_p, x, window=window, strides=strides, padding=padding,
                dilations=dilations)


def avg_pool_grad(g: Tensor, like: Tensor, *, window: tuple, strides: tuple, padding,
                  dilations: tuple) -> Tensor:
    return bind(avg_pool_grad_p, g, like, window=window, strides=strides, padding=padding,
                dilations=dilations)


def max_pool_argmax(x: Tensor, *, window: tuple, strides: tuple, padding, dilations: tuple,
                    include_batch: bool, dtype) -> Tensor:
    return bind(max_pool_argmax_p, x, window=window, strides=strides, padding=padding,
                dilations=dilations, include_batch=include_batch, dtype=dtype)
