"""``keras.ops`` elementwise math: unary functions, arithmetic, comparisons, logic.

Each op converts its operands, applies Keras's dtype rule (``promotion``) with explicit
casts, then calls one of the engine's ops.  Float-only functions (``exp``, ``sqrt``...)
give ``floatx()`` for integer and bool inputs, as Keras does.

>>> from fluxion.keras import ops
>>> ops.add(ops.ones((2,), "int32"), 0.5).dtype.name
'float32'
"""

from __future__ import annotations

import math

import fluxion as tf
from fluxion.core.primitives import elementwise as ew
from fluxion.core.tensor import Tensor
from fluxion.keras.ops.promotion import (
    export,
    float_tensor,
    promote,
    promote_to_float,
    tensor,
)

__all__ = [
    # unary, float results
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "sin", "cos",
    "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh",
    "arctanh", "floor", "ceil", "deg2rad", "rad2deg", "sinc", "reciprocal",
    # unary, dtype kept
    "abs", "absolute", "fabs", "negative", "square", "sign", "round", "trunc", "conj",
    "conjugate", "real", "imag", "nan_to_num", "clip",
    # predicates
    "isnan", "isinf", "isfinite", "isneginf", "isposinf", "signbit", "isreal",
    # binary arithmetic
    "add", "subtract", "multiply", "divide", "true_divide", "divide_no_nan", "floor_divide",
    "mod", "fmod", "power", "maximum", "minimum", "arctan2", "hypot", "logaddexp",
    "logaddexp2", "heaviside",
    # comparisons and logic
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "isclose",
    "allclose", "logical_and", "logical_or", "logical_xor", "logical_not",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_invert",
]


# --- unary, float results -------------------------------------------------------------------
def _float_unary(engine_op, name: str):
    def op(x):
        return engine_op(float_tensor(x))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Elementwise ``{name}``; integer and bool inputs give ``floatx()``.\n\n"
                  f"Args:\n  x: a tensor, array or number.\n\nReturns:\n  A float tensor.")
    return op


def _cbrt(x):
    return tf.sign(x) * tf.pow(tf.abs(x), tf.cast(1 / 3, x.dtype))


def _sinc(x):
    pix = x * math.pi
    safe = tf.where(tf.equal(x, 0), tf.ones_like(x), pix)
    return tf.where(tf.equal(x, 0), tf.ones_like(x), tf.sin(safe) / safe)


exp = _float_unary(tf.exp, "exp")
exp2 = _float_unary(tf.math.exp2, "exp2")
expm1 = _float_unary(tf.math.expm1, "expm1")
log = _float_unary(tf.math.log, "log")
log2 = _float_unary(tf.math.log2, "log2")
log10 = _float_unary(tf.math.log10, "log10")
log1p = _float_unary(tf.math.log1p, "log1p")
sqrt = _float_unary(tf.sqrt, "sqrt")
cbrt = _float_unary(_cbrt, "cbrt")
sin = _float_unary(tf.sin, "sin")
cos = _float_unary(tf.cos, "cos")
tan = _float_unary(tf.tan, "tan")
arcsin = _float_unary(tf.asin, "arcsin")
arccos = _float_unary(tf.acos, "arccos")
arctan = _float_unary(tf.atan, "arctan")
sinh = _float_unary(tf.sinh, "sinh")
cosh = _float_unary(tf.cosh, "cosh")
tanh = _float_unary(tf.tanh, "tanh")
arcsinh = _float_unary(tf.asinh, "arcsinh")
arccosh = _float_unary(tf.acosh, "arccosh")
arctanh = _float_unary(tf.atanh, "arctanh")
floor = _float_unary(tf.floor, "floor")
ceil = _float_unary(tf.math.ceil, "ceil")
deg2rad = _float_unary(lambda x: x * (math.pi / 180), "deg2rad")
rad2deg = _float_unary(lambda x: x * (180 / math.pi), "rad2deg")
sinc = _float_unary(_sinc, "sinc")
reciprocal = _float_unary(tf.math.reciprocal, "reciprocal")


# --- unary, dtype kept ----------------------------------------------------------------------
def abs(x):  # noqa: A001 - Keras's name
    """Absolute value, elementwise; the dtype is kept (bool stays bool)."""
    x = tensor(x)
    return x if x.dtype.is_bool else tf.abs(x)


absolute = abs
fabs = abs


def negative(x):
    """``-x``, elementwise."""
    return tf.negative(tensor(x))


def square(x):
    """``x * x``, elementwise; bool becomes int32."""
    x = tensor(x)
    if x.dtype.is_bool:
        x = tf.cast(x, "int32")
    return tf.square(x)


def sign(x):
    """-1, 0 or 1 by the sign of each element, in ``x``'s dtype."""
    x = tensor(x)
    if x.dtype.is_unsigned:
        return tf.cast(tf.not_equal(x, 0), x.dtype)
    return tf.sign(x)


