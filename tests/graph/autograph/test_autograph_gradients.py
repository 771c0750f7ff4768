"""Gradients through converted control flow, against finite differences and NumPy."""

import numpy as np
import pytest

import fluxion as tf


def numeric_gradient(fn, x: float, eps: float = 1e-3) -> float:
    up = float(fn(tf.constant(x + eps, tf.float64)))
    down = float(fn(tf.constant(x - eps, tf.float64)))
    return (up - down) / (2 * eps)


def traced_gradient(fn):
    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x)
        return tape.gradient(y, x)
    return grad


def piecewise(x):
    if x > 1.0:
        y = x * x * x
    elif x > -1.0:
        y = tf.sin(x) * 2.0
    else:
        y = -x
    return y


def power_loop(x):
    y = x
    i = 0
    while i < 4:
        if y > 3.0:
            break
        y = y * x + 0.5
        i += 1
    return y


def accumulate(x):
    total = tf.constant(0.0, tf.float64)
    for i in tf.range(5):
        if i % 2 == 0:
            continue
        total += tf.cast(i, tf.float64) * x * x
    return total


def early_return(x):
    for _ in tf.range(10):
        x = x * 1.5
        if x > 4.0:
            return x * x
    return x


@pytest.mark.parametrize("fn", [piecewise, power_loop, accumulate, early_return])
@pytest.mark.parametrize("x", [-1.7, 0.4, 1.3, 2.2])
def test_gradient_of_converted_control_flow_matches_finite_differences(fn, x):
    grad = float(traced_gradient(fn)(tf.constant(x, tf.float64)))
    np.testing.assert_allclose(grad, numeric_gradient(fn, x), rtol=1e-4, atol=1e-6)


def test_gradient_of_a_loop_over_a_tensor_matches_numpy():
    def weighted(w, xs):
        total = tf.zeros_like(w)
        for row in xs:
            total += tf.tanh(row * w)
        return tf.reduce_sum(total)

    xs = np.random.default_rng(0).normal(size=(4, 3))
    w = np.array([0.3, -0.2, 0.5])

    @tf.function
    def grad(w):
        with tf.GradientTape() as tape:
            tape.watch(w)
            y = weighted(w, tf.constant(xs))
        return tape.gradient(y, w)

    expected = (xs * (1 - np.tanh(xs * w) ** 2)).sum(axis=0)
    np.testing.assert_allclose(grad(tf.constant(w)).numpy(), expected, rtol=1e-6)


def test_second_derivative_through_a_converted_branch():
    @tf.function
    def second(x):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = piecewise(x)
            dy = inner.gradient(y, x)
        return outer.gradient(dy, x)

    assert float(second(tf.constant(2.0, tf.float64))) == pytest.approx(12.0)  # 6x
    assert float(second(tf.constant(0.5, tf.float64))) == pytest.approx(-2 * np.sin(0.5))


def test_gradient_through_a_loop_that_appends_to_a_list():
    def rnn(x, w):
        h = tf.zeros([2], tf.float64)
        outputs = []
        for t in tf.range(tf.shape(x)[0]):
            h = tf.tanh(x[t] * w + h * 0.5)
            outputs.append(h)
        return tf.reduce_sum(tf.stack(outputs) ** 2)

    x = tf.constant(np.random.default_rng(0).normal(size=(4, 2)))

    @tf.function
    def grad(w):
        with tf.GradientTape() as tape:
            tape.watch(w)
            y = rnn(x, w)
        return tape.gradient(y, w)

    w = np.array([0.3, -0.4])
    expected = []
    for i in range(2):
        step = np.zeros(2)
        step[i] = 1e-6
        expected.append((float(rnn(x, tf.constant(w + step))) -
                         float(rnn(x, tf.constant(w - step)))) / 2e-6)
    np.testing.assert_allclose(grad(tf.constant(w)).numpy(), expected, rtol=1e-5)
