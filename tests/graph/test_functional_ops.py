"""map_fn, scan, foldl/foldr, vectorized_map: eager and traced, against NumPy, with gradients."""

import numpy as np
import pytest

import fluxion as tf

X = np.array([[1.0, -2.0], [0.5, 3.0], [2.0, 0.25]])


def both(fn):
    """Runs fn eagerly and traced; returns both results."""
    return fn(), tf.function(fn)()


def test_map_fn_matches_numpy_eager_and_traced():
    for got in both(lambda: tf.map_fn(lambda r: tf.reduce_sum(r * r), tf.constant(X))):
        np.testing.assert_allclose(got.numpy(), (X * X).sum(1))


def test_map_fn_nested_and_output_signature():
    def run():
        return tf.map_fn(lambda p: (p[0] * 2.0, tf.cast(p[1] > 0, tf.int32)),
                         (tf.constant(X), tf.constant(X[:, 0])),
                         fn_output_signature=(tf.float64, tf.int32))

    for a, b in both(run):
        np.testing.assert_allclose(a.numpy(), X * 2)
        np.testing.assert_array_equal(b.numpy(), (X[:, 0] > 0).astype(np.int32))


def test_map_fn_unknown_length_inside_function():
    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float64)])
    def run(x):
        return tf.map_fn(lambda r: r[::-1], x)

    np.testing.assert_allclose(run(tf.constant(X)).numpy(), X[:, ::-1])


@pytest.mark.parametrize("reverse", [False, True])
def test_scan_cumulative(reverse):
    def run():
        return tf.scan(lambda a, x: a + x, tf.constant(X), reverse=reverse)

    want = np.cumsum(X[::-1], 0)[::-1] if reverse else np.cumsum(X, 0)
    for got in both(run):
        np.testing.assert_allclose(got.numpy(), want)


def test_scan_with_initializer_and_nested_accumulator():
    def run():
        return tf.scan(lambda acc, x: (acc[0] + x, acc[1] * 2.0), tf.constant(X[:, 0]),
                       initializer=(tf.constant(0.0, tf.float64), tf.constant(1.0, tf.float64)))

    for total, power in both(run):
        np.testing.assert_allclose(total.numpy(), np.cumsum(X[:, 0]))
        np.testing.assert_allclose(power.numpy(), [2.0, 4.0, 8.0])


def test_foldl_foldr():
    v = np.array([1.0, 2.0, 3.0, 4.0])
    for got in both(lambda: tf.foldl(lambda a, x: a * 10 + x, tf.constant(v))):
        assert float(got) == 1234.0
    for got in both(lambda: tf.foldr(lambda a, x: a * 10 + x, tf.constant(v))):
        assert float(got) == 4321.0
    for got in both(lambda: tf.foldl(lambda a, x: a - x, tf.constant(v), initializer=tf.constant(
            10.0, tf.float64))):
        assert float(got) == 0.0


def test_vectorized_map_equals_map_fn():
    got = tf.vectorized_map(lambda r: tf.tensordot(r, r, 1), tf.constant(X))
    np.testing.assert_allclose(got.numpy(), (X * X).sum(1))


def check_gradient(fn, expected, x0, eps=1e-6):
    """fn's gradient (eager and traced) against central differences of NumPy's expected."""
    weights = np.random.default_rng(0).normal(size=np.shape(expected(x0)))

    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(fn(x) * weights)
        return tape.gradient(y, x)

    numeric = np.zeros_like(x0)
    for index in np.ndindex(x0.shape):
        step = np.zeros_like(x0)
        step[index] = eps
        numeric[index] = ((expected(x0 + step) - expected(x0 - step)) * weights).sum() / (2 * eps)
    for got in (grad(tf.constant(x0)), tf.function(grad)(tf.constant(x0))):
        np.testing.assert_allclose(got.numpy(), numeric, rtol=1e-6, atol=1e-8)


def test_gradients_by_finite_differences():
    check_gradient(lambda x: tf.map_fn(lambda r: tf.sin(r) * r[0], x),
                   lambda x: np.sin(x) * x[:, :1], X.copy())
    check_gradient(lambda x: tf.scan(lambda a, r: a * r, x), lambda x: np.cumprod(x, 0),
                   X.copy())
    check_gradient(lambda x: tf.foldr(lambda a, r: a * 0.5 + r, x),
                   lambda x: x[2] * 0.25 + x[1] * 0.5 + x[0], X.copy())
