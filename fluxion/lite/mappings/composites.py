"""Recognizers of composed functions TFLite has as one operator.

Fluxion composes ``gelu``, ``elu``, ``leaky_relu``, ``hard_swish`` and ``sigmoid``
from primitives; TFLite has GELU, ELU, LEAKY_RELU, HARD_SWISH and LOGISTIC.  Each
recognizer looks at the Fluxion nodes under the final node of the composition and
returns the composition's input (and parameters) when the pattern matches with every
intermediate value read only inside it.  The intermediate nodes then need no lowering
of their own (``erf`` has no TFLite builtin): nothing reads them.
"""

from __future__ import annotations

import numpy as np


def scalar(ctx, value) -> float | None:
    array = ctx.array(value)
    return float(array.reshape(())) if array is not None and array.size == 1 else None


def _private(ctx, value, name: str):
    """The node computing ``value`` if it is a ``name`` node read only once."""
    node = value.producer
    if node is None or node.prim.name != name or ctx.uses(value) != 1:
        return None
    return node


def _with_constant(ctx, node, expected: float, tolerance: float = 0.0):
    """The other operand of a binary ``node`` whose one operand is ``expected``."""
    if node is None:
        return None
    for position in (0, 1):
        constant = scalar(ctx, node.inputs[1 - position])
        if constant is not None and abs(constant - expected) <= tolerance:
            return node.inputs[position]
    return None


def sigmoid_input(ctx, node):
    """x when ``node`` (an add) ends ``0.5 * tanh(0.5 * x) + 0.5``."""
    scaled = _with_constant(ctx, node, 0.5)
    outer = _private(ctx, scaled, "mul") if scaled is not None else None
    tanh_value = _with_constant(ctx, outer, 0.5)
    tanh = _private(ctx, tanh_value, "tanh") if tanh_value is not None else None
    inner = _private(ctx, tanh.inputs[0], "mul") if tanh is not None else None
    return _with_constant(ctx, inner, 0.5)


def gelu_input(ctx, node):
    """x when ``node`` (a mul) ends ``(0.5 * x) * (erf(x / sqrt(2)) + 1)``."""
    for position in (0, 1):
        half = _private(ctx, node.inputs[position], "mul")
        x = _with_constant(ctx, half, 0.5)
        one_plus = _private(ctx, node.inputs[1 - position], "add")
        erf_value = _with_constant(ctx, one_plus, 1.0)
        erf = _private(ctx, erf_value, "erf") if erf_value is not None else None
        scaled = _private(ctx, erf.inputs[0], "mul") if erf is not None else None
        inner = _with_constant(ctx, scaled, float(np.sqrt(0.5)), 1e-7)
        if x is not None and inner is x:
            return x
    return None


def _positive_test(ctx, node):
    """x when ``node`` is ``greater(x, 0)`` read once."""
    test = _private(ctx, node.inputs[0], "greater")
    if test is None or scalar(ctx, test.inputs[1]) != 0.0:
        return None
    return test.inputs[0]


def leaky_relu_alpha(ctx, node):
    """(x, alpha) when ``node`` (a select) is ``where(x > 0, x, alpha * x)``."""
    x = _positive_test(ctx, node)
    if x is None or node.inputs[1] is not x:
        return None
    scaled = _private(ctx, node.inputs[2], "mul")
    if scaled is None:
        return None
    for position in (0, 1):
        alpha = scalar(ctx, scaled.inputs[1 - position])
        if scaled.inputs[position] is x and alpha is not None:
            return x, alpha
    return None


def elu_input(ctx, node):
    """x when ``node`` (a select) is ``where(x > 0, x, expm1(min(x, 0)))``."""
    x = _positive_test(ctx, node)
    if x is None or node.inputs[1] is not x:
        return None
    expm1 = _private(ctx, node.inputs[2], "expm1")
    clipped = _private(ctx, expm1.inputs[0], "minimum") if expm1 is not None else None
    if clipped is None or clipped.inputs[0] is not x or scalar(ctx, clipped.inputs[1]) != 0.0:
        return None
    return x


def hard_swish_input(ctx, node):
    """x when ``node`` (a mul) is ``x * (min(relu(x + 3), 6) * (1/6))``."""
    for position in (0, 1):
        x = node.inputs[position]
        scaled = _private(ctx, node.inputs[1 - position], "mul")
        clipped_value = _with_constant(ctx, scaled, 1 / 6, 1e-7)
        clipped = _private(ctx, clipped_value, "minimum") if clipped_value is not None \
            else None
        if clipped is None or scalar(ctx, clipped.inputs[1]) != 6.0:
            continue
        relu = _private(ctx, clipped.inputs[0], "relu")
        shifted = _private(ctx, relu.inputs[0], "add") if relu is not None else None
        if shifted is not None and _with_constant(ctx, shifted, 3.0) is x:
            return x
    return None
