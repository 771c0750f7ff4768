"""MAX_POOL_2D, AVERAGE_POOL_2D and L2_POOL_2D over NHWC windows, in NumPy.

Windows are strided views of the padded input (a plain reshape when they tile it); an
average divides by the number of window positions inside the input (TF's SAME rule).
The integer average rounds half away from zero, as TFLite's int8 kernel does."""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.fused_activation import apply_float, quantized_range
from fluxion.lite.interpreter.kernels.registry import kernel


def padding_amounts(size: int, window: int, stride: int, same: bool) -> tuple[int, int, int]:
    """(output size, padding before, padding after) of one spatial dimension."""
    if same:
        out = -(-size // stride)
        total = max((out - 1) * stride + window - size, 0)
        return out, total // 2, total - total // 2
    return (size - window) // stride + 1, 0, 0


def _geometry(x: np.ndarray, call):
    """((filter, stride, (out, before, after)) of the rows, then of the columns)."""
    same = call.option("Padding", 0) == 0
    fh, fw = call.option("FilterHeight"), call.option("FilterWidth")
    sh, sw = call.option("StrideH"), call.option("StrideW")
    return ((fh, sh, padding_amounts(x.shape[1], fh, sh, same)),
            (fw, sw, padding_amounts(x.shape[2], fw, sw, same)))


def windows(x: np.ndarray, call, fill) -> tuple[np.ndarray, tuple[int, int]]:
    """(a view holding every window of the padded input, the view's two window axes)."""
    (fh, sh, (oh, top, bottom)), (fw, sw, (ow, left, right)) = _geometry(x, call)
    if (fh, fw) == (sh, sw) and top == bottom == left == right == 0:
        # windows that tile the input: [n, out_h, fh, out_w, fw, c] by a reshape
        n, c = x.shape[0], x.shape[3]
        return x[:, :oh * fh, :ow * fw].reshape(n, oh, fh, ow, fw, c), (2, 4)
    if top or bottom or left or right:
        x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    view = np.lib.stride_tricks.sliding_window_view(x, (fh, fw), axis=(1, 2))
    return view[:, ::sh, ::sw][:, :oh, :ow], (4, 5)


def window_counts(x: np.ndarray, call) -> np.ndarray:
    """How many positions of each window lie inside the input: [1, out_h, out_w, 1]."""
    (fh, sh, (oh, top, bottom)), (fw, sw, (ow, left, right)) = _geometry(x, call)
    inside = np.pad(np.ones(x.shape[1:3], np.int64), ((top, bottom), (left, right)))
    view = np.lib.stride_tricks.sliding_window_view(inside, (fh, fw))[::sh, ::sw][:oh, :ow]
    return view.sum(axis=(-2, -1))[None, :, :, None]


@kernel("MAX_POOL_2D")
def max_pool(call):
    x = call.inputs[0]
    low = np.iinfo(x.dtype).min if x.dtype.kind in "iu" else -np.inf
    view, axes = windows(x, call, low)
    result = view.max(axis=axes)
    if call.is_quantized():
        return np.clip(result, *quantized_range(call)).astype(x.dtype)
    return apply_float(result, call.option("FusedActivationFunction", 0))


@kernel("AVERAGE_POOL_2D")
def average_pool(call):
    x = call.inputs[0]
    view, axes = windows(x, call, 0)
    count = window_counts(x, call)
    if call.is_quantized():
        total = view.sum(axis=axes, dtype=np.int64)
        half = count // 2
        # C's division truncates toward zero: add half the count away from zero first
        rounded = np.where(total > 0, (total + half) // count, -((-total + half) // count))
        return np.clip(rounded, *quantized_range(call)).astype(x.dtype)
    result = (view.sum(axis=axes) / count).astype(x.dtype)
    return apply_float(result, call.option("FusedActivationFunction", 0))


@kernel("L2_POOL_2D")
def l2_pool(call):
    x = call.inputs[0]
    view, axes = windows(x, call, 0)
    result = np.sqrt((view * view).sum(axis=axes) / window_counts(x, call)).astype(x.dtype)
    return apply_float(result, call.option("FusedActivationFunction", 0))
