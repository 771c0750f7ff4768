"""Elementwise math with TensorFlow's names (``fluxion.math.*`` and top level).

Most names are the core's primitive-binding functions; the rest are composites
(``sigmoid``, ``softplus``, ``squared_difference``, ``add_n``...) and need no gradient
code of their own.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitives import elementwise as elementwise_prims
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

abs = elementwise_prims.abs_  # noqa: A001 - TF's name
negative = elementwise_prims.neg
subtract = elementwise_prims.sub
multiply = elementwise_prims.mul
truediv = elementwise_prims.div
realdiv = elementwise_prims.div
pow = elementwise_prims.pow_  # noqa: A001 - TF's name
round = elementwise_prims.round_  # noqa: A001 - TF's name
mod = floormod


def divide(x, y, name=None) -> Tensor:
    """``x / y`` elementwise; integer inputs give floats (``tf.math.divide``)."""
    return elementwise_prims.div(x, y)


def scalar_mul(scalar, x, name=None) -> Tensor:
    return elementwise_prims.mul(scalar, x)


def sigmoid(x, name=None) -> Tensor:
    """``1 / (1 + exp(-x))``, computed as ``0.5 * tanh(x / 2) + 0.5`` so that it never
    overflows for large ``|x|``.

    >>> sigmoid([0.0]).numpy()
    array([0.5], dtype=float32)
    """
    x = convert_to_tensor(x)
    return elementwise_prims.tanh(x * 0.5) * 0.5 + 0.5


def log_sigmoid(x, name=None) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, stable for large ``|x|``."""
    return elementwise_prims.neg(softplus(elementwise_prims.neg(convert_to_tensor(x))))


def softplus(features, name=None) -> Tensor:
    """``log(1 + exp(x))`` as ``max(x, 0) + log1p(exp(-|x|))``: no overflow."""
    x = convert_to_tensor(features)
    return elementwise_prims.maximum(x, 0) + elementwise_prims.log1p(
        elementwise_prims.exp(elementwise_prims.neg(elementwise_prims.abs_(x)))
    )


def softsign(features, name=None) -> Tensor:
    """``x / (1 + |x|)``."""
    x = convert_to_tensor(features)
    return x / (elementwise_prims.abs_(x) + 1)


def squared_difference(x, y, name=None) -> Tensor:
    """``(x - y) ** 2`` elementwise."""
    difference = elementwise_prims.sub(x, y)
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
        total = elementwise_prims.add(total, item)
    return total


def divide_no_nan(x, y, name=None) -> Tensor:
    """``x / y``, but 0 where ``y`` is 0 (gradients too)."""
    x, y = binary_operands("divide_no_nan", x, y)
    nonzero = elementwise_prims.not_equal(y, 0)
    safe_y = elementwise_prims.select(nonzero, y, elementwise_prims.ones_like(y))
    return elementwise_prims.select(
        nonzero,
        elementwise_prims.div(x, safe_y),
        elementwise_prims.zeros_like(elementwise_prims.div(x, safe_y)),
    )


def reciprocal_no_nan(x, name=None) -> Tensor:
    x = convert_to_tensor(x)
    return divide_no_nan(elementwise_prims.ones_like(x), x)


def xlogy(x, y, name=None) -> Tensor:
    """``x * log(y)``, and 0 where ``x`` is 0 (even if ``y`` is 0)."""
    x, y = binary_operands("xlogy", x, y)
    nonzero = elementwise_prims.not_equal(x, 0)
    safe_y = elementwise_prims.select(nonzero, y, elementwise_prims.ones_like(y))
    return elementwise_prims.select(
        nonzero, x * elementwise_prims.log(safe_y), elementwise_prims.zeros_like(x * safe_y)
    )


def erfc(x, name=None) -> Tensor:
    return 1 - erf(convert_to_tensor(x))


def exp2(x, name=None) -> Tensor:
    return elementwise_prims.exp(convert_to_tensor(x) * float(np.log(2.0)))


def log2(x, name=None) -> Tensor:
    return elementwise_prims.log(convert_to_tensor(x)) * float(1 / np.log(2.0))


def log10(x, name=None) -> Tensor:
    return elementwise_prims.log(convert_to_tensor(x)) * float(1 / np.log(10.0))
