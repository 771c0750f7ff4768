"""Elementwise operators: arithmetic (exact integer ADD/SUB/MUL for quantized tensors, as
TFLite's reference kernels compute them), comparisons, logic, selects and unary math."""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.fixed_point import (
    multiply_by_quantized_multiplier,
    quantize_multiplier,
    requantize,
    scale_of,
    zero_point_of,
)
from fluxion.lite.interpreter.kernels.fused_activation import apply_float, quantized_range
from fluxion.lite.interpreter.kernels.quantization import (
    real_inputs,
    through_float,
    through_table,
)
from fluxion.lite.interpreter.kernels.registry import kernel

_FLOAT_BINARY = {
    "ADD": np.add, "SUB": np.subtract, "MUL": np.multiply, "DIV": np.divide,
    "MAXIMUM": np.maximum, "MINIMUM": np.minimum, "POW": np.power,
    "SQUARED_DIFFERENCE": lambda a, b: np.square(a - b),
    "FLOOR_DIV": np.floor_divide, "FLOOR_MOD": np.mod,
}


def _integer_add(call, subtract: bool):
    (a, b), (a_info, b_info) = call.inputs[:2], call.input_infos[:2]
    out = call.output_infos[0]
    left_shift = 15 if out.dtype == np.int16 else 20
    scale_a, scale_b = scale_of(a_info)[0], scale_of(b_info)[0]
    twice_max = 2 * max(scale_a, scale_b)

    def scaled(x, info, scale):
        mantissa, exponent = quantize_multiplier(scale / twice_max)
        shifted = (x.astype(np.int64) - zero_point_of(info)) * (1 << left_shift)
        return multiply_by_quantized_multiplier(shifted, mantissa, exponent)

    left, right = scaled(a, a_info, scale_a), scaled(b, b_info, scale_b)
    total = left - right if subtract else left + right
    real = twice_max / ((1 << left_shift) * scale_of(out)[0])
    low, high = quantized_range(call)
    return requantize(total, real, zero_point_of(out), low, high).astype(out.dtype)


def _integer_multiply(call):
    (a, b), (a_info, b_info) = call.inputs[:2], call.input_infos[:2]
    out = call.output_infos[0]
    product = (a.astype(np.int64) - zero_point_of(a_info)) * \
        (b.astype(np.int64) - zero_point_of(b_info))
    real = scale_of(a_info)[0] * scale_of(b_info)[0] / scale_of(out)[0]
    low, high = quantized_range(call)
    return requantize(product, real, zero_point_of(out), low, high).astype(out.dtype)


@kernel(*_FLOAT_BINARY)
def binary(call):
    opcode = call.op.opcode
    if call.is_quantized(0) and call.is_quantized(1):
        if opcode in ("ADD", "SUB"):
            return _integer_add(call, subtract=opcode == "SUB")
        if opcode == "MUL":
            return _integer_multiply(call)
        if opcode in ("MAXIMUM", "MINIMUM") and np.array_equal(
                call.input_infos[0].quantization.scales, call.output_infos[0]
                .quantization.scales):
            return _FLOAT_BINARY[opcode](*call.inputs[:2])  # same scale: compare integers
        activation = call.option("FusedActivationFunction", 0)
        return through_float(call, lambda a, b: apply_float(_FLOAT_BINARY[opcode](a, b),
                                                            activation))
    a, b = call.inputs[:2]
    if opcode == "DIV" and a.dtype.kind in "iu":
        result = np.trunc(a / b).astype(a.dtype)  # TFLite's integer DIV truncates
    elif opcode == "FLOOR_DIV" and a.dtype.kind == "f":
        result = np.floor(a / b)
    else:
        result = _FLOAT_BINARY[opcode](a, b)
    return apply_float(result, call.option("FusedActivationFunction", 0))


_COMPARISONS = {"EQUAL": np.equal, "NOT_EQUAL": np.not_equal, "LESS": np.less,
                "LESS_EQUAL": np.less_equal, "GREATER": np.greater,
                "GREATER_EQUAL": np.greater_equal, "LOGICAL_AND": np.logical_and,
                "LOGICAL_OR": np.logical_or}


@kernel(*_COMPARISONS)
def comparison(call):
    a, b = real_inputs(call)[:2]
    return _COMPARISONS[call.op.opcode](a, b)


@kernel("LOGICAL_NOT")
def logical_not(call):
    return np.logical_not(call.inputs[0])


@kernel("SELECT", "SELECT_V2")
def select(call):
    condition, a, b = call.inputs
    if call.op.opcode == "SELECT" and condition.ndim == 1 and a.ndim > 1:
        condition = condition.reshape(-1, *[1] * (a.ndim - 1))  # SELECT picks rows
    if call.is_quantized(1) and not (np.array_equal(
            call.input_infos[1].quantization.scales, call.output_infos[0].quantization.scales)
            and np.array_equal(call.input_infos[2].quantization.scales,
                               call.output_infos[0].quantization.scales)):
        return through_float(call, lambda c, x, y: np.where(c, x, y))
    return np.where(condition, a, b)


_UNARY = {"ABS": np.abs, "NEG": np.negative, "EXP": np.exp, "LOG": np.log, "SQRT": np.sqrt,
          "RSQRT": lambda x: 1 / np.sqrt(x), "SQUARE": np.square, "SIN": np.sin,
          "COS": np.cos, "FLOOR": np.floor, "CEIL": np.ceil, "ROUND": np.round,
          "SIGN": np.sign}


@kernel(*_UNARY)
def unary(call):
    function = _UNARY[call.op.opcode]
    if call.op.opcode == "NEG" and call.inputs[0].dtype.kind in "iu":
        # TFLite negates the stored integers whatever the scales (-(-128) wraps, as in C)
        x = call.inputs[0]
        return (-x.astype(np.int64)).astype(x.dtype)
    if call.is_quantized(0):
        return through_table(call, function)
    return function(call.inputs[0]).astype(call.output_infos[0].dtype)


@kernel("CAST")
def cast(call):
    return call.inputs[0].astype(call.output_infos[0].dtype)


@kernel("ZEROS_LIKE")
def zeros_like(call):
    return np.zeros_like(call.inputs[0])
