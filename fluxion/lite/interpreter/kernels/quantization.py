"""QUANTIZE and DEQUANTIZE, and ``through_float``: a quantized operator computed on real
values and quantized back (the lookup-table operators: TFLite's int8 kernels of
LOGISTIC, TANH, ELU, GELU, ... tabulate the real function the same way)."""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.fixed_point import (
    dequantize,
    quantize,
    requantize,
    round_half_away,
    scale_of,
    zero_point_of,
)
from fluxion.lite.interpreter.kernels.registry import kernel


@kernel("QUANTIZE")
def quantize_kernel(call):
    x, info, out = call.inputs[0], call.input_infos[0], call.output_infos[0]
    if x.dtype.kind == "f":
        return quantize(x, out)
    # integer to integer (int8 <-> uint8, or a new scale): TFLite's requantize
    low, high = np.iinfo(out.dtype).min, np.iinfo(out.dtype).max
    if np.array_equal(info.quantization.scales, out.quantization.scales):
        shifted = x.astype(np.int64) - zero_point_of(info) + zero_point_of(out)
        return np.clip(shifted, low, high).astype(out.dtype)
    real = scale_of(info)[0] / scale_of(out)[0]
    return requantize(x.astype(np.int64) - zero_point_of(info), real, zero_point_of(out),
                      low, high).astype(out.dtype)


@kernel("DEQUANTIZE")
def dequantize_kernel(call):
    x, info = call.inputs[0], call.input_infos[0]
    if x.dtype == np.float16 or info.quantization is None:
        return x.astype(np.float32)
    return dequantize(x, info)


def real_inputs(call) -> list:
    """The inputs as reals: quantized ones dequantized, the others as they are."""
    return [dequantize(x, info) if x is not None and call.is_quantized(i) else x
            for i, (x, info) in enumerate(zip(call.inputs, call.input_infos))]


def through_float(call, function):
    """``function`` of the real inputs, quantized into each quantized output."""
    results = function(*real_inputs(call))
    single = not isinstance(results, tuple)
    results = (results,) if single else results
    stored = tuple(quantize(r, info) if info.quantization is not None and
                   info.dtype.kind in "iu" else r
                   for r, info in zip(results, call.output_infos))
    return stored[0] if single else stored


def through_table(call, function):
    """A quantized 8-bit unary operator as TFLite's kernels run it: a 256-entry table of
    ``function`` over every input value (dequantized in float32, the result multiplied
    by the inverse output scale and rounded half away from zero)."""
    x, info, out = call.inputs[0], call.input_infos[0], call.output_infos[0]
    if x.dtype.itemsize != 1 or out.quantization is None or not info.quantization.per_tensor:
        return through_float(call, function)
    low, high = np.iinfo(x.dtype).min, np.iinfo(x.dtype).max
    codes = np.arange(low, high + 1)
    reals = np.float32(info.quantization.scales[0]) * \
        (codes - info.quantization.zero_points[0]).astype(np.float32)
    with np.errstate(all="ignore"):
        transformed = np.asarray(function(reals), np.float32)
    inverse = np.float32(1) / np.float32(out.quantization.scales[0])
    rescaled = np.nan_to_num(round_half_away(transformed * inverse), nan=0.0,
                             posinf=2 ** 31 - 1, neginf=-(2 ** 31))
    out_low, out_high = np.iinfo(out.dtype).min, np.iinfo(out.dtype).max
    table = np.clip(rescaled + out.quantization.zero_points[0], out_low, out_high)
    return table.astype(out.dtype)[x.astype(np.int64) - low]
