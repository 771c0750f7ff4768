"""FULLY_CONNECTED and BATCH_MATMUL: float, integer (int8/uint8 activations and
weights, int32 accumulation, requantized output) and hybrid (int8 weights, float
activations quantized row by row on the fly, as TFLite's dynamic-range kernels do)."""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.fixed_point import (
    dequantize,
    integer_range,
    requantize,
    round_half_away,
    scale_of,
    zero_point_of,
)
from fluxion.lite.interpreter.kernels.fused_activation import apply_float, quantized_range
from fluxion.lite.interpreter.kernels.registry import kernel


def exact_float_type(depth: int, a: np.ndarray, b: np.ndarray):
    """The narrowest float type whose sums of ``depth`` products of ``a``'s and ``b``'s
    integers are exact: float32 below 2**24, else float64 (exact below 2**53)."""
    bound = depth * float(np.abs(a).max(initial=0)) * float(np.abs(b).max(initial=0))
    return np.float32 if bound < 2 ** 24 else np.float64


def integer_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact integer product of integer-valued arrays, run by BLAS in a float type
    that holds every partial sum exactly."""
    dtype = exact_float_type(a.shape[-1], a, b)
    return np.rint(np.matmul(a.astype(dtype), b.astype(dtype))).astype(np.int64)


def quantize_rows(x: np.ndarray, asymmetric: bool):
    """(int8 values, scale per row, zero point per row) of float rows ``x`` [rows, n],
    as TFLite quantizes a hybrid kernel's input."""
    low = np.minimum(x.min(axis=1), 0).astype(np.float32)
    high = np.maximum(x.max(axis=1), 0).astype(np.float32)
    if not asymmetric:
        bound = np.maximum(np.abs(low), np.abs(high))
        empty = bound == 0
        safe = np.where(empty, 1, bound).astype(np.float32)
        inverse = (np.float32(127) / safe).astype(np.float32)
        values = np.clip(round_half_away(x * inverse[:, None]), -127, 127)
        scale = np.where(empty, 1, safe / np.float32(127)).astype(np.float32)
        return np.where(empty[:, None], 0, values), scale, np.zeros(len(x), np.int64)
    empty = low == high
    scale64 = (high.astype(np.float64) - low) / 255.0
    scale64 = np.where(empty, 1.0, scale64)
    from_min = -128 - low / scale64
    from_max = 127 - high / scale64
    use_min = (128 + np.abs(low / scale64)) < (127 + np.abs(high / scale64))
    zero_point = np.where(use_min, from_min, from_max)
    zero_point = np.clip(round_half_away(zero_point), -128, 127).astype(np.int64)
    scale = scale64.astype(np.float32)
    inverse = (np.float32(1) / scale).astype(np.float32)
    values = np.clip(zero_point[:, None] + round_half_away(x * inverse[:, None]), -128, 127)
    values = np.where(empty[:, None], 0, values)
    return values, scale, np.where(empty, 0, zero_point)


def _weights_zero_point(info) -> np.ndarray:
    return info.quantization.zero_points


@kernel("FULLY_CONNECTED")
def fully_connected(call):
    x, weights, bias = (call.inputs + [None])[:3]
    units, depth = weights.shape
    rows = x.reshape(-1, depth)
    out_shape = (*x.shape[:-1], units) if call.option("KeepNumDims", False) \
        else (rows.shape[0], units)
    activation = call.option("FusedActivationFunction", 0)
    if call.is_quantized(0):
        return _integer_fully_connected(call, rows, weights, bias).reshape(out_shape)
    if weights.dtype.kind in "iu":  # hybrid: int8 weights, float activations
        asymmetric = bool(call.option("AsymmetricQuantizeInputs", False))
        values, scale, zero_point = quantize_rows(rows, asymmetric)
        accumulator = integer_matmul(values - zero_point[:, None], weights.T)
        weight_scales = call.input_infos[1].quantization.scales.astype(np.float32)
        result = accumulator.astype(np.float32) * (scale[:, None] * weight_scales)
    else:
        result = rows @ weights.T
    if bias is not None:
        result = result + bias
    return apply_float(result, activation).astype(np.float32).reshape(out_shape)


def _integer_fully_connected(call, rows, weights, bias):
    x_info, w_info, out = call.input_infos[0], call.input_infos[1], call.output_infos[0]
    centered_x = rows.astype(np.int64) - zero_point_of(x_info)
    centered_w = weights.astype(np.int64) - _weights_zero_point(w_info)[:, None] \
        if w_info.quantization.zero_points.size > 1 else \
        weights.astype(np.int64) - zero_point_of(w_info)
    accumulator = integer_matmul(centered_x, centered_w.T)
    if bias is not None:
        accumulator = accumulator + bias.astype(np.int64)
    multiplier = scale_of(x_info)[0] * scale_of(w_info) / scale_of(out)[0]
    low, high = quantized_range(call)
    return requantize(accumulator, multiplier, zero_point_of(out), low, high) \
        .astype(out.dtype)


@kernel("BATCH_MATMUL")
def batch_matmul(call):
    a, b = call.inputs[:2]
    if call.option("AdjX", False):
        a = np.swapaxes(a, -1, -2)
    if call.option("AdjY", False):
        b = np.swapaxes(b, -1, -2)
    if not call.is_quantized(0):
        if b.dtype.kind in "iu" and call.input_infos[1].quantization is not None:
            b = dequantize(b, call.input_infos[1])  # a hybrid's int8 right-hand side
        return np.matmul(a, b)
    a_info, b_info, out = call.input_infos[0], call.input_infos[1], call.output_infos[0]
    accumulator = integer_matmul(a.astype(np.int64) - zero_point_of(a_info),
                                 b.astype(np.int64) - zero_point_of(b_info))
    multiplier = scale_of(a_info)[0] * scale_of(b_info)[0] / scale_of(out)[0]
    low, high = integer_range(out.dtype)
    return requantize(accumulator, multiplier, zero_point_of(out), low, high) \
        .astype(out.dtype)
