"""py_function / numpy_function: eager, inside fluxion.function, and gradients."""

import numpy as np
import pytest

import fluxion as tf

X = np.array([0.5, -1.0, 2.0])


def test_numpy_function_eager_and_traced():
    calls = []

    def sinh(x):
        calls.append(type(x))
        return np.sinh(x)

    eager = tf.numpy_function(sinh, [tf.constant(X)], tf.float64)
    np.testing.assert_allclose(eager.numpy(), np.sinh(X))

    @tf.function
    def run(x):
        return tf.numpy_function(sinh, [x], tf.float64) + 1.0

    np.testing.assert_allclose(run(tf.constant(X)).numpy(), np.sinh(X) + 1)
    np.testing.assert_allclose(run(tf.constant(X * 2)).numpy(), np.sinh(X * 2) + 1)
    assert all(kind is np.ndarray for kind in calls) and len(calls) == 3


def test_py_function_runs_each_call_with_tensors_and_multiple_outputs():
    @tf.function
    def run(x):
        a, b = tf.py_function(lambda t: (t * 2, tf.reduce_sum(t)), [x], [tf.float64, tf.float64])
        return a, b

    a, b = run(tf.constant(X))
    np.testing.assert_allclose(a.numpy(), X * 2)
    assert float(b) == pytest.approx(X.sum())


def test_tensor_spec_gives_the_static_shape():
    @tf.function
    def run(x):
        y = tf.py_function(lambda t: tf.reduce_sum(t), [x], tf.TensorSpec([], tf.float64))
        assert y.shape.rank == 0
        return y

    assert float(run(tf.constant(X))) == pytest.approx(X.sum())


@pytest.mark.parametrize("traced", [False, True])
def test_py_function_gradient(traced):
    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.py_function(lambda t: tf.sin(t) * t, [x], tf.float64)
            loss = tf.reduce_sum(y * y)
        return tape.gradient(loss, x)

    fn = tf.function(grad) if traced else grad
    y = np.sin(X) * X
    want = 2 * y * (np.cos(X) * X + np.sin(X))
    np.testing.assert_allclose(fn(tf.constant(X)).numpy(), want, rtol=1e-12)


def test_errors_are_clear():
    with pytest.raises(ValueError, match="returned 1 values but Tout lists 2"):
        tf.py_function(lambda t: t, [tf.constant(1.0)], [tf.float32, tf.float32])
    with pytest.raises(TypeError, match="callable"):
        tf.numpy_function(3, [], tf.float32)
