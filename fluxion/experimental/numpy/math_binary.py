"""Two-argument math of ``tf.experimental.numpy``: ``add``, ``power``, ``maximum``...

Both operands are brought to NumPy's result type first (Python scalars are weak:
``add(float32_tensor, 1.0)`` is float32), so ops never meet mixed dtypes.  Division,
``arctan2``, ``hypot`` and the log-sum-exps compute in floats.
"""

from __future__ import annotations

import math

from fluxion.experimental.numpy import dtype_rules
from fluxion.experimental.numpy.conversion import (
    asarray,
    broadcast_together,
    numpy_dtype_of,
    promote,
)
from fluxion.graph import control_flow
from fluxion.ops import array_ops, creation_ops, math_ops, reduce_ops
from fluxion.ops import bitwise as tf_bitwise
from fluxion.ops import math as tf_math


def _binary(name: str, op, doc: str, floats: bool = False):
    def function(x1, x2):
        a, b = promote(x1, x2)
        if floats:
            a, b = promote(a, b, dtype=dtype_rules.float_result_type(a.dtype))
        return op(a, b)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{doc}, elementwise with broadcasting."
    return function


def _propagating_nan(op):
    """``op`` (max/min) that returns NaN where either input is NaN, as NumPy does."""

    def apply(a, b):
        result = op(a, b)
        if not (a.dtype.is_floating or a.dtype.is_complex):
            return result
        nan = math_ops.logical_or(tf_math.is_nan(a), tf_math.is_nan(b))
        nans = math_ops.cast(float("nan"), a.dtype) * creation_ops.ones_like(result)
        return array_ops.where(nan, nans, result)

    return apply


def _logaddexp(a, b):
    larger = math_ops.maximum(a, b)
    return larger + tf_math.log1p(math_ops.exp(-math_ops.abs(a - b)))


def _logaddexp2(a, b):
    larger = math_ops.maximum(a, b)
    ln2 = math_ops.cast(math.log(2.0), a.dtype)
    return larger + tf_math.log1p(math_ops.exp2(-math_ops.abs(a - b))) / ln2


def _hypot(a, b):
    return math_ops.sqrt(a * a + b * b)


def _heaviside(a, b):
    return array_ops.where(a < 0, creation_ops.zeros_like(a),
                           array_ops.where(a > 0, creation_ops.ones_like(a), b))


def _add(a, b):
    return math_ops.logical_or(a, b) if a.dtype.is_bool else math_ops.add(a, b)


def _multiply(a, b):
    return math_ops.logical_and(a, b) if a.dtype.is_bool else math_ops.multiply(a, b)


def _power(a, b):
    return math_ops.pow(a, b)


def _floor_divide(a, b):
    return tf_math.floordiv(a, b) if not a.dtype.is_floating else math_ops.floor(a / b)


def _bitwise(logical, bitwise):
    def apply(a, b):
        return logical(a, b) if a.dtype.is_bool else bitwise(a, b)

    return apply


_FUNCTIONS = [
    ("add", _add, "Sum", False), ("subtract", math_ops.subtract, "Difference", False),
    ("multiply", _multiply, "Product", False),
    ("true_divide", math_ops.divide, "True quotient", True),
    ("floor_divide", _floor_divide, "Quotient rounded toward -inf", False),
    ("mod", tf_math.floormod, "Remainder with the divisor's sign", False),
    ("power", _power, "x1 to the power x2", False),
    ("float_power", _power, "x1 to the power x2, in floats", True),
    ("maximum", _propagating_nan(math_ops.maximum), "Larger value (NaN wins)", False),
    ("minimum", _propagating_nan(math_ops.minimum), "Smaller value (NaN wins)", False),
    ("arctan2", tf_math.atan2, "Angle of the point (x2, x1)", True),
    ("hypot", _hypot, "Hypotenuse sqrt(x1**2 + x2**2)", True),
    ("logaddexp", _logaddexp, "log(exp(x1) + exp(x2)), computed stably", True),
    ("logaddexp2", _logaddexp2, "log2(2**x1 + 2**x2), computed stably", True),
    ("heaviside", _heaviside, "Step function: 0 below 0, 1 above, x2 at 0", True),
    ("nextafter", tf_math.nextafter, "Next float after x1 toward x2", True),
    ("bitwise_and", _bitwise(math_ops.logical_and, tf_bitwise.bitwise_and), "Bitwise and", False),
    ("bitwise_or", _bitwise(math_ops.logical_or, tf_bitwise.bitwise_or), "Bitwise or", False),
    ("bitwise_xor", _bitwise(math_ops.logical_xor, tf_bitwise.bitwise_xor), "Bitwise xor", False),
]

for _name, _op, _doc, _floats in _FUNCTIONS:
    globals()[_name] = _binary(_name, _op, _doc, _floats)

divide = true_divide  # noqa: F821 - defined by the table above
remainder = mod  # noqa: F821


def clip(a, a_min, a_max):
    """``a`` limited to ``[a_min, a_max]`` elementwise; either bound may be None."""
    if a_min is None and a_max is None:
        raise ValueError("clip: give a_min, a_max or both; both were None")
    result = asarray(a)
    if a_min is not None:
        result = maximum(result, a_min)  # noqa: F821 - defined by the table above
    if a_max is not None:
        result = minimum(result, a_max)  # noqa: F821
    return result


def divmod(x1, x2):  # noqa: A001 - NumPy's name
    """``(floor_divide(x1, x2), mod(x1, x2))``."""
    return floor_divide(x1, x2), mod(x1, x2)  # noqa: F821


def _euclid_gcd(a, b):
    a, b = math_ops.abs(a), math_ops.abs(b)

    def step(a, b):
        nonzero = math_ops.not_equal(b, 0)
        safe_b = array_ops.where(nonzero, b, creation_ops.ones_like(b))
        return (array_ops.where(nonzero, b, a),
                array_ops.where(nonzero, tf_math.floormod(a, safe_b), b))

    return control_flow.while_loop(
        lambda a, b: reduce_ops.reduce_any(math_ops.not_equal(b, 0)), step, [a, b])[0]


def gcd(x1, x2):
    """Greatest common divisor of integers (Euclid's algorithm, elementwise)."""
    a, b = promote(x1, x2)
    _require_integers("gcd", a)
    return _euclid_gcd(*broadcast_together(a, b))


def lcm(x1, x2):
    """Least common multiple of integers; 0 where either input is 0."""
    a, b = promote(x1, x2)
    _require_integers("lcm", a)
    divisor = gcd(a, b)
    safe = array_ops.where(math_ops.equal(divisor, 0), creation_ops.ones_like(divisor), divisor)
    return math_ops.abs(a * tf_math.floordiv(b, safe))


def _require_integers(name: str, x) -> None:
    if not x.dtype.is_integer:
        raise TypeError(f"tnp.{name} expects integer inputs, got {numpy_dtype_of(x).name}")