def round(x, decimals: int = 0):  # noqa: A001 - Keras's name
    """Rounds half to even, to ``decimals`` places (as ``numpy.round``).

    >>> round([0.5, 1.5, 2.25], decimals=0).numpy()
    array([0., 2., 2.], dtype=float32)
    """
    x = tensor(x)
    if not x.dtype.is_floating:
        if decimals >= 0:
            return x
        factor = 10 ** -decimals
        return tf.cast(tf.round(tf.cast(x, "float64") / factor) * factor, x.dtype)
    if decimals == 0:
        return tf.round(x)
    factor = tf.cast(10.0 ** decimals, x.dtype)
    return tf.round(x * factor) / factor


def trunc(x):
    """Rounds toward zero; integers and bools are returned as they are."""
    x = tensor(x)
    if not x.dtype.is_floating:
        return x
    return tf.where(x < 0, tf.math.ceil(x), tf.floor(x))


def conj(x):
    """The complex conjugate (the input itself for real dtypes)."""
    x = tensor(x)
    return x


conjugate = conj


def real(x):
    """The real part (the input itself for real dtypes)."""
    return tensor(x)


def imag(x):
    """The imaginary part: zeros for real dtypes."""
    return tf.zeros_like(tensor(x))


def nan_to_num(x, nan: float = 0.0, posinf=None, neginf=None):
    """Replaces NaN with ``nan`` and infinities with ``posinf``/``neginf`` (the dtype's
    largest/smallest finite values when None)."""
    x = tensor(x)
    if not x.dtype.is_floating:
        return x
    posinf = x.dtype.max if posinf is None else posinf
    neginf = x.dtype.min if neginf is None else neginf
    x = tf.where(tf.math.is_nan(x), tf.cast(nan, x.dtype), x)
    x = tf.where(tf.logical_and(tf.math.is_inf(x), x > 0), tf.cast(posinf, x.dtype), x)
    return tf.where(tf.logical_and(tf.math.is_inf(x), x < 0), tf.cast(neginf, x.dtype), x)


def clip(x, x_min, x_max):
    """Limits values to ``[x_min, x_max]``; bool becomes int32.

    >>> clip([1, 5, 9], 2, 6).numpy()
    array([2, 5, 6], dtype=int32)
    """
    x = tensor(x)
    if x.dtype.is_bool:
        x = tf.cast(x, "int32")
    x, low, high = promote(x, x_min, x_max)
    return tf.minimum(tf.maximum(x, low), high)


# --- predicates -----------------------------------------------------------------------------
def _float_predicate(engine_op, name: str, default: bool):
    def op(x):
        x = tensor(x)
        if not x.dtype.is_floating:
            return tf.fill(tf.shape(x), default) if default else tf.zeros_like(x, "bool")
        return engine_op(x)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}``: a bool tensor."
    return op


isnan = _float_predicate(tf.math.is_nan, "isnan", False)
isinf = _float_predicate(tf.math.is_inf, "isinf", False)
isfinite = _float_predicate(tf.math.is_finite, "isfinite", True)
isneginf = _float_predicate(lambda x: tf.logical_and(tf.math.is_inf(x), x < 0), "isneginf",
                            False)
isposinf = _float_predicate(lambda x: tf.logical_and(tf.math.is_inf(x), x > 0), "isposinf",
                            False)


def signbit(x):
    """True where the sign bit is set (negative numbers, ``-0.0``)."""
    x = tensor(x)
    if x.dtype.is_bool or x.dtype.is_unsigned:
        return tf.zeros_like(x, "bool")
    if x.dtype.is_integer:
        return x < 0
    # 1/x tells -0.0 from 0.0; NaN's sign is not visible to arithmetic, taken as positive.
    return tf.logical_or(x < 0, tf.logical_and(tf.equal(x, 0), tf.math.reciprocal(x) < 0))


def isreal(x):
    """True everywhere for real dtypes."""
    return tf.fill(tf.shape(tensor(x)), True)


# --- binary arithmetic ------------------------------------------------------------------------
def _binary(engine_op, name: str, to_float: bool = False):
    conform = promote_to_float if to_float else promote

    def op(x1, x2):
        # Fast path: two eager tensors of one dtype (floating, if the op needs it).
        if type(x1) is Tensor and type(x2) is Tensor and x1.dtype is x2.dtype and (
                not to_float or x1.dtype.is_floating):
            return engine_op(x1, x2)
        a, b = conform(x1, x2)
        return engine_op(a, b)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Elementwise ``{name}`` with broadcasting and Keras's dtype promotion.\n\n"
                  f"Args:\n  x1, x2: tensors, arrays or numbers.\n\nReturns:\n  A tensor.")
    return op


