"""Activation operators.  Quantized 8-bit tensors go through a table of the real
function over the 256 input values (``through_table``), as TFLite's int8 kernels of
LOGISTIC, TANH, ELU, GELU, ... do; others through their real values."""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.quantization import through_float, through_table
from fluxion.lite.interpreter.kernels.registry import kernel


def _sigmoid(x):
    return (1 / (1 + np.exp(-x))).astype(x.dtype)


def _softmax(x, beta: float = 1.0):
    shifted = (x - x.max(axis=-1, keepdims=True)) * np.float32(beta)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def _log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _gelu(x, approximate: bool):
    if approximate:
        inner = np.float32(np.sqrt(2 / np.pi)) * (x + np.float32(0.044715) * x ** 3)
        return 0.5 * x * (1 + np.tanh(inner))
    from fluxion.ops import math as fluxion_math

    erf = np.asarray(fluxion_math.erf(x / np.float32(np.sqrt(2))).numpy())
    return 0.5 * x * (1 + erf)


def _unary_kernel(function, elementwise: bool = True):
    def run(call):
        if call.is_quantized(0):
            quantized = through_table if elementwise else through_float
            return quantized(call, lambda x: function(call, x))
        return function(call, call.inputs[0]).astype(call.inputs[0].dtype)
    return run


_ACTIVATIONS = {
    "RELU": lambda call, x: np.maximum(x, 0),
    "RELU6": lambda call, x: np.clip(x, 0, 6),
    "RELU_N1_TO_1": lambda call, x: np.clip(x, -1, 1),
    "RELU_0_TO_1": lambda call, x: np.clip(x, 0, 1),
    "LOGISTIC": lambda call, x: _sigmoid(x),
    "TANH": lambda call, x: np.tanh(x),
    "GELU": lambda call, x: _gelu(x, bool(call.option("Approximate", False))),
    "ELU": lambda call, x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "LEAKY_RELU": lambda call, x: np.where(x >= 0, x, x * np.float32(call.option("Alpha",
                                                                                 0.2))),
    "HARD_SWISH": lambda call, x: x * np.clip(x + 3, 0, 6) / 6,
}
for _opcode, _function in _ACTIVATIONS.items():
    kernel(_opcode)(_unary_kernel(_function))
# along the last axis: no per-value table
kernel("SOFTMAX")(_unary_kernel(lambda call, x: _softmax(x, call.option("Beta", 1.0)),
                                elementwise=False))
kernel("LOG_SOFTMAX")(_unary_kernel(lambda call, x: _log_softmax(x), elementwise=False))


@kernel("PRELU")
def prelu(call):
    function = lambda x, alpha: np.where(x >= 0, x, x * alpha)  # noqa: E731
    if call.is_quantized(0):
        return through_float(call, function)
    return function(*call.inputs[:2]).astype(call.inputs[0].dtype)
