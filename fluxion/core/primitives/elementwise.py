"""Elementwise primitives: unary math, broadcasting binary arithmetic, comparisons, select.

Each primitive is one ``define`` call: name, NumPy kernel, shape rule, gradient rule.
The gradient rules read like a table (``g`` is the output cotangent, ``x``/``y`` the
inputs, ``out`` the output) and use Fluxion ops, so they are differentiable again.
Broadcasting is undone by the autodiff walker, not here.

The thin functions at the bottom (``add``, ``exp``...) convert operands with TF's
dtype rule and bind; the public ops in ``fluxion.ops`` and the Tensor operators call them.
"""

from __future__ import annotations

import math

import numpy as np

from fluxion.core import dtypes
from fluxion.core.dtypes import binary_result_dtype
from fluxion.core.errors import op_error
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.select_kernel import select_kernel
from fluxion.core.shape_rules import broadcast_shapes, elementwise_rule
from fluxion.core.tensor import Tensor, convert_to_tensor


def _same(x: Aval, **_) -> Aval:
    return x


def _bool_result(*avals: Aval, **_) -> Aval:
    return elementwise_rule(*avals, result_dtype=dtypes.bool_)


def _binary_rule(x: Aval, y: Aval, **_) -> Aval:
    return elementwise_rule(x, y)


def _erf_kernel(x):
    try:
        from scipy.special import erf  # optional: fast and exact when installed
    except ImportError:
        erf = np.vectorize(math.erf, otypes=[x.dtype])
    return erf(x).astype(x.dtype, copy=False)


def _unary(name, kernel, vjp=None, rule=_same):
    return define(name, kernel, rule, vjp)


# --- unary primitives:  name, kernel, vjp(g, inputs, out) -------------------------------
neg_p = _unary("neg", np.negative, lambda g, xs, out: (neg(g),))
abs_p = _unary("abs", np.abs, lambda g, xs, out: (_abs_vjp(g, xs[0], out),),
              rule=lambda x: Aval(x.shape, x.dtype.real_dtype))  # |complex| is real
sign_p = _unary("sign", np.sign, lambda g, xs, out: (zeros_like(g),))
exp_p = _unary("exp", np.exp, lambda g, xs, out: (g * out,))
log_p = _unary("log", np.log, lambda g, xs, out: (g / xs[0],))
log1p_p = _unary("log1p", np.log1p, lambda g, xs, out: (g / (xs[0] + 1),))
expm1_p = _unary("expm1", np.expm1, lambda g, xs, out: (g * (out + 1),))
sqrt_p = _unary("sqrt", np.sqrt, lambda g, xs, out: (g * 0.5 / out,))
rsqrt_p = _unary("rsqrt", lambda x: 1 / np.sqrt(x),
                 lambda g, xs, out: (g * -0.5 * out * out * out,))
square_p = _unary("square", np.square, lambda g, xs, out: (g * 2 * xs[0],))
reciprocal_p = _unary("reciprocal", np.reciprocal, lambda g, xs, out: (-g * out * out,))
sin_p = _unary("sin", np.sin, lambda g, xs, out: (g * cos(xs[0]),))
cos_p = _unary("cos", np.cos, lambda g, xs, out: (-g * sin(xs[0]),))
tan_p = _unary("tan", np.tan, lambda g, xs, out: (g * (1 + out * out),))
asin_p = _unary("asin", np.arcsin, lambda g, xs, out: (g * rsqrt(1 - xs[0] * xs[0]),))
acos_p = _unary("acos", np.arccos, lambda g, xs, out: (-g * rsqrt(1 - xs[0] * xs[0]),))
atan_p = _unary("atan", np.arctan, lambda g, xs, out: (g / (1 + xs[0] * xs[0]),))
sinh_p = _unary("sinh", np.sinh, lambda g, xs, out: (g * cosh(xs[0]),))
cosh_p = _unary("cosh", np.cosh, lambda g, xs, out: (g * sinh(xs[0]),))
tanh_p = _unary("tanh", np.tanh, lambda g, xs, out: (g * (1 - out * out),))
asinh_p = _unary("asinh", np.arcsinh, lambda g, xs, out: (g * rsqrt(xs[0] * xs[0] + 1),))
acosh_p = _unary("acosh", np.arccosh, lambda g, xs, out: (g * rsqrt(xs[0] * xs[0] - 1),))
atanh_p = _unary("atanh", np.arctanh, lambda g, xs, out: (g / (1 - xs[0] * xs[0]),))
erf_p = _unary("erf", _erf_kernel,
               lambda g, xs, out: (g * (2 / math.sqrt(math.pi)) * exp(-xs[0] * xs[0]),))
