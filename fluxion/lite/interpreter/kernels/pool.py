"""MAX_POOL_2D, AVERAGE_POOL_2D and L2_POOL_2D over NHWC windows, in NumPy.

Windows are strided views of the padded input; an average divides by the number of
window positions inside the input (TF's SAME rule).  The integer average rounds half
away from zero, as TFLite's int8 kernel does."""

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


def windows(x: np.ndarray, call, fill) -> tuple[np.ndarray, np.ndarray]:
    """(windows [n, oh, ow, c, fh, fw] of the padded input, in-input mask [oh, ow, fh, fw])."""
    same = call.option("Padding", 0) == 0
    fh, fw = call.option("FilterHeight"), call.option("FilterWidth")
    sh, sw = call.option("StrideH"), call.option("StrideW")
    oh, top, bottom = padding_amounts(x.shape[1], fh, sh, same)
    ow, left, right = padding_amounts(x.shape[2], fw, sw, same)
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    view = np.lib.stride_tricks.sliding_window_view(padded, (fh, fw), axis=(1, 2))
    view = view[:, ::sh, ::sw][:, :oh, :ow]
    inside = np.pad(np.ones(x.shape[1:3], bool), ((top, bottom), (left, right)))
    inside = np.lib.stride_tricks.sliding_window_view(inside, (fh, fw))[::sh, ::sw][:oh, :ow]
    return view, inside


@kernel("MAX_POOL_2D")
def max_pool(call):
    x = call.inputs[0]
    low = np.iinfo(x.dtype).min if x.dtype.kind in "iu" else -np.inf
    view, _ = windows(x, call, low)
    result = view.max(axis=(-2, -1))
    if call.is_quantized():
        return np.clip(result, *quantized_range(call)).astype(x.dtype)
    return apply_float(result, call.option("FusedActivationFunction", 0))


@kernel("AVERAGE_POOL_2D")
def average_pool(call):
    x = call.inputs[0]
    view, inside = windows(x, call, 0)
    count = inside.sum(axis=(-2, -1))[None, :, :, None]
    if call.is_quantized():
        total = view.astype(np.int64).sum(axis=(-2, -1))
        half = count // 2
        # C's division truncates toward zero: add half the count away from zero first
        rounded = np.where(total > 0, (total + half) // count, -((-total + half) // count))
        return np.clip(rounded, *quantized_range(call)).astype(x.dtype)
    result = (view.sum(axis=(-2, -1)) / count).astype(x.dtype)
    return apply_float(result, call.option("FusedActivationFunction", 0))


@kernel("L2_POOL_2D")
def l2_pool(call):
    x = call.inputs[0]
    view, inside = windows(x, call, 0)
    count = inside.sum(axis=(-2, -1))[None, :, :, None]
    result = np.sqrt((view * view).sum(axis=(-2, -1)) / count).astype(x.dtype)
    return apply_float(result, call.option("FusedActivationFunction", 0))
