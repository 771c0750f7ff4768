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

from fluxion.core.tensor import Tensor
from fluxion.keras.ops.promotion import (
    export,
    float_tensor,
    promote,
    promote_to_float,
    tensor,
)
from fluxion.ops import array_ops, creation_ops, math_ops, reduce_ops

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
    return math_ops.sign(x) * math_ops.pow(math_ops.abs(x), array_ops.cast(1 / 3, x.dtype))


def _sinc(x):
    pix = x * math.pi
    safe = array_ops.where(array_ops.equal(x, 0), creation_ops.ones_like(x), pix)
    return array_ops.where(
        array_ops.equal(x, 0), creation_ops.ones_like(x), math_ops.sin(safe) / safe
    )


exp = _float_unary(math_ops.exp, "exp")
exp2 = _float_unary(math_ops.exp2, "exp2")
expm1 = _float_unary(math_ops.expm1, "expm1")
log = _float_unary(math_ops.log, "log")
log2 = _float_unary(math_ops.log2, "log2")
log10 = _float_unary(math_ops.log10, "log10")
log1p = _float_unary(math_ops.log1p, "log1p")
sqrt = _float_unary(math_ops.sqrt, "sqrt")
cbrt = _float_unary(_cbrt, "cbrt")
sin = _float_unary(math_ops.sin, "sin")
cos = _float_unary(math_ops.cos, "cos")
tan = _float_unary(math_ops.tan, "tan")
arcsin = _float_unary(math_ops.asin, "arcsin")
arccos = _float_unary(math_ops.acos, "arccos")
arctan = _float_unary(math_ops.atan, "arctan")
sinh = _float_unary(math_ops.sinh, "sinh")
cosh = _float_unary(math_ops.cosh, "cosh")
tanh = _float_unary(math_ops.tanh, "tanh")
arcsinh = _float_unary(math_ops.asinh, "arcsinh")
arccosh = _float_unary(math_ops.acosh, "arccosh")
arctanh = _float_unary(math_ops.atanh, "arctanh")
floor = _float_unary(math_ops.floor, "floor")
ceil = _float_unary(math_ops.ceil, "ceil")
deg2rad = _float_unary(lambda x: x * (math.pi / 180), "deg2rad")
rad2deg = _float_unary(lambda x: x * (180 / math.pi), "rad2deg")
sinc = _float_unary(_sinc, "sinc")
reciprocal = _float_unary(math_ops.reciprocal, "reciprocal")


# --- unary, dtype kept ----------------------------------------------------------------------
def abs(x):  # noqa: A001 - Keras's name
    """Absolute value, elementwise; the dtype is kept (bool stays bool)."""
    x = tensor(x)
    return x if x.dtype.is_bool else math_ops.abs(x)


absolute = abs
fabs = abs


def negative(x):
    """``-x``, elementwise."""
    return math_ops.negative(tensor(x))


def square(x):
    """``x * x``, elementwise; bool becomes int32."""
    x = tensor(x)
    if x.dtype.is_bool:
        x = array_ops.cast(x, "int32")
    return math_ops.square(x)


def sign(x):
    """-1, 0 or 1 by the sign of each element, in ``x``'s dtype."""
    x = tensor(x)
    if x.dtype.is_unsigned:
        return array_ops.cast(math_ops.not_equal(x, 0), x.dtype)
    return math_ops.sign(x)


def round(x, decimals: int = 0):  # noqa: A001 - Keras's name
    """Rounds half to even, to ``decimals`` places (as ``numpy.round``).

    >>> round([0.5, 1.5, 2.25], decimals=0).numpy()
    array([0., 2., 2.], dtype=float32)
    """
    x = tensor(x)
    if not x.dtype.is_floating:
        if decimals >= 0:
            return x
        factor = 10**-decimals
        return array_ops.cast(
            math_ops.round(array_ops.cast(x, "float64") / factor) * factor, x.dtype
        )
    if decimals == 0:
        return math_ops.round(x)
    factor = array_ops.cast(10.0**decimals, x.dtype)
    return math_ops.round(x * factor) / factor


