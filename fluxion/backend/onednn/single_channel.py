"""Filter (and bias) gradients of a convolution over ONE input channel, as one product.

A network's first convolution often reads one channel (grey images).  oneDNN's
backward-weights primitive is slow there: for mnist_convnet's first layer (128 x 28 x
28 x 1 images, 3 x 3 filters, 32 outputs) it ran at ~35 GFLOP/s, 1,380 us of CPU a
step.  With one channel the patch matrix is small: one row per filter tap, each row a
strided view of the input (9 copies of a 400 KB input), and a row of ones for the bias.
The gradients are then one matrix product, ``rows (taps + 1, N*H*W) @ g (N*H*W, O)``,
on oneDNN's matmul: ~820 us (patch rows ~300, product ~560), the cotangent read once.
(With 3 input channels the patch rows cost more than they save, and the forward
convolution is no faster this way: measured, both stay on the convolution primitive.)

The product sums in another order than the convolution primitive, so results agree to
float32 rounding, not bit for bit.  Anything else (groups, more channels, other
dtypes, a product oneDNN's matmul declines) returns None: the caller runs the
convolution primitive.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from fluxion.backend.onednn import matmul
from fluxion.backend.onednn.geometry import window_pads


def filter_grad(api, x, g, like, strides, padding, dilations, groups, with_bias: bool):
    """``dw`` (or ``(dw, db)`` with ``with_bias``) for one input channel, or None."""
    if (groups != 1 or x.dtype != np.float32 or g.dtype != np.float32 or x.shape[-1] != 1
            or like.shape[-2] != 1 or x.ndim < 3):
        return None
    kernel, channels = tuple(like.shape[:-2]), like.shape[-1]
    try:
        pads, outs = window_pads(tuple(x.shape[1:-1]), kernel, tuple(strides),
                                 tuple(dilations), padding)
    except ValueError:
        return None
    if tuple(g.shape) != (x.shape[0], *outs, channels):
        return None
    rows = patch_rows(x, kernel, strides, dilations, pads, outs, with_bias)
    product = matmul.matmul(api, rows, np.ascontiguousarray(g).reshape(-1, channels))
    if product is None:
        return None
    taps = math.prod(kernel)
    dw = np.ascontiguousarray(product[:taps]).reshape(like.shape)
    return (dw, np.ascontiguousarray(product[taps])) if with_bias else dw


def patch_rows(x, kernel, strides, dilations, pads, outs, with_ones: bool) -> np.ndarray:
    """``(taps [+ 1], N * prod(outs))``: row ``t`` holds the input under filter tap ``t``
    (taps in row-major kernel order) at every output position; the last row is ones."""
    if any(lo or hi for lo, hi in pads):
        x = np.pad(x, [(0, 0), *pads, (0, 0)])
    taps = math.prod(kernel)
    rows = np.empty((taps + int(with_ones), x.shape[0], *outs), x.dtype)
    for tap, offsets in enumerate(itertools.product(*(range(k) for k in kernel))):
        window = tuple(slice(o * d, o * d + (n - 1) * s + 1, s)
                       for o, d, s, n in zip(offsets, dilations, strides, outs))
        rows[tap] = x[(slice(None), *window, 0)]
    if with_ones:
        rows[taps] = 1
    return rows.reshape(rows.shape[0], -1)