# Piecewise-constant functions: no gradient flows (TF registers none).
floor_p = _unary("floor", np.floor)
ceil_p = _unary("ceil", np.ceil)
round_p = _unary("round", np.round)  # banker's rounding, as tf.round
logical_not_p = _unary("logical_not", np.logical_not)
is_nan_p = _unary("is_nan", np.isnan, rule=lambda x: Aval(x.shape, dtypes.bool_))
is_inf_p = _unary("is_inf", np.isinf, rule=lambda x: Aval(x.shape, dtypes.bool_))
is_finite_p = _unary("is_finite", np.isfinite, rule=lambda x: Aval(x.shape, dtypes.bool_))


# --- binary primitives --------------------------------------------------------------------
def _pow_vjp(g, xs, out):
    x, y = xs
    gx = g * y * pow_(x, y - 1)
    safe_log = log(select(x > 0, x, ones_like(x)))
    gy = g * out * select(x > 0, safe_log, zeros_like(x))
    return gx, gy


def _maximum_vjp(g, xs, out):
    mask = xs[0] >= xs[1]
    return select(mask, g, zeros_like(g)), select(mask, zeros_like(g), g)


def _minimum_vjp(g, xs, out):
    mask = xs[0] <= xs[1]
    return select(mask, g, zeros_like(g)), select(mask, zeros_like(g), g)


def _atan2_vjp(g, xs, out):
    y, x = xs
    scale = g / (x * x + y * y)
    return scale * x, -scale * y


def _floormod_vjp(g, xs, out):
    x, y = xs
    return g, -g * floor(x / y)


add_p = define("add", np.add, _binary_rule, lambda g, xs, out: (g, g))
sub_p = define("sub", np.subtract, _binary_rule, lambda g, xs, out: (g, -g))
def _abs_vjp(g, x, out):
    if x.dtype.is_complex:  # d|z|: the cotangent points along z / |z| (not constant)
        return cast(g / out, x.dtype) * x
    return g * sign(x)


conj_p = define("conj", np.conjugate, _same, lambda g, xs, out: (bind(conj_p, g),),
                fresh_output=True)


def conj(x: Tensor) -> Tensor:
    """The complex conjugate of ``x``; ``x`` itself when it is real (nothing to do)."""
    if not x.dtype.is_complex:
        return x
    return bind(conj_p, x)


_conj = conj  # holomorphic rules take the conjugate derivative


mul_p = define("mul", np.multiply, _binary_rule,
               lambda g, xs, out: (g * _conj(xs[1]), g * _conj(xs[0])))
div_p = define("div", np.true_divide, lambda x, y: elementwise_rule(x, y),
               lambda g, xs, out: (g / _conj(xs[1]), -g * _conj(out) / _conj(xs[1])))
pow_p = define("pow", np.power, _binary_rule, _pow_vjp)
maximum_p = define("maximum", np.maximum, _binary_rule, _maximum_vjp)
minimum_p = define("minimum", np.minimum, _binary_rule, _minimum_vjp)
atan2_p = define("atan2", np.arctan2, _binary_rule, _atan2_vjp)
def _integer_division(ufunc, op: str):
    """``ufunc`` refusing integer division by zero, as TF does (NumPy gives 0)."""
    def kernel(x, y):
        if y.dtype.kind in "iu" and not np.all(y):
            from fluxion.core import errors

            raise errors.op_error(errors.InvalidArgumentError, op, "Integer division by zero")
        return ufunc(x, y)

    return kernel


floordiv_p = define("floordiv", _integer_division(np.floor_divide, "floordiv"), _binary_rule,
                    fresh_output=True)
floormod_p = define("floormod", _integer_division(np.mod, "floormod"), _binary_rule,
                    _floormod_vjp, fresh_output=True)
equal_p = define("equal", np.equal, _bool_result)
not_equal_p = define("not_equal", np.not_equal, _bool_result)
less_p = define("less", np.less, _bool_result)
less_equal_p = define("less_equal", np.less_equal, _bool_result)
greater_p = define("greater", np.greater, _bool_result)
greater_equal_p = define("greater_equal", np.greater_equal, _bool_result)
logical_and_p = define("logical_and", np.logical_and, _bool_result)
logical_or_p = define("logical_or", np.logical_or, _bool_result)
logical_xor_p = define("logical_xor", np.logical_xor, _bool_result)
bitwise_and_p = define("bitwise_and", np.bitwise_and, _binary_rule)
bitwise_or_p = define("bitwise_or", np.bitwise_or, _binary_rule)
bitwise_xor_p = define("bitwise_xor", np.bitwise_xor, _binary_rule)


