"""tf.linalg.LinearOperator family: dense forms as TF 2.21 builds them, and the derived
products, solves and determinants against NumPy."""

import numpy as np
import pytest

import fluxion as tf

LA = tf.linalg
M = np.array([[1.0, 2.0], [3.0, 4.0]])


def dense(op):
    return op.to_dense().numpy()


def test_full_matrix_interface():
    op = LA.LinearOperatorFullMatrix(M)
    assert op.shape == [2, 2] and op.batch_shape == [] and op.domain_dimension == 2
    assert dense(op.H).tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert float(op.log_abs_determinant()) == pytest.approx(np.log(2.0))
    x = np.array([[1.0], [-1.0]])
    np.testing.assert_allclose(op.matmul(x).numpy(), M @ x)
    np.testing.assert_allclose(op.matvec([1.0, -1.0]).numpy(), M @ [1.0, -1.0])
    np.testing.assert_allclose(op.solve(x).numpy(), np.linalg.solve(M, x))
    np.testing.assert_allclose(dense(op.inverse()), np.linalg.inv(M))
    np.testing.assert_allclose(op.inverse().matmul(x).numpy(), np.linalg.solve(M, x))
    np.testing.assert_allclose(dense(op @ op), M @ M)
    assert float(op.trace()) == 5.0
    np.testing.assert_allclose(op.add_to_tensor(np.eye(2)).numpy(), M + np.eye(2))


def test_structured_operators_dense_forms():
    d = LA.LinearOperatorDiag([2.0, 4.0])
    np.testing.assert_allclose(d.solve(np.ones((2, 1))).numpy(), [[0.5], [0.25]])
    assert float(d.determinant()) == 8.0
    assert dense(LA.LinearOperatorIdentity(2)).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert dense(LA.LinearOperatorScaledIdentity(2, 3.0)).tolist() == [[3.0, 0.0], [0.0, 3.0]]
    tril = LA.LinearOperatorLowerTriangular(M)
    np.testing.assert_allclose(dense(tril), np.tril(M))
    np.testing.assert_allclose(tril.solve([[1.0], [1.0]]).numpy(),
                               np.linalg.solve(np.tril(M), [[1.0], [1.0]]))
    assert dense(LA.LinearOperatorZeros(2, 3)).shape == (2, 3)
    # values from TF 2.21
    assert dense(LA.LinearOperatorPermutation([1, 2, 0])).tolist() == [
        [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    assert dense(LA.LinearOperatorToeplitz(col=[1.0, 2.0, 3.0], row=[1.0, 4.0, 5.0])).tolist() \
        == [[1.0, 4.0, 5.0], [2.0, 1.0, 4.0], [3.0, 2.0, 1.0]]
    swap = LA.LinearOperatorFullMatrix(np.array([[0.0, 1.0], [1.0, 0.0]]))
    kron = LA.LinearOperatorKronecker([LA.LinearOperatorFullMatrix(M), swap])
    np.testing.assert_array_equal(dense(kron), np.kron(M, [[0.0, 1.0], [1.0, 0.0]]))
    block = LA.LinearOperatorBlockLowerTriangular(
        [[LA.LinearOperatorFullMatrix([[1.0]])],
         [LA.LinearOperatorFullMatrix([[2.0]]), LA.LinearOperatorFullMatrix([[3.0]])]])
    assert dense(block).tolist() == [[1.0, 0.0], [2.0, 3.0]]
    diag_blocks = LA.LinearOperatorBlockDiag([LA.LinearOperatorFullMatrix(M),
                                              LA.LinearOperatorDiag([5.0])])
    assert dense(diag_blocks).tolist() == [[1.0, 2.0, 0.0], [3.0, 4.0, 0.0], [0.0, 0.0, 5.0]]
    assert dense(LA.LinearOperatorHouseholder([1.0, 0.0])).tolist() == [[-1.0, 0.0],
                                                                          [0.0, 1.0]]
    u = np.array([[1.0], [2.0]], np.float32)
    update = LA.LinearOperatorLowRankUpdate(LA.LinearOperatorDiag([1.0, 1.0]), u, [3.0])
    np.testing.assert_allclose(dense(update), np.eye(2) + 3 * u @ u.T)
    tri = LA.LinearOperatorTridiag([[1.0, 2.0, 0.0], [4.0, 5.0, 6.0], [0.0, 3.0, 1.0]])
    assert dense(tri).tolist() == [[4.0, 1.0, 0.0], [3.0, 5.0, 2.0], [0.0, 1.0, 6.0]]


def test_circulant_as_tf():
    op = LA.LinearOperatorCirculant(tf.constant([6.0, -2.0, 2.0], tf.complex64))
    h = np.fft.ifft([6.0, -2.0, 2.0])
    want = np.array([[h[(i - j) % 3] for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(dense(op), want, atol=1e-6)
    real = LA.LinearOperatorCirculant(tf.constant([6.0, -2.0, 2.0]),
                                      input_output_dtype=tf.float32)
    assert real.dtype == tf.float32 and np.allclose(dense(real), 2.0)
    op2 = LA.LinearOperatorCirculant2D(tf.constant([[6.0, 1.0], [2.0, 3.0]], tf.complex64))
    np.testing.assert_allclose(dense(op2).real[0], [3.0, 1.0, 0.5, 1.5], atol=1e-6)
    spectrum3 = np.random.default_rng(0).normal(size=(2, 2, 2))
    op3 = LA.LinearOperatorCirculant3D(tf.constant(spectrum3, tf.complex128))
    x = np.random.default_rng(1).normal(size=(2, 2, 2))
    via_fft = np.fft.ifftn(spectrum3 * np.fft.fftn(x)).reshape(-1)
    np.testing.assert_allclose(dense(op3) @ x.reshape(-1), via_fft, atol=1e-10)
