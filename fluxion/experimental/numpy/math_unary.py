"""One-argument math of ``tf.experimental.numpy``: ``sin``, ``exp``, ``sqrt``, ``abs``...

Functions that make floats (``sin``, ``sqrt``, ``ceil``...) cast integer and boolean
inputs to the default float type first, as TensorFlow's NumPy layer does (NumPy itself
would pick float16 for int8; TF picks float64).  The others keep the input's dtype.
All are composites of Fluxion ops, so they are differentiable where the math is.
"""

from __future__ import annotations

import math

from fluxion.experimental.numpy.conversion import as_float, asarray
from fluxion.ops import array_ops, creation_ops, math_ops
from fluxion.ops import bitwise as tf_bitwise
from fluxion.ops import math as tf_math


def _float_function(name: str, op, doc: str):
    def function(x):
        return op(as_float(x))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{doc} elementwise; integers become the default float type first."
    return function


def _log_base(base: float):
    return lambda x: tf_math.log(x) / math_ops.cast(math.log(base), x.dtype)


def _cbrt(x):
    return tf_math.sign(x) * tf_math.pow(tf_math.abs(x), math_ops.cast(1.0 / 3.0, x.dtype))


def _sinc(x):
    scaled = x * math_ops.cast(math.pi, x.dtype)
    safe = array_ops.where(math_ops.equal(scaled, 0), creation_ops.ones_like(scaled), scaled)
    return array_ops.where(math_ops.equal(scaled, 0), creation_ops.ones_like(scaled),
                           tf_math.sin(safe) / safe)


def _fix(x):
    return array_ops.where(x < 0, tf_math.ceil(x), tf_math.floor(x))


_FLOAT_FUNCTIONS = {
    "sin": (tf_math.sin, "Sine"), "cos": (tf_math.cos, "Cosine"),
    "tan": (tf_math.tan, "Tangent"), "arcsin": (tf_math.asin, "Inverse sine"),
    "arccos": (tf_math.acos, "Inverse cosine"), "arctan": (tf_math.atan, "Inverse tangent"),
    "sinh": (tf_math.sinh, "Hyperbolic sine"), "cosh": (tf_math.cosh, "Hyperbolic cosine"),
    "tanh": (tf_math.tanh, "Hyperbolic tangent"),
    "arcsinh": (tf_math.asinh, "Inverse hyperbolic sine"),
    "arccosh": (tf_math.acosh, "Inverse hyperbolic cosine"),
    "arctanh": (tf_math.atanh, "Inverse hyperbolic tangent"),
    "exp": (tf_math.exp, "e to the power x"), "exp2": (tf_math.exp2, "2 to the power x"),
    "expm1": (tf_math.expm1, "exp(x) - 1, accurate near 0"),
    "log": (tf_math.log, "Natural logarithm"), "log2": (_log_base(2.0), "Base-2 logarithm"),
    "log10": (_log_base(10.0), "Base-10 logarithm"),
    "log1p": (tf_math.log1p, "log(1 + x), accurate near 0"),
    "sqrt": (tf_math.sqrt, "Square root"), "cbrt": (_cbrt, "Real cube root"),
    "reciprocal": (tf_math.reciprocal, "1 / x"),
    "sinc": (_sinc, "Normalised sinc, sin(pi x) / (pi x)"),
    "deg2rad": (lambda x: x * math_ops.cast(math.pi / 180, x.dtype), "Degrees to radians"),
    "rad2deg": (lambda x: x * math_ops.cast(180 / math.pi, x.dtype), "Radians to degrees"),
    "ceil": (tf_math.ceil, "Smallest integer >= x"),
    "floor": (tf_math.floor, "Largest integer <= x"),
    "fix": (_fix, "Rounding toward zero"),
    "fabs": (tf_math.abs, "Absolute value, as a float"),
}

for _name, (_op, _doc) in _FLOAT_FUNCTIONS.items():
    globals()[_name] = _float_function(_name, _op, _doc)


def abs(x):  # noqa: A001 - NumPy's name
    """Absolute value elementwise; complex input gives its real-valued magnitude."""
    x = asarray(x)
    if x.dtype.is_bool or x.dtype.is_unsigned:
        return x
    return tf_math.abs(x)


absolute = abs


def negative(x):
    """``-x`` elementwise."""
    return tf_math.negative(asarray(x))


def positive(x):
    """``+x``: a tensor equal to ``x``."""
    return creation_ops.identity(asarray(x))


def square(x):
    """``x * x`` elementwise, in ``x``'s dtype."""
    return tf_math.square(asarray(x))


def sign(x):
    """-1, 0 or 1 by the sign of each element (``x / |x|`` for complex)."""
    return tf_math.sign(asarray(x))


def around(a, decimals=0):
    """Rounds half to even, to ``decimals`` places (negative: tens, hundreds...).

    Integers stay integers when ``decimals >= 0``.
    """
    a = asarray(a)
    if not a.dtype.is_floating and not a.dtype.is_complex:
        if decimals >= 0:
            return a
        return math_ops.cast(around(math_ops.cast(a, "float64"), decimals), a.dtype)  # exact: whole
    if decimals == 0:
        return tf_math.round(a)
    if decimals < 0:  # divide by 10**n, exact, rather than multiply by the inexact 0.1
        factor = math_ops.cast(10.0 ** -decimals, a.dtype)
        return tf_math.round(a / factor) * factor
    factor = math_ops.cast(10.0 ** decimals, a.dtype)
    return tf_math.round(a * factor) / factor


round = around  # noqa: A001 - NumPy's name


def real(val):
    """The real part; real input is returned unchanged."""
    val = asarray(val)
    return tf_math.real(val) if val.dtype.is_complex else val


def imag(val):
    """The imaginary part; zeros of ``val``'s dtype for real input."""
    val = asarray(val)
    return tf_math.imag(val) if val.dtype.is_complex else creation_ops.zeros_like(val)


def conj(x):
    """The complex conjugate; real input is returned unchanged."""
    x = asarray(x)
    return tf_math.conj(x) if x.dtype.is_complex else x


conjugate = conj


def angle(z, deg=False):
    """The argument of each (complex) element, in radians or, with ``deg``, degrees."""
    z = asarray(z)
    if z.dtype.is_complex:
        result = tf_math.angle(z)
    else:
        z = as_float(z)
        result = array_ops.where(z < 0, math_ops.cast(math.pi, z.dtype) * creation_ops.ones_like(z),
                                 creation_ops.zeros_like(z))
    if deg:
        result = result * math_ops.cast(180 / math.pi, result.dtype)
    return result


def signbit(x):
    """True where the sign bit is set (negative numbers, and -0.0)."""
    x = asarray(x)
    if x.dtype.is_bool or x.dtype.is_unsigned:
        return creation_ops.zeros_like(x, dtype="bool")
    if x.dtype.is_integer:
        return x < 0
    # 1 / -0.0 is -inf: the sign of zero is seen through its reciprocal.
    negative_zero = math_ops.logical_and(math_ops.equal(x, 0), tf_math.reciprocal(x) < 0)
    return math_ops.logical_or(x < 0, negative_zero)


def bitwise_not(x):
    """Bitwise inversion of integers; logical not of booleans."""
    x = asarray(x)
    return math_ops.logical_not(x) if x.dtype.is_bool else tf_bitwise.invert(x)