def _true_divide(a, b):
    return ew.div(a, b)


def _fmod(a, b):
    if a.dtype.is_integer:
        return tf.sign(a) * tf.math.floormod(tf.abs(a), tf.abs(b))
    return a - tf.where(a / b < 0, tf.math.ceil(a / b), tf.floor(a / b)) * b


def _logaddexp(a, b):
    big = tf.maximum(a, b)
    safe = tf.where(tf.math.is_inf(big), tf.zeros_like(big), big)
    return safe + tf.math.log(tf.exp(a - safe) + tf.exp(b - safe))


def _logaddexp2(a, b):
    ln2 = tf.cast(math.log(2), a.dtype)
    return _logaddexp(a * ln2, b * ln2) / ln2


def _heaviside(a, b):
    return tf.where(a < 0, tf.zeros_like(a), tf.where(a > 0, tf.ones_like(a), b))


def _mod(a, b):
    if a.dtype.is_bool:
        a, b = tf.cast(a, "int32"), tf.cast(b, "int32")
    return tf.math.floormod(a, b)


def _hypot(a, b):
    return tf.sqrt(a * a + b * b)


add = _binary(tf.add, "add")
subtract = _binary(tf.subtract, "subtract")
multiply = _binary(tf.multiply, "multiply")
divide = _binary(_true_divide, "divide", to_float=True)
true_divide = _binary(_true_divide, "true_divide", to_float=True)
divide_no_nan = _binary(tf.math.divide_no_nan, "divide_no_nan", to_float=True)
floor_divide = _binary(tf.math.floordiv, "floor_divide")
mod = _binary(_mod, "mod")
fmod = _binary(_fmod, "fmod")
power = _binary(tf.pow, "power")
maximum = _binary(tf.maximum, "maximum")
minimum = _binary(tf.minimum, "minimum")
arctan2 = _binary(tf.atan2, "arctan2", to_float=True)
hypot = _binary(_hypot, "hypot", to_float=True)
logaddexp = _binary(_logaddexp, "logaddexp", to_float=True)
logaddexp2 = _binary(_logaddexp2, "logaddexp2", to_float=True)
heaviside = _binary(_heaviside, "heaviside", to_float=True)

# --- comparisons and logic --------------------------------------------------------------------
equal = _binary(tf.equal, "equal")
not_equal = _binary(tf.not_equal, "not_equal")
less = _binary(tf.less, "less")
less_equal = _binary(tf.less_equal, "less_equal")
greater = _binary(tf.greater, "greater")
greater_equal = _binary(tf.greater_equal, "greater_equal")


def isclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
    """``|x1 - x2| <= atol + rtol * |x2|``, elementwise (as ``numpy.isclose``)."""
    a, b = promote_to_float(x1, x2)
    close = tf.abs(a - b) <= tf.cast(atol, a.dtype) + tf.cast(rtol, a.dtype) * tf.abs(b)
    close = tf.logical_or(close, tf.equal(a, b))  # equal infinities
    if equal_nan:
        close = tf.logical_or(close, tf.logical_and(tf.math.is_nan(a), tf.math.is_nan(b)))
    return close


def allclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
    """Whether every element is close (``isclose``): a scalar bool tensor."""
    return tf.reduce_all(isclose(x1, x2, rtol, atol, equal_nan))


def _as_bool(x):
    x = tensor(x)
    return x if x.dtype.is_bool else tf.not_equal(x, tf.zeros_like(x))


def logical_and(x1, x2):
    """Elementwise ``and``; non-bool inputs count as True where nonzero."""
    return tf.logical_and(_as_bool(x1), _as_bool(x2))


def logical_or(x1, x2):
    """Elementwise ``or``; non-bool inputs count as True where nonzero."""
    return tf.logical_or(_as_bool(x1), _as_bool(x2))


def logical_xor(x1, x2):
    """Elementwise ``xor``; non-bool inputs count as True where nonzero."""
    return tf.math.logical_xor(_as_bool(x1), _as_bool(x2))


def logical_not(x):
    """Elementwise ``not``; non-bool inputs count as True where nonzero."""
    return tf.logical_not(_as_bool(x))


def _bitwise(engine_op, name: str):
    def op(x, y):
        a, b = promote(x, y)
        return engine_op(a, b)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` of integer or bool tensors."
    return op


bitwise_and = _bitwise(lambda a, b: a & b, "bitwise_and")
bitwise_or = _bitwise(lambda a, b: a | b, "bitwise_or")
bitwise_xor = _bitwise(lambda a, b: a ^ b, "bitwise_xor")


def bitwise_invert(x):
    """``~x``: two's complement for integers, ``not`` for bools."""
    return ~tensor(x)


bitwise_not = bitwise_invert

export(globals(), __all__)
