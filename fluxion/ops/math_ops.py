"""Elementwise math with TensorFlow's names (``fluxion.math.*`` and top level).

Most names are the core's primitive-binding functions; the rest are composites
(``sigmoid``, ``softplus``, ``squared_difference``, ``add_n``...) and need no gradient
code of their own.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitives import elementwise as ew
from fluxion.core.primitives.elementwise import (
    acos,
    acosh,
    add,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    binary_operands,
    cast,
    ceil,
    cos,
    cosh,
    equal,
    erf,
    exp,
    expm1,
    floor,
    floordiv,
    floormod,
    greater,
    greater_equal,
    is_finite,
    is_inf,
    is_nan,
    less,
    less_equal,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    maximum,
    minimum,
    not_equal,
    reciprocal,
    rsqrt,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    tan,
    tanh,
)
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = [
    "abs", "acos", "acosh", "add", "add_n", "asin", "asinh", "atan", "atan2", "atanh",
    "ceil", "cos", "cosh", "divide", "divide_no_nan", "equal", "erf", "exp", "expm1",
    "floor", "floordiv", "floormod", "greater", "greater_equal", "is_finite", "is_inf",
    "is_nan", "less", "less_equal", "log", "log1p", "log_sigmoid", "logical_and",
    "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "mod", "multiply",
    "negative", "not_equal", "pow", "realdiv", "reciprocal", "round", "rsqrt", "sigmoid",
    "sign", "sin", "sinh", "softplus", "softsign", "sqrt", "square", "squared_difference",
    "subtract", "tan", "tanh", "truediv", "xlogy", "cast", "erfc", "scalar_mul",
    "reciprocal_no_nan", "sigmoid", "exp2", "log2", "log10",
]

abs = ew.abs_  # noqa: A001 - TF's name
negative = ew.neg
subtract = ew.sub
multiply = ew.mul
truediv = ew.div
realdiv = ew.div
pow = ew.pow_  # noqa: A001 - TF's name
round = ew.round_  # noqa: A001 - TF's name
mod = floormod


def divide(x, y, name=None) -> Tensor:
    """``x / y`` elementwise; integer inputs give floats (``tf.math.divide``)."""
    return ew.div(x, y)


def scalar_mul(scalar, x, name=None) -> Tensor:
    return ew.mul(scalar, x)


def sigmoid(x, name=None) -> Tensor:
    """``1 / (1 + exp(-x))``, computed as ``0.5 * tanh(x / 2) + 0.5`` so that it never
    overflows for large ``|x|``.

    >>> sigmoid([0.0]).numpy()
    array([0.5], dtype=float32)
    """
    x = convert_to_tensor(x)
    return ew.tanh(x * 0.5) * 0.5 + 0.5


def log_sigmoid(x, name=None) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, stable for large ``|x|``."""
    return ew.neg(softplus(ew.neg(convert_to_tensor(x))))


def softplus(features, name=None) -> Tensor:
    """``log(1 + exp(x))`` as ``max(x, 0) + log1p(exp(-|x|))``: no overflow."""
    x = convert_to_tensor(features)
    return ew.maximum(x, 0) + ew.log1p(ew.exp(ew.neg(ew.abs_(x))))


def softsign(features, name=None) -> Tensor:
    """``x / (1 + |x|)``."""
    x = convert_to_tensor(features)
    return x / (ew.abs_(x) + 1)


def squared_difference(x, y, name=None) -> Tensor:
    """``(x - y) ** 2`` elementwise."""
    difference = ew.sub(x, y)
    return difference * difference


def add_n(inputs, name=None) -> Tensor:
    """The elementwise sum of a list of tensors of one shape and dtype."""
    inputs = [convert_to_tensor(i) for i in inputs]
    if not inputs:
        raise ValueError("add_n needs at least one tensor")
    shapes = {tuple(i.shape.as_list()) for i in inputs}
    if len(shapes) > 1:
        raise ValueError(f"add_n: all inputs must have the same shape, got {sorted(shapes)}")
    total = inputs[0]
    for item in inputs[1:]:
        total = ew.add(total, item)
    return total


def divide_no_nan(x, y, name=None) -> Tensor:
    """``x / y``, but 0 where ``y`` is 0 (gradients too)."""
    x, y = binary_operands("divide_no_nan", x, y)
    nonzero = ew.not_equal(y, 0)
    safe_y = ew.select(nonzero, y, ew.ones_like(y))
    return ew.select(nonzero, ew.div(x, safe_y), ew.zeros_like(ew.div(x, safe_y)))


def reciprocal_no_nan(x, name=None) -> Tensor:
    x = convert_to_tensor(x)
    return divide_no_nan(ew.ones_like(x), x)


def xlogy(x, y, name=None) -> Tensor:
    """``x * log(y)``, and 0 where ``x`` is 0 (even if ``y`` is 0)."""
    x, y = binary_operands("xlogy", x, y)
    nonzero = ew.not_equal(x, 0)
    safe_y = ew.select(nonzero, y, ew.ones_like(y))
    return ew.select(nonzero, x * ew.log(safe_y), ew.zeros_like(x * safe_y))


def erfc(x, name=None) -> Tensor:
    return 1 - erf(convert_to_tensor(x))


def exp2(x, name=None) -> Tensor:
    return ew.exp(convert_to_tensor(x) * float(np.log(2.0)))


def log2(x, name=None) -> Tensor:
    return ew.log(convert_to_tensor(x)) * float(1 / np.log(2.0))


def log10(x, name=None) -> Tensor:
    return ew.log(convert_to_tensor(x)) * float(1 / np.log(10.0))


