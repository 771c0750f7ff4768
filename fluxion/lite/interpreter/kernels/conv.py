"""CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV, on Fluxion's convolution ops.

TFLite's filters are laid out ``[out, h, w, in]`` (depthwise: ``[1, h, w, in * mult]``);
Fluxion's ops take TF's ``[h, w, in, out]``.  Integer kernels convolve the centred
integers in a float type holding their sums exactly (float32 when the bound of the sums
allows, else float64) and requantize per output channel; hybrid
kernels quantize each batch entry of the float input first, as TFLite's do.
"""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.dense import exact_float_type, quantize_rows
from fluxion.lite.interpreter.kernels.fixed_point import requantize, scale_of, zero_point_of
from fluxion.lite.interpreter.kernels.fused_activation import apply_float, quantized_range
from fluxion.lite.interpreter.kernels.registry import kernel

_PADDING = {0: "SAME", 1: "VALID"}


def _conv_ops():
    from fluxion.ops import conv_ops

    return conv_ops


def _convolve(call, x, weights):
    """The convolution of ``x`` by TFLite-laid-out ``weights`` (same dtype in and out)."""
    conv_ops = _conv_ops()
    padding = _PADDING[call.option("Padding", 0)]
    strides = [1, call.option("StrideH", 1), call.option("StrideW", 1), 1]
    dilations = [1, call.option("DilationHFactor", 1), call.option("DilationWFactor", 1), 1]
    opcode = call.op.opcode
    if opcode == "CONV_2D":
        if weights.shape[3] != x.shape[3]:
            raise call.error(f"grouped convolution (filter depth {weights.shape[3]}, input "
                             f"depth {x.shape[3]}) is not supported")
        result = conv_ops.conv2d(x, np.transpose(weights, (1, 2, 3, 0)), strides, padding,
                                 dilations=dilations)
    elif opcode == "DEPTHWISE_CONV_2D":
        channels = x.shape[3]
        _, height, width, total = weights.shape
        result = conv_ops.depthwise_conv2d(
            x, weights.reshape(height, width, channels, total // channels), strides, padding,
            dilations=dilations)
    else:  # TRANSPOSE_CONV: the output shape is input 0
        result = conv_ops.conv2d_transpose(
            x, np.transpose(weights, (1, 2, 0, 3)), [int(d) for d in call.inputs[0]],
            strides, padding)
    return np.asarray(result.numpy())


def _depth(call, weights) -> int:
    """How many products one output sums (at most)."""
    window = int(np.prod(weights.shape[1:3]))
    return window if call.op.opcode == "DEPTHWISE_CONV_2D" else window * weights.shape[3]


def _positions(call) -> tuple[int, int, int]:
    """(data, weights, bias) input positions."""
    return (2, 1, 3) if call.op.opcode == "TRANSPOSE_CONV" else (0, 1, 2)


@kernel("CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV")
def convolution(call):
    data_at, weights_at, bias_at = _positions(call)
    x, weights = call.inputs[data_at], call.inputs[weights_at]
    bias = call.inputs[bias_at] if len(call.inputs) > bias_at else None
    activation = call.option("FusedActivationFunction", 0)
    if call.is_quantized(data_at):
        return _integer_convolution(call, x, weights, bias, data_at, weights_at)
    if weights.dtype.kind in "iu":
        result = _hybrid_convolution(call, x, weights, weights_at)
    else:
        result = _convolve(call, x, weights)
    if bias is not None:
        result = result + bias
    return apply_float(result, activation).astype(np.float32)


def _hybrid_convolution(call, x, weights, weights_at):
    w_info = call.input_infos[weights_at]
    per_channel = w_info.quantization.scales.size > 1
    values, scale, zero_point = quantize_rows(x.reshape(len(x), -1), asymmetric=per_channel)
    centred = (values - zero_point[:, None]).reshape(x.shape)
    dtype = exact_float_type(_depth(call, weights), centred, weights)
    accumulator = np.rint(_convolve(call, centred.astype(dtype), weights.astype(dtype)))
    weight_scales = w_info.quantization.scales.astype(np.float32)
    factor = scale.reshape(-1, *[1] * (x.ndim - 1)) * weight_scales
    return accumulator.astype(np.float32) * factor.astype(np.float32)


def _integer_convolution(call, x, weights, bias, data_at, weights_at):
    x_info, w_info, out = call.input_infos[data_at], call.input_infos[weights_at], \
        call.output_infos[0]
    centred_x = x.astype(np.int32) - zero_point_of(x_info)
    centred_w = weights.astype(np.int32) - zero_point_of(w_info)
    dtype = exact_float_type(_depth(call, weights), centred_x, centred_w)
    accumulator = np.rint(_convolve(call, centred_x.astype(dtype), centred_w.astype(dtype))
                          ).astype(np.int64)
    if bias is not None:
        accumulator = accumulator + bias.astype(np.int64)
    multiplier = scale_of(x_info)[0] * scale_of(w_info) / scale_of(out)[0]
    low, high = quantized_range(call)
    return requantize(accumulator, multiplier, zero_point_of(out), low, high) \
        .astype(out.dtype)
