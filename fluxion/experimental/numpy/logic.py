"""Comparisons, predicates and logic in ``tf.experimental.numpy``: ``equal``, ``isclose``,
``isnan``, ``logical_and``, ``array_equal``, ``iscomplexobj``...

Comparisons promote both operands to their common dtype first; logical functions treat
nonzero numbers as True.  Predicates about an object (``isscalar``, ``iscomplexobj``)
answer with Python bools; elementwise ones with boolean tensors.
"""

from __future__ import annotations

import numpy as np

import fluxion as tf
from fluxion.core.tensor import Tensor
from fluxion.experimental.numpy import dtype_rules
from fluxion.experimental.numpy.conversion import asarray, promote


def _comparison(name: str, op, doc: str):
    def function(x1, x2):
        a, b = promote(x1, x2)
        return op(a, b)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"True where {doc}, elementwise with broadcasting."
    return function


equal = _comparison("equal", tf.equal, "x1 == x2")
not_equal = _comparison("not_equal", tf.not_equal, "x1 != x2")
less = _comparison("less", tf.less, "x1 < x2")
less_equal = _comparison("less_equal", tf.less_equal, "x1 <= x2")
greater = _comparison("greater", tf.greater, "x1 > x2")
greater_equal = _comparison("greater_equal", tf.greater_equal, "x1 >= x2")


def _truth(x):
    x = asarray(x)
    return x if x.dtype.is_bool else tf.not_equal(x, tf.zeros_like(x))


def logical_and(x1, x2):
    """True where both are nonzero."""
    return tf.logical_and(_truth(x1), _truth(x2))


def logical_or(x1, x2):
    """True where either is nonzero."""
    return tf.logical_or(_truth(x1), _truth(x2))


def logical_xor(x1, x2):
    """True where exactly one is nonzero."""
    return tf.math.logical_xor(_truth(x1), _truth(x2))


def logical_not(x):
    """True where ``x`` is zero."""
    return tf.logical_not(_truth(x))


def _float_predicate(name: str, op, doc: str, integer_answer: bool):
    def function(x):
        x = asarray(x)
        if not (x.dtype.is_floating or x.dtype.is_complex):
            return tf.fill(tf.shape(x), integer_answer)
        return op(x)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"True where the element {doc}."
    return function


def _complex_aware(op):
    def apply(x):
        if x.dtype.is_complex:
            return tf.logical_or(op(tf.math.real(x)), op(tf.math.imag(x)))
        return op(x)

    return apply


isnan = _float_predicate("isnan", _complex_aware(tf.math.is_nan), "is NaN", False)
isinf = _float_predicate("isinf", _complex_aware(tf.math.is_inf), "is infinite", False)
isposinf = _float_predicate("isposinf", lambda x: tf.logical_and(tf.math.is_inf(x), x > 0),
                            "is +inf", False)
isneginf = _float_predicate("isneginf", lambda x: tf.logical_and(tf.math.is_inf(x), x < 0),
                            "is -inf", False)


def isfinite(x):
    """True where the element is neither infinite nor NaN."""
    x = asarray(x)
    if not (x.dtype.is_floating or x.dtype.is_complex):
        return tf.fill(tf.shape(x), True)
    if x.dtype.is_complex:
        return tf.logical_and(tf.math.is_finite(tf.math.real(x)),
                              tf.math.is_finite(tf.math.imag(x)))
    return tf.math.is_finite(x)


def iscomplex(x):
    """True where the element has a nonzero imaginary part."""
    x = asarray(x)
    if not x.dtype.is_complex:
        return tf.fill(tf.shape(x), False)
    return tf.not_equal(tf.math.imag(x), 0)


def isreal(x):
    """True where the element has no imaginary part."""
    return tf.logical_not(iscomplex(x))


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
    distance = tf.abs(a - b)
    tolerance = tf.cast(atol, distance.dtype) + tf.cast(rtol, distance.dtype) * tf.abs(b)
    close = tf.logical_or(tf.equal(a, b), distance <= tolerance)
    close = tf.logical_and(close, tf.logical_or(isfinite(a), tf.equal(a, b)))
    if equal_nan:
        close = tf.logical_or(close, tf.logical_and(isnan(a), isnan(b)))
    return close


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True (a boolean tensor) when ``isclose`` holds everywhere."""
    return tf.reduce_all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def array_equal(a1, a2):
    """True (a boolean tensor) when the arrays have one shape and equal elements."""
    a1, a2 = promote(a1, a2)
    if a1.shape.as_list() != a2.shape.as_list() and None not in a1.shape.as_list() + \
            a2.shape.as_list():
        return tf.constant(False)
    return tf.reduce_all(tf.equal(a1, a2))
