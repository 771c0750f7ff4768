"""Comparisons, predicates and logic in ``tf.experimental.numpy``: ``equal``, ``isclose``,
``isnan``, ``logical_and``, ``array_equal``, ``iscomplexobj``...

Comparisons promote both operands to their common dtype first; logical functions treat
nonzero numbers as True.  Predicates about an object (``isscalar``, ``iscomplexobj``)
answer with Python bools; elementwise ones with boolean tensors.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.tensor import Tensor
from fluxion.experimental.numpy import dtype_rules
from fluxion.experimental.numpy.conversion import asarray, promote
from fluxion.ops import creation_ops, math_ops, reduce_ops
from fluxion.ops import math as tf_math


def _comparison(name: str, op, doc: str):
    def function(x1, x2):
        a, b = promote(x1, x2)
        return op(a, b)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"True where {doc}, elementwise with broadcasting."
    return function


equal = _comparison("equal", math_ops.equal, "x1 == x2")
not_equal = _comparison("not_equal", math_ops.not_equal, "x1 != x2")
less = _comparison("less", math_ops.less, "x1 < x2")
less_equal = _comparison("less_equal", math_ops.less_equal, "x1 <= x2")
greater = _comparison("greater", math_ops.greater, "x1 > x2")
greater_equal = _comparison("greater_equal", math_ops.greater_equal, "x1 >= x2")


def _truth(x):
    x = asarray(x)
    return x if x.dtype.is_bool else math_ops.not_equal(x, creation_ops.zeros_like(x))


def logical_and(x1, x2):
    """True where both are nonzero."""
    return math_ops.logical_and(_truth(x1), _truth(x2))


def logical_or(x1, x2):
    """True where either is nonzero."""
    return math_ops.logical_or(_truth(x1), _truth(x2))


def logical_xor(x1, x2):
    """True where exactly one is nonzero."""
    return tf_math.logical_xor(_truth(x1), _truth(x2))


def logical_not(x):
    """True where ``x`` is zero."""
    return math_ops.logical_not(_truth(x))


def _float_predicate(name: str, op, doc: str, integer_answer: bool):
    def function(x):
        x = asarray(x)
        if not (x.dtype.is_floating or x.dtype.is_complex):
            return creation_ops.fill(creation_ops.shape(x), integer_answer)
        return op(x)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"True where the element {doc}."
    return function


def _complex_aware(op):
    def apply(x):
        if x.dtype.is_complex:
            return math_ops.logical_or(op(tf_math.real(x)), op(tf_math.imag(x)))
        return op(x)

    return apply


isnan = _float_predicate("isnan", _complex_aware(tf_math.is_nan), "is NaN", False)
isinf = _float_predicate("isinf", _complex_aware(tf_math.is_inf), "is infinite", False)
isposinf = _float_predicate("isposinf", lambda x: math_ops.logical_and(tf_math.is_inf(x), x > 0),
                            "is +inf", False)
isneginf = _float_predicate("isneginf", lambda x: math_ops.logical_and(tf_math.is_inf(x), x < 0),
                            "is -inf", False)


def isfinite(x):
    """True where the element is neither infinite nor NaN."""
    x = asarray(x)
    if not (x.dtype.is_floating or x.dtype.is_complex):
        return creation_ops.fill(creation_ops.shape(x), True)
    if x.dtype.is_complex:
        return math_ops.logical_and(tf_math.is_finite(tf_math.real(x)),
                                    tf_math.is_finite(tf_math.imag(x)))
    return tf_math.is_finite(x)


def iscomplex(x):
    """True where the element has a nonzero imaginary part."""
    x = asarray(x)
    if not x.dtype.is_complex:
        return creation_ops.fill(creation_ops.shape(x), False)
    return math_ops.not_equal(tf_math.imag(x), 0)


def isreal(x):
    """True where the element has no imaginary part."""
    return math_ops.logical_not(iscomplex(x))


def iscomplexobj(x) -> bool:
    """Whether ``x``'s dtype is complex (whatever its values)."""
    return bool(np.issubdtype(_dtype_of(x), np.complexfloating))


def isrealobj(x) -> bool:
    """Whether ``x``'s dtype is not complex."""
    return not iscomplexobj(x)


def _dtype_of(x):
    dtype = getattr(x, "dtype", None)
    return dtype_rules.numpy_dtype(dtype) if dtype is not None else np.asarray(x).dtype


def isscalar(num) -> bool:
    """Whether ``num`` is a scalar: a Python/NumPy number or string, or a rank-0 tensor."""
    if isinstance(num, Tensor):
        return num.shape.rank == 0
    return bool(np.isscalar(num))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True where ``|a - b| <= atol + rtol * |b|`` (infinities equal only to themselves)."""
    a, b = promote(a, b)
    if not (a.dtype.is_floating or a.dtype.is_complex):
        a, b = promote(a, b, dtype=dtype_rules.default_float_type())
    distance = math_ops.abs(a - b)
    tolerance = (math_ops.cast(atol, distance.dtype)
                 + math_ops.cast(rtol, distance.dtype) * math_ops.abs(b))
    close = math_ops.logical_or(math_ops.equal(a, b), distance <= tolerance)
    close = math_ops.logical_and(close, math_ops.logical_or(isfinite(a), math_ops.equal(a, b)))
    if equal_nan:
        close = math_ops.logical_or(close, math_ops.logical_and(isnan(a), isnan(b)))
    return close


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True (a boolean tensor) when ``isclose`` holds everywhere."""
    return reduce_ops.reduce_all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def array_equal(a1, a2):
    """True (a boolean tensor) when the arrays have one shape and equal elements."""
    a1, a2 = promote(a1, a2)
    if a1.shape.as_list() != a2.shape.as_list() and None not in a1.shape.as_list() + \
            a2.shape.as_list():
        return creation_ops.constant(False)
    return reduce_ops.reduce_all(math_ops.equal(a1, a2))
