"""Activations, losses and normalisation of fluxion.nn through the op harness."""

import math

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

rng = np.random.default_rng(1)


def away_from_zero(*shape):
    """Samples kept away from kinks at 0 so finite differences are valid."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < 0.1, x + 0.3 * np.sign(x + 1e-9), x)


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x, axis=-1):
    return np.log(np_softmax(x, axis))


def np_gelu(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


ACTIVATIONS = [
    (tf.nn.relu, lambda x: np.maximum(x, 0)),
    (tf.nn.relu6, lambda x: np.clip(x, 0, 6)),
    (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x)),
    (tf.nn.elu, lambda x: np.where(x > 0, x, np.expm1(x))),
    (tf.nn.selu,
     lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))),
    (tf.nn.gelu, np_gelu),
    (lambda x: tf.nn.gelu(x, approximate=True),
     lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    (tf.nn.silu, lambda x: x / (1 + np.exp(-x))),
    (tf.nn.softplus, lambda x: np.log1p(np.exp(x))),
    (tf.nn.softmax, np_softmax),
    (tf.nn.log_softmax, np_log_softmax),
    (lambda x: tf.nn.softmax(x, axis=0), lambda x: np_softmax(x, axis=0)),
    (lambda x: tf.nn.log_softmax(x, axis=0), lambda x: np_log_softmax(x, axis=0)),
    (tf.nn.l2_loss, lambda x: np.sum(x ** 2) / 2),
    (lambda x: tf.nn.l2_normalize(x, axis=1),
     lambda x: x / np.sqrt(np.sum(x ** 2, axis=1, keepdims=True))),
]


@pytest.mark.parametrize("op, reference", ACTIVATIONS)
def test_activation(op, reference):
    check_op(op, [away_from_zero(3, 4)], reference)


def test_relu6_upper_kink():
    x = np.array([5.0, 7.0, -1.0, 3.0])
    check_op(tf.nn.relu6, [x], lambda x: np.clip(x, 0, 6))


def test_softmax_cross_entropy():
    labels = np_softmax(rng.standard_normal((3, 5)))
    logits = rng.standard_normal((3, 5))
    check_op(tf.nn.softmax_cross_entropy_with_logits, [labels, logits],
             lambda z, x: -np.sum(z * np_log_softmax(x), axis=-1))


def test_sparse_softmax_cross_entropy():
    labels = np.array([0, 3, 4], dtype=np.int64)
    logits = rng.standard_normal((3, 5))
    check_op(tf.nn.sparse_softmax_cross_entropy_with_logits, [labels, logits],
             lambda y, x: -np_log_softmax(x)[np.arange(3), y])


def test_sparse_label_out_of_range_is_a_clear_error():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"label value of 5 .*\[0, 5\)"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([5], [[0.0] * 5])


def test_sigmoid_cross_entropy():
    labels = rng.uniform(0, 1, (2, 3))
    logits = rng.standard_normal((2, 3))
    check_op(lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
             [labels, logits],
             lambda z, x: z * np.log1p(np.exp(-x)) + (1 - z) * np.log1p(np.exp(x)))


def test_weighted_cross_entropy():
    labels = rng.uniform(0, 1, (2, 3))
    logits = rng.standard_normal((2, 3))
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    check_op(lambda z, x: tf.nn.weighted_cross_entropy_with_logits(z, x, 2.5), [labels, logits],
             lambda z, x: -2.5 * z * np.log(sig(x)) - (1 - z) * np.log(1 - sig(x)))


@pytest.mark.parametrize("loss", [
    lambda x: tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(x), logits=x),
    lambda x: tf.nn.softmax_cross_entropy_with_logits(tf.nn.softmax(x * 0.0), x),
    lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([0, 1]), x),
])
def test_losses_are_finite_for_huge_logits(loss):
    x = tf.constant([[1e4, -1e4], [-1e4, 1e4]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        value = loss(x)
    grad = tape.gradient(value, x)
    assert np.all(np.isfinite(value.numpy())) and np.all(np.isfinite(grad.numpy()))


def test_bias_add():
    value = rng.standard_normal((2, 3, 4))
    bias = rng.standard_normal(4)
    check_op(tf.nn.bias_add, [value, bias], lambda v, b: v + b)
    bias3 = rng.standard_normal(3)
    check_op(lambda v, b: tf.nn.bias_add(v, b, data_format="NCW"), [value, bias3],
             lambda v, b: v + b[:, None])
    with pytest.raises(ValueError, match="bias of size 3"):
        tf.nn.bias_add(tf.zeros([2, 4]), tf.zeros([3]))


def test_moments_and_batch_normalization():
    x = rng.standard_normal((4, 3))
    check_op(lambda x: tf.nn.moments(x, axes=[0]), [x],
             lambda x: (x.mean(axis=0), x.var(axis=0)))
    mean, var = x.mean(axis=0), x.var(axis=0)
    offset, scale = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    check_op(lambda x, m, v, o, s: tf.nn.batch_normalization(x, m, v, o, s, 1e-3),
             [x, mean, var + 0.5, offset, scale],
             lambda x, m, v, o, s: (x - m) / np.sqrt(v + 1e-3) * s + o)


@pytest.mark.parametrize("axis", [1, 2])
def test_softmax_grad_primitive(axis):
    """softmax's fused VJP against its NumPy formula, with its own two derivatives."""
    from fluxion.core.primitive import bind
    from fluxion.core.primitives.activation import softmax_grad_p

    g = rng.standard_normal((2, 3, 4))
    y = np_softmax(rng.standard_normal((2, 3, 4)), axis=axis)
    check_op(lambda g, y: bind(softmax_grad_p, g, y, axis=axis), [g, y],
             lambda g, y: (g - np.sum(g * y, axis=axis, keepdims=True)) * y)