def trunc(x):
    """Rounds toward zero; integers and bools are returned as they are."""
    x = tensor(x)
    if not x.dtype.is_floating:
        return x
    return array_ops.where(x < 0, math_ops.ceil(x), math_ops.floor(x))


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
    return creation_ops.zeros_like(tensor(x))


def nan_to_num(x, nan: float = 0.0, posinf=None, neginf=None):
    """Replaces NaN with ``nan`` and infinities with ``posinf``/``neginf`` (the dtype's
    largest/smallest finite values when None)."""
    x = tensor(x)
    if not x.dtype.is_floating:
        return x
    posinf = x.dtype.max if posinf is None else posinf
    neginf = x.dtype.min if neginf is None else neginf
    x = array_ops.where(math_ops.is_nan(x), array_ops.cast(nan, x.dtype), x)
    x = array_ops.where(
        math_ops.logical_and(math_ops.is_inf(x), x > 0), array_ops.cast(posinf, x.dtype), x
    )
    return array_ops.where(
        math_ops.logical_and(math_ops.is_inf(x), x < 0), array_ops.cast(neginf, x.dtype), x
    )


def clip(x, x_min, x_max):
    """Limits values to ``[x_min, x_max]``; bool becomes int32.

    >>> clip([1, 5, 9], 2, 6).numpy()
    array([2, 5, 6], dtype=int32)
    """
    x = tensor(x)
    if x.dtype.is_bool:
        x = array_ops.cast(x, "int32")
    x, low, high = promote(x, x_min, x_max)
    return math_ops.minimum(math_ops.maximum(x, low), high)


# --- predicates -----------------------------------------------------------------------------
def _float_predicate(engine_op, name: str, default: bool):
    def op(x):
        x = tensor(x)
        if not x.dtype.is_floating:
            return (
                creation_ops.fill(creation_ops.shape(x), default)
                if default
                else creation_ops.zeros_like(x, "bool")
            )
        return engine_op(x)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}``: a bool tensor."
    return op


isnan = _float_predicate(math_ops.is_nan, "isnan", False)
isinf = _float_predicate(math_ops.is_inf, "isinf", False)
isfinite = _float_predicate(math_ops.is_finite, "isfinite", True)
isneginf = _float_predicate(
    lambda x: math_ops.logical_and(math_ops.is_inf(x), x < 0), "isneginf", False
)
isposinf = _float_predicate(
    lambda x: math_ops.logical_and(math_ops.is_inf(x), x > 0), "isposinf", False
)


def signbit(x):
    """True where the sign bit is set (negative numbers, ``-0.0``)."""
    x = tensor(x)
    if x.dtype.is_bool or x.dtype.is_unsigned:
        return creation_ops.zeros_like(x, "bool")
    if x.dtype.is_integer:
        return x < 0
    # 1/x tells -0.0 from 0.0; NaN's sign is not visible to arithmetic, taken as positive.
    return math_ops.logical_or(
        x < 0, math_ops.logical_and(array_ops.equal(x, 0), math_ops.reciprocal(x) < 0)
    )


def isreal(x):
    """True everywhere for real dtypes."""
    return creation_ops.fill(creation_ops.shape(tensor(x)), True)


# --- binary arithmetic ------------------------------------------------------------------------
def _binary(engine_op, name: str, to_float: bool = False):
    conform = promote_to_float if to_float else promote

    def op(x1, x2):
        # Fast path: two eager tensors of one dtype (floating, if the op needs it).
        if (
            type(x1) is Tensor
            and type(x2) is Tensor
            and x1.dtype is x2.dtype
            and (not to_float or x1.dtype.is_floating)
        ):
            return engine_op(x1, x2)
        a, b = conform(x1, x2)
        return engine_op(a, b)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (
        f"Elementwise ``{name}`` with broadcasting and Keras's dtype promotion.\n\n"
        f"Args:\n  x1, x2: tensors, arrays or numbers.\n\nReturns:\n  A tensor."
    )
    return op


def _true_divide(a, b):
    return math_ops.truediv(a, b)


def _fmod(a, b):
    if a.dtype.is_integer:
        return math_ops.sign(a) * math_ops.floormod(math_ops.abs(a), math_ops.abs(b))
    return a - array_ops.where(a / b < 0, math_ops.ceil(a / b), math_ops.floor(a / b)) * b


