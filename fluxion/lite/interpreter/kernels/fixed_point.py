"""The integer arithmetic of TFLite's quantized kernels, vectorized with NumPy.

A real multiplier ``m`` (e.g. ``input_scale * weight_scale / output_scale``) is held as
a 32-bit fixed-point mantissa and a power-of-two exponent (``quantize_multiplier``);
an int32 accumulator is scaled by it with a rounding doubling high multiply followed by
a rounding right shift (``multiply_by_quantized_multiplier``), the double rounding
TFLite's reference kernels do.  ``round_half_away`` is C's ``round``, which TFLite uses
wherever it rounds a float (``QUANTIZE``, lookup tables), unlike NumPy's ``round``
(half to even).
"""

from __future__ import annotations

import numpy as np

INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1


def round_half_away(x):
    """C's ``round``: halves go away from zero.  (``floor(|x| + 0.5)`` would round
    0.49999997 up: the sum rounds to 1.0 in float32.)"""
    x = np.asarray(x)
    whole = np.trunc(x)
    return np.where(np.abs(x - whole) == 0.5, whole + np.sign(x), np.rint(x))


def quantize_multiplier(real) -> tuple[np.ndarray, np.ndarray]:
    """(int32 mantissa in [2**30, 2**31), exponent) with ``real = mantissa * 2**(exp-31)``,
    elementwise over ``real`` (a scalar or per-channel array of float64)."""
    real = np.asarray(real, np.float64)
    fraction, exponent = np.frexp(real)
    mantissa = round_half_away(fraction * 2.0 ** 31).astype(np.int64)
    overflow = mantissa == 2 ** 31
    mantissa = np.where(overflow, mantissa // 2, mantissa)
    exponent = np.where(overflow, exponent + 1, exponent).astype(np.int64)
    tiny = exponent < -31  # below what 32 bits hold: the product is 0
    mantissa = np.where(tiny | (real == 0), 0, mantissa)
    exponent = np.where(tiny | (real == 0), 0, exponent)
    return mantissa, exponent


def multiply_by_quantized_multiplier(x, mantissa, exponent) -> np.ndarray:
    """``x * real`` rounded as TFLite rounds it (x: integers held in int64; mantissa and
    exponent from ``quantize_multiplier``, broadcasting against ``x``).

    TFLite's rounding doubling high multiply, ``(x * mantissa + nudge) / 2**31``
    truncated toward zero with a nudge of 2**30 (1 - 2**30 below zero), equals
    ``(x * mantissa + 2**30) >> 31`` for every sign; its rounding right shift by ``r``
    (halves away from zero) equals ``(h + 2**(r-1) - (h < 0)) >> r`` for ``r > 0``.  The mantissa is
    positive, so the one saturating case (both factors INT32_MIN) cannot occur."""
    x = np.asarray(x, np.int64)
    mantissa = np.asarray(mantissa, np.int64)
    exponent = np.asarray(exponent, np.int64)
    left, right = np.maximum(exponent, 0), np.maximum(-exponent, 0)
    if left.any():
        x = np.clip(x << left, INT32_MIN, INT32_MAX)
    high = x * mantissa
    high += 1 << 30
    high >>= 31
    if right.any():
        negative = high < 0
        if not right.all():  # per channel, some without a right shift
            negative &= right > 0
        high += (np.int64(1) << right) >> 1
        high -= negative
        high >>= right
    return high


def requantize(accumulator, real_multiplier, zero_point: int, low: int, high: int
               ) -> np.ndarray:
    """int32 ``accumulator`` scaled by ``real_multiplier`` (broadcasting along the last
    axis when per channel), shifted by ``zero_point`` and clamped to ``[low, high]``."""
    mantissa, exponent = quantize_multiplier(real_multiplier)
    scaled = multiply_by_quantized_multiplier(accumulator, mantissa, exponent)
    return np.clip(scaled + zero_point, low, high)


# --- quantization parameters of a tensor ----------------------------------------------------
def scale_of(info) -> np.ndarray:
    """The tensor's scales as float64 (TFLite widens the stored float32 scales)."""
    return info.quantization.scales.astype(np.float64)


def zero_point_of(info) -> int:
    return int(info.quantization.zero_points[0])


def integer_range(dtype) -> tuple[int, int]:
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def activation_range(activation: int, info) -> tuple[int, int]:
    """The clamp a fused activation becomes on a quantized output tensor."""
    low, high = integer_range(info.dtype)
    scale, zero_point = float(info.quantization.scales[0]), zero_point_of(info)

    def quantized(value: float) -> int:
        return zero_point + int(round_half_away(value / scale))

    if activation == 1:  # RELU
        return max(low, quantized(0.0)), high
    if activation == 2:  # RELU_N1_TO_1
        return max(low, quantized(-1.0)), min(high, quantized(1.0))
    if activation == 3:  # RELU6
        return max(low, quantized(0.0)), min(high, quantized(6.0))
    return low, high


def dequantize(array: np.ndarray, info) -> np.ndarray:
    """The real values of a quantized array (per channel along the tensor's dimension)."""
    quantization = info.quantization
    scales = quantization.scales.astype(np.float32)
    zero_points = quantization.zero_points
    if not quantization.per_tensor:
        shape = [1] * array.ndim
        shape[quantization.dimension] = -1
        scales, zero_points = scales.reshape(shape), zero_points.reshape(shape)
    return ((array.astype(np.int64) - zero_points) * scales).astype(np.float32)


def quantize(values: np.ndarray, info) -> np.ndarray:
    """``values`` stored in the quantized tensor ``info`` (TFLite's affine quantize)."""
    low, high = integer_range(info.dtype)
    quantization = info.quantization
    scales = quantization.scales.astype(np.float32)
    zero_points = quantization.zero_points
    if not quantization.per_tensor:
        shape = [1] * values.ndim
        shape[quantization.dimension] = -1
        scales, zero_points = scales.reshape(shape), zero_points.reshape(shape)
    scaled = round_half_away(np.asarray(values, np.float32) / scales)
    return np.clip(scaled + zero_points, low, high).astype(info.dtype)