def _select_rule(cond: Aval, x: Aval, y: Aval) -> Aval:
    if cond.dtype is not dtypes.bool_:
        raise TypeError(f"the condition must be bool, got {cond.dtype.name}")
    dtype = binary_dtype_rule(x, y)
    return Aval(broadcast_shapes(cond.shape, x.shape, y.shape), dtype)


def binary_dtype_rule(x: Aval, y: Aval):
    if x.dtype is not y.dtype:
        raise TypeError(f"both branches must have one dtype, got {x.dtype.name} "
                        f"and {y.dtype.name}")
    return x.dtype


def _select_vjp(g, xs, out):
    cond = xs[0]
    zero = convert_to_tensor(0, dtype=g.dtype)  # a scalar: select's fast path, no zeros array
    return None, select(cond, g, zero), select(cond, zero, g)


select_p = define("select", select_kernel, _select_rule, _select_vjp, fresh_output=True)


def _cast_kernel(x, dtype):
    return x.astype(dtype.np_dtype, copy=False)


def _cast_vjp(g, xs, out, dtype):
    source = xs[0].dtype
    if source.is_differentiable and dtype.is_differentiable:
        return (cast(g, source),)
    return (None,)


cast_p = define("cast", _cast_kernel, lambda x, dtype: Aval(x.shape, dtype), _cast_vjp)


def _real_rule(x: Aval) -> Aval:
    return Aval(x.shape, x.dtype.real_dtype)


# The real part; its cotangent re-enters the complex plane with a zero imaginary part.
real_p = define("real", np.real, _real_rule,
                lambda g, xs, out: (bind(cast_p, g, dtype=xs[0].dtype),))


def _fill_like_kernel(x, value):
    if value == 0:  # np.zeros maps zero pages lazily: large zero cotangents are cheap
        return np.zeros(x.shape, dtype=x.dtype)
    return np.full(x.shape, value, dtype=x.dtype)


fill_like_p = define("fill_like", _fill_like_kernel, lambda x, value: x, fresh_output=True,
                     shape_only=(0,))


# --- thin functions: conversion with TF's dtype rule, then bind --------------------------
def binary_operands(op_name: str, x, y) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors of one dtype; Python values adapt to the tensor's dtype."""
    if type(x) is Tensor and type(y) is Tensor:
        if x._value.dtype == y._value.dtype:
            return x, y
        binary_result_dtype(op_name, x.dtype, y.dtype)  # raises the mismatch error
    x_is_tensor = isinstance(x, Tensor) or hasattr(x, "_read_for_op")
    y_is_tensor = isinstance(y, Tensor) or hasattr(y, "_read_for_op")
    if x_is_tensor:
        x = convert_to_tensor(x)
        y = convert_to_tensor(y) if y_is_tensor else _adapt(op_name, y, x.dtype)
    elif y_is_tensor:
        y = convert_to_tensor(y)
        x = _adapt(op_name, x, y.dtype)
    else:
        x = convert_to_tensor(x)
        y = _adapt(op_name, y, x.dtype)
    binary_result_dtype(op_name, x.dtype, y.dtype)
    return x, y


def _adapt(op_name: str, value, dtype) -> Tensor:
    """Converts a non-tensor operand to ``dtype`` as TF does, or explains why not."""
    kind = type(value)
    if (kind is float and dtype.is_floating) or (kind is int and dtype.is_floating):
        return Tensor(np.asarray(value, dtype=dtype.np_dtype))  # exact or rounded, never lossy
    try:
        return convert_to_tensor(value, dtype=dtype)
    except (TypeError, ValueError) as error:
        from fluxion.core.errors import DTypeMismatchError

        raise op_error(DTypeMismatchError, op_name,
                       f"cannot use {value!r} with a {dtype.name} tensor: {error}") from None


def _float_only(op_name: str, x: Tensor) -> None:
    if not (x.dtype.is_floating or x.dtype.is_complex):
        raise op_error(TypeError, op_name,
                       f"expected a floating-point tensor, got dtype {x.dtype.name}; "
                       f"use fluxion.cast(x, fluxion.float32) first.")


def _make_unary(prim, float_only: bool):
    name = prim.name

    def apply(x, name=None):
        x = x if type(x) is Tensor else convert_to_tensor(x)
        if float_only:
            _float_only(prim.name, x)
        return bind(prim, x)

    apply.__name__ = name
    return apply