def _logaddexp(a, b):
    big = math_ops.maximum(a, b)
    safe = array_ops.where(math_ops.is_inf(big), creation_ops.zeros_like(big), big)
    return safe + math_ops.log(math_ops.exp(a - safe) + math_ops.exp(b - safe))


def _logaddexp2(a, b):
    ln2 = array_ops.cast(math.log(2), a.dtype)
    return _logaddexp(a * ln2, b * ln2) / ln2


def _heaviside(a, b):
    return array_ops.where(
        a < 0, creation_ops.zeros_like(a), array_ops.where(a > 0, creation_ops.ones_like(a), b)
    )


def _mod(a, b):
    if a.dtype.is_bool:
        a, b = array_ops.cast(a, "int32"), array_ops.cast(b, "int32")
    return math_ops.floormod(a, b)


def _hypot(a, b):
    return math_ops.sqrt(a * a + b * b)


add = _binary(math_ops.add, "add")
subtract = _binary(math_ops.subtract, "subtract")
multiply = _binary(math_ops.multiply, "multiply")
divide = _binary(_true_divide, "divide", to_float=True)
true_divide = _binary(_true_divide, "true_divide", to_float=True)
divide_no_nan = _binary(math_ops.divide_no_nan, "divide_no_nan", to_float=True)
floor_divide = _binary(math_ops.floordiv, "floor_divide")
mod = _binary(_mod, "mod")
fmod = _binary(_fmod, "fmod")
power = _binary(math_ops.pow, "power")
maximum = _binary(math_ops.maximum, "maximum")
minimum = _binary(math_ops.minimum, "minimum")
arctan2 = _binary(math_ops.atan2, "arctan2", to_float=True)
hypot = _binary(_hypot, "hypot", to_float=True)
logaddexp = _binary(_logaddexp, "logaddexp", to_float=True)
logaddexp2 = _binary(_logaddexp2, "logaddexp2", to_float=True)
heaviside = _binary(_heaviside, "heaviside", to_float=True)

# --- comparisons and logic --------------------------------------------------------------------
equal = _binary(array_ops.equal, "equal")
not_equal = _binary(math_ops.not_equal, "not_equal")
less = _binary(array_ops.less, "less")
less_equal = _binary(math_ops.less_equal, "less_equal")
greater = _binary(math_ops.greater, "greater")
greater_equal = _binary(math_ops.greater_equal, "greater_equal")


def isclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
    """``|x1 - x2| <= atol + rtol * |x2|``, elementwise (as ``numpy.isclose``)."""
    a, b = promote_to_float(x1, x2)
    close = math_ops.abs(a - b) <= array_ops.cast(atol, a.dtype) + array_ops.cast(
        rtol, a.dtype
    ) * math_ops.abs(b)
    close = math_ops.logical_or(close, array_ops.equal(a, b))  # equal infinities
    if equal_nan:
        close = math_ops.logical_or(
            close, math_ops.logical_and(math_ops.is_nan(a), math_ops.is_nan(b))
        )
    return close


def allclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
    """Whether every element is close (``isclose``): a scalar bool tensor."""
    return reduce_ops.reduce_all(isclose(x1, x2, rtol, atol, equal_nan))


def _as_bool(x):
    x = tensor(x)
    return x if x.dtype.is_bool else math_ops.not_equal(x, creation_ops.zeros_like(x))


def logical_and(x1, x2):
    """Elementwise ``and``; non-bool inputs count as True where nonzero."""
    return math_ops.logical_and(_as_bool(x1), _as_bool(x2))


def logical_or(x1, x2):
    """Elementwise ``or``; non-bool inputs count as True where nonzero."""
    return math_ops.logical_or(_as_bool(x1), _as_bool(x2))


def logical_xor(x1, x2):
    """Elementwise ``xor``; non-bool inputs count as True where nonzero."""
    return math_ops.logical_xor(_as_bool(x1), _as_bool(x2))


def logical_not(x):
    """Elementwise ``not``; non-bool inputs count as True where nonzero."""
    return math_ops.logical_not(_as_bool(x))


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
