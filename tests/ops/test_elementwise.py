"""Elementwise math through the op harness: forward vs NumPy, shape rules, derivatives."""

import math

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

rng = np.random.default_rng(0)


def positive(*shape):
    return rng.uniform(0.5, 2.0, shape)


def unit(*shape):
    return rng.uniform(-0.8, 0.8, shape)


def normal(*shape):
    return rng.standard_normal(shape)


def _erf(x):
    return np.vectorize(math.erf)(x)


UNARY = [
    (tf.negative, np.negative, normal),
    (tf.abs, np.abs, positive),
    (tf.exp, np.exp, normal),
    (tf.math.log, np.log, positive),
    (tf.math.log1p, np.log1p, positive),
    (tf.math.expm1, np.expm1, normal),
    (tf.sqrt, np.sqrt, positive),
    (tf.math.rsqrt, lambda x: 1 / np.sqrt(x), positive),
    (tf.square, np.square, normal),
    (tf.math.reciprocal, np.reciprocal, positive),
    (tf.sin, np.sin, normal),
    (tf.cos, np.cos, normal),
    (tf.tan, np.tan, unit),
    (tf.math.asin, np.arcsin, unit),
    (tf.math.acos, np.arccos, unit),
    (tf.math.atan, np.arctan, normal),
    (tf.math.sinh, np.sinh, normal),
    (tf.math.cosh, np.cosh, normal),
    (tf.tanh, np.tanh, normal),
    (tf.math.asinh, np.arcsinh, normal),
    (tf.math.acosh, np.arccosh, lambda *s: positive(*s) + 1),
    (tf.math.atanh, np.arctanh, unit),
    (tf.math.erf, _erf, normal),
    (tf.math.erfc, lambda x: 1 - _erf(x), normal),
    (tf.sigmoid, lambda x: 1 / (1 + np.exp(-x)), normal),
    (tf.math.log_sigmoid, lambda x: -np.log1p(np.exp(-x)), normal),
    (tf.math.softplus, lambda x: np.log1p(np.exp(x)), normal),
    (tf.math.softsign, lambda x: x / (1 + np.abs(x)), normal),
    (tf.math.log2, np.log2, positive),
    (tf.math.log10, np.log10, positive),
    (tf.math.exp2, np.exp2, normal),
]


@pytest.mark.parametrize("op, reference, sample", UNARY, ids=lambda v: getattr(v, "__name__", ""))
def test_unary(op, reference, sample):
    check_op(op, [sample(2, 3)], reference)


BINARY = [
    (tf.add, np.add, normal, normal),
    (tf.subtract, np.subtract, normal, normal),
    (tf.multiply, np.multiply, normal, normal),
    (tf.divide, np.divide, normal, positive),
    (tf.pow, np.power, positive, normal),
    (tf.maximum, np.maximum, normal, normal),
    (tf.minimum, np.minimum, normal, normal),
    (tf.math.atan2, np.arctan2, normal, normal),
    (tf.math.squared_difference, lambda x, y: (x - y) ** 2, normal, normal),
    (tf.math.xlogy, lambda x, y: x * np.log(y), normal, positive),
    (tf.math.divide_no_nan, np.divide, normal, positive),
]


@pytest.mark.parametrize("op, reference, left, right", BINARY,
                         ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 3), (3,)), ((4, 1, 3), (2, 1))])
def test_binary_with_broadcasting(op, reference, left, right, shapes):
    check_op(op, [left(*shapes[0]), right(*shapes[1])], reference)


def test_floormod_and_floordiv():
    x = np.array([7.0, -7.0, 7.5, -7.5])
    y = np.array([2.0, 2.0, -2.0, 3.0])
    check_op(tf.math.floormod, [x, y], np.mod)
    check_op(tf.math.floordiv, [x, y], np.floor_divide, grad=False)


@pytest.mark.parametrize("op, reference", [
    (tf.equal, np.equal), (tf.not_equal, np.not_equal), (tf.less, np.less),
    (tf.less_equal, np.less_equal), (tf.greater, np.greater),
    (tf.greater_equal, np.greater_equal)])
def test_comparisons(op, reference):
    x = np.array([[1.0, 2.0, 3.0]])
    y = np.array([[2.0], [2.0]])
    check_op(op, [x, y], reference, grad=False)


def test_logical_ops():
    a = np.array([True, True, False, False])
    b = np.array([True, False, True, False])
    check_op(tf.logical_and, [a, b], np.logical_and, grad=False)
    check_op(tf.logical_or, [a, b], np.logical_or, grad=False)
    check_op(tf.math.logical_xor, [a, b], np.logical_xor, grad=False)
    check_op(tf.logical_not, [a], np.logical_not, grad=False)


def test_rounding_has_no_gradient():
    x = tf.constant([0.5, 1.5, 2.5, -0.5])
    assert tf.round(x).numpy().tolist() == [0.0, 2.0, 2.0, -0.0]  # banker's rounding
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.floor(x) + tf.math.ceil(x)
    assert tape.gradient(y, x) is None


def test_sign_gradient_is_zero():
    x = tf.constant([-2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.sign(x) * x
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [-1.0, 1.0])


def test_sigmoid_and_softplus_are_stable_for_large_inputs():
    x = tf.constant([-1e4, -50.0, 0.0, 50.0, 1e4])
    assert np.all(np.isfinite(tf.sigmoid(x).numpy()))
    np.testing.assert_allclose(tf.math.softplus(x).numpy(), [0, 0, np.log(2), 50, 1e4],
                               rtol=1e-6, atol=1e-6)


def test_float_only_ops_reject_integers():
    with pytest.raises(TypeError, match="floating-point"):
        tf.exp(tf.constant([1, 2]))


def test_cast_gradient():
    check_op(lambda x: tf.cast(tf.cast(x, tf.float32), tf.float64) * 2.0,
             [normal(3)], lambda x: x * 2, rtol=1e-6, eps=1e-2, grad_atol=1e-4)


def test_select_gradient():
    condition = np.array([True, False, True])
    check_op(lambda c, x, y: tf.where(c, x, y), [condition, normal(3), normal(2, 3)],
             np.where)


@pytest.mark.parametrize("op, reference", [
    (tf.math.ceil, np.ceil), (tf.round, np.round), (tf.math.is_nan, np.isnan),
    (tf.math.is_inf, np.isinf), (tf.math.is_finite, np.isfinite), (tf.shape, np.shape)])
def test_non_differentiable_unary(op, reference):
    check_op(op, [np.array([[0.5, -1.5, np.inf], [np.nan, 2.5, -0.2]])],
             lambda x: np.asarray(reference(x)).astype(
                 np.int32 if reference is np.shape else np.asarray(reference(x)).dtype),
             grad=False)


def test_bitwise_operators():
    a, b = np.array([6, 5, -1], dtype=np.int32), np.array([3, 3, 8], dtype=np.int32)
    check_op(lambda x, y: x & y, [a, b], np.bitwise_and, grad=False)
    check_op(lambda x, y: x | y, [a, b], np.bitwise_or, grad=False)
    check_op(lambda x, y: x ^ y, [a, b], np.bitwise_xor, grad=False)
