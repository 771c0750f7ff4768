"""Property test: random compositions of ops give the same values and gradients traced
(fluxion.function, optimised and compiled) as eagerly."""

import numpy as np
import pytest

import fluxion as tf

UNARY = [tf.tanh, tf.sin, tf.exp, tf.nn.relu, tf.sigmoid, tf.square, tf.abs, tf.negative,
         lambda x: tf.math.log1p(tf.abs(x)), lambda x: x * 1.0 + 0.0, lambda x: x * 2.5 - 1.0,
         lambda x: tf.nn.softmax(x), lambda x: tf.transpose(tf.transpose(x)),
         lambda x: tf.reshape(tf.reshape(x, [-1]), x.shape), lambda x: tf.nn.elu(x),
         lambda x: tf.clip_by_value(x, -1.0, 1.0), lambda x: tf.cumsum(x, axis=1),
         lambda x: tf.reverse(x, [0]), lambda x: tf.identity(x)]
BINARY = [tf.add, tf.subtract, tf.multiply, tf.maximum, tf.minimum,
          lambda a, b: a / (tf.abs(b) + 1.0), lambda a, b: tf.where(a > b, a, b),
          lambda a, b: tf.matmul(a, tf.transpose(b)) / 4.0,
          lambda a, b: a * tf.reduce_mean(b, axis=0, keepdims=True),
          lambda a, b: a + tf.reduce_max(b, axis=1, keepdims=True),
          lambda a, b: tf.concat([a, b], axis=1)[:, :4]]
REDUCE = [tf.reduce_sum, tf.reduce_mean, lambda x: tf.reduce_sum(x * x),
          lambda x: tf.reduce_logsumexp(x), lambda x: tf.reduce_max(x)]


def random_program(rng: np.random.Generator):
    steps = []
    for _ in range(rng.integers(2, 7)):
        if rng.random() < 0.5:
            steps.append(("unary", int(rng.integers(len(UNARY))), int(rng.integers(3))))
        else:
            steps.append(("binary", int(rng.integers(len(BINARY))), int(rng.integers(3)),
                          int(rng.integers(3))))
    reduce = int(rng.integers(len(REDUCE)))

    def program(a, b, c):
        values = [a, b, c]
        for step in steps:
            if step[0] == "unary":
                values.append(UNARY[step[1]](values[-1 - step[2]]))
            else:
                values.append(BINARY[step[1]](values[-1 - step[2]], values[-1 - step[3]]))
        return REDUCE[reduce](values[-1])

    return program


@pytest.mark.parametrize("seed", range(60))
def test_traced_matches_eager(seed):
    rng = np.random.default_rng(seed)
    program = random_program(rng)
    inputs = [tf.constant(rng.normal(size=(4, 4)).astype(np.float32)) for _ in range(3)]

    def value_and_grads(a, b, c):
        with tf.GradientTape() as tape:
            tape.watch([a, b, c])
            out = program(a, b, c)
        return out, tape.gradient(out, [a, b, c],
                                  unconnected_gradients=tf.UnconnectedGradients.ZERO)

    eager_out, eager_grads = value_and_grads(*inputs)
    traced = tf.function(value_and_grads)
    for _ in range(2):  # the second call runs the cached compiled code
        out, grads = traced(*inputs)
        np.testing.assert_allclose(out.numpy(), eager_out.numpy(), rtol=1e-5, atol=1e-5)
        for g, e in zip(grads, eager_grads):
            np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-4, atol=1e-5)
