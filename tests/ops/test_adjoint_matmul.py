"""Complex ``matmul(adjoint_a=True)`` and ``transpose(conjugate=True)``: the conjugate is
the ``conj`` primitive, so they trace inside ``function`` and are differentiated."""

import numpy as np

import fluxion as tf

rng = np.random.default_rng(0)


def _complex(*shape):
    return (rng.normal(size=shape) + 1j * rng.normal(size=shape)).astype(np.complex128)


def _loss(a, b):
    product = tf.matmul(a, b, adjoint_a=True)
    weights = tf.constant(np.arange(1, 1 + 6, dtype=np.float64).reshape(3, 2))
    return tf.reduce_sum(tf.math.real(product) * weights + tf.math.imag(product) ** 2)


def _numeric_gradient(a, b, eps=1e-6):
    """TensorFlow's convention for a real loss of complex z: dL/dx + i dL/dy."""
    grad = np.zeros_like(a)
    for index in np.ndindex(a.shape):
        for unit in (1, 1j):
            step = np.zeros_like(a)
            step[index] = eps * unit
            up = _loss(tf.constant(a + step), tf.constant(b)).numpy()
            down = _loss(tf.constant(a - step), tf.constant(b)).numpy()
            grad[index] += unit * (up - down) / (2 * eps)
    return grad


def test_adjoint_matmul_runs_inside_function_and_matches_numpy():
    a, b = _complex(3, 3), _complex(3, 2)
    compiled = tf.function(lambda x, y: tf.matmul(x, y, adjoint_a=True))
    np.testing.assert_allclose(compiled(a, b).numpy(), a.conj().T @ b, rtol=1e-12)
    np.testing.assert_allclose(tf.matmul(a, b, adjoint_a=True).numpy(), a.conj().T @ b,
                               rtol=1e-12)
    adjoint_b = tf.function(lambda x, y: tf.matmul(x, y, adjoint_b=True))
    np.testing.assert_allclose(adjoint_b(b.T, a).numpy(), b.T @ a.conj().T, rtol=1e-12)


def test_adjoint_matmul_is_differentiated_eagerly_and_traced():
    a, b = _complex(3, 3), _complex(3, 2)

    def gradient(x, y):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = _loss(x, y)
        return tape.gradient(loss, x)

    want = _numeric_gradient(a, b)
    eager = gradient(tf.constant(a), tf.constant(b)).numpy()
    traced = tf.function(gradient)(tf.constant(a), tf.constant(b)).numpy()
    np.testing.assert_allclose(eager, want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(traced, want, rtol=1e-6, atol=1e-6)


def test_conjugate_transpose_is_differentiated():
    x = tf.constant(_complex(2, 3))
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(tf.math.imag(tf.transpose(x, conjugate=True)))
    # imag(conj(z)) = -y: the cotangent is dL/dx + i dL/dy = -i everywhere
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), np.full((2, 3), -1j))