neg = _make_unary(neg_p, False)
abs_ = _make_unary(abs_p, False)
sign = _make_unary(sign_p, False)
square = _make_unary(square_p, False)
exp = _make_unary(exp_p, True)
log = _make_unary(log_p, True)
log1p = _make_unary(log1p_p, True)
expm1 = _make_unary(expm1_p, True)
sqrt = _make_unary(sqrt_p, True)
rsqrt = _make_unary(rsqrt_p, True)
reciprocal = _make_unary(reciprocal_p, True)
sin = _make_unary(sin_p, True)
cos = _make_unary(cos_p, True)
tan = _make_unary(tan_p, True)
asin = _make_unary(asin_p, True)
acos = _make_unary(acos_p, True)
atan = _make_unary(atan_p, True)
sinh = _make_unary(sinh_p, True)
cosh = _make_unary(cosh_p, True)
tanh = _make_unary(tanh_p, True)
asinh = _make_unary(asinh_p, True)
acosh = _make_unary(acosh_p, True)
atanh = _make_unary(atanh_p, True)
erf = _make_unary(erf_p, True)
floor = _make_unary(floor_p, True)
ceil = _make_unary(ceil_p, True)
round_ = _make_unary(round_p, False)
is_nan = _make_unary(is_nan_p, True)
is_inf = _make_unary(is_inf_p, True)
is_finite = _make_unary(is_finite_p, True)


def logical_not(x, name=None) -> Tensor:
    x = convert_to_tensor(x, dtype=dtypes.bool_)
    return bind(logical_not_p, x)


def _make_binary(prim):
    op_name = prim.name

    def apply(x, y, name=None):
        # Fast path: two eager tensors of one dtype need no conversion at all.
        if type(x) is not Tensor or type(y) is not Tensor or x._value.dtype != y._value.dtype:
            x, y = binary_operands(op_name, x, y)
        return bind(prim, x, y)

    apply.__name__ = op_name
    return apply


add = _make_binary(add_p)
sub = _make_binary(sub_p)
mul = _make_binary(mul_p)
pow_ = _make_binary(pow_p)
maximum = _make_binary(maximum_p)
minimum = _make_binary(minimum_p)
atan2 = _make_binary(atan2_p)
floordiv = _make_binary(floordiv_p)
floormod = _make_binary(floormod_p)
equal = _make_binary(equal_p)
not_equal = _make_binary(not_equal_p)
less = _make_binary(less_p)
less_equal = _make_binary(less_equal_p)
greater = _make_binary(greater_p)
greater_equal = _make_binary(greater_equal_p)
bitwise_and = _make_binary(bitwise_and_p)
bitwise_or = _make_binary(bitwise_or_p)
bitwise_xor = _make_binary(bitwise_xor_p)


def div(x, y, name=None) -> Tensor:
    """True division (``x / y``); integers divide as floats, as in TF (8- and 16-bit
    integers as float32, wider ones as float64)."""
    x, y = binary_operands("truediv", x, y)
    if x.dtype.is_integer:
        wide = x.dtype.size >= 4
        x, y = cast(x, dtypes.float64 if wide else dtypes.float32), \
            cast(y, dtypes.float64 if wide else dtypes.float32)
    return bind(div_p, x, y)


def _make_logical(prim):
    def apply(x, y, name=None):
        x = convert_to_tensor(x, dtype=dtypes.bool_)
        y = convert_to_tensor(y, dtype=dtypes.bool_)
        return bind(prim, x, y)

    apply.__name__ = prim.name
    return apply


logical_and = _make_logical(logical_and_p)
logical_or = _make_logical(logical_or_p)
logical_xor = _make_logical(logical_xor_p)


def select(condition, x, y) -> Tensor:
    """Elementwise ``x if condition else y`` with broadcasting (``tf.where`` with 3 args)."""
    condition = convert_to_tensor(condition, dtype=dtypes.bool_)
    x, y = binary_operands("where", x, y)
    return bind(select_p, condition, x, y)


def cast(x, dtype, name=None) -> Tensor:
    """Casts ``x`` to ``dtype`` (``tf.cast``); float to int truncates toward zero."""
    dtype = dtypes.as_dtype(dtype)
    x = convert_to_tensor(x)
    if x.dtype is dtype:
        return x
    if x.dtype.is_complex and not dtype.is_complex:
        x = bind(real_p, x)  # TF casts complex -> real by taking the real part
    return bind(cast_p, x, dtype=dtype)


def zeros_like(x, dtype=None, name=None) -> Tensor:
    x = convert_to_tensor(x)
    if dtype is not None:
        x = cast(x, dtype)
    return bind(fill_like_p, x, value=0)


def ones_like(x, dtype=None, name=None) -> Tensor:
    x = convert_to_tensor(x)
    if dtype is not None:
        x = cast(x, dtype)
    return bind(fill_like_p, x, value=1)


nextafter_p = define("nextafter", np.nextafter, lambda a, b: elementwise_rule(a, b),
                     doc="The next representable value after x1 toward x2.")
