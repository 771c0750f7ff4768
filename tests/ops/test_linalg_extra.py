"""tf.linalg decompositions and solvers against NumPy, gradients by finite differences."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

RNG = np.random.default_rng(0)
A = RNG.normal(size=(4, 3))
SQUARE = RNG.normal(size=(3, 3)) + 3 * np.eye(3)


def test_qr_values_and_gradient():
    q, r = tf.linalg.qr(A)
    np.testing.assert_allclose(q.numpy() @ r.numpy(), A, atol=1e-12)
    np.testing.assert_allclose(q.numpy().T @ q.numpy(), np.eye(3), atol=1e-12)
    assert np.allclose(np.tril(r.numpy(), -1), 0)
    # the sign convention is NumPy's (LAPACK's), as TF's
    check_op(lambda a: tuple(tf.linalg.qr(a)), [A.copy()], lambda a: np.linalg.qr(a),
             second_order=False)
    q_full, _ = tf.linalg.qr(A, full_matrices=True)
    assert q_full.shape == [4, 4]


def test_lu_family():
    lu, perm = tf.linalg.lu(SQUARE)
    lower = np.tril(lu.numpy(), -1) + np.eye(3)
    upper = np.triu(lu.numpy())
    np.testing.assert_allclose(SQUARE[perm.numpy()], lower @ upper, atol=1e-12)
    np.testing.assert_allclose(tf.linalg.lu_reconstruct(lu, perm).numpy(), SQUARE, atol=1e-12)
    rhs = RNG.normal(size=(3, 2))
    np.testing.assert_allclose(tf.linalg.lu_solve(lu, perm, rhs).numpy(),
                               np.linalg.solve(SQUARE, rhs), atol=1e-12)
    np.testing.assert_allclose(tf.linalg.lu_matrix_inverse(lu, perm).numpy(),
                               np.linalg.inv(SQUARE), atol=1e-12)
    batch = np.stack([SQUARE, SQUARE.T])
    blu, bperm = tf.linalg.lu(batch)
    np.testing.assert_allclose(tf.linalg.lu_reconstruct(blu, bperm).numpy(), batch,
                               atol=1e-12)


def test_expm_logm_sqrtm_eig():
    small = SQUARE / 4
    scipy_linalg = pytest.importorskip("scipy.linalg")
    check_op(tf.linalg.expm, [small.copy()], scipy_linalg.expm, second_order=False)
    spd = SQUARE @ SQUARE.T
    np.testing.assert_allclose(tf.linalg.sqrtm(spd).numpy(), scipy_linalg.sqrtm(spd),
                               rtol=1e-8)
    np.testing.assert_allclose(tf.linalg.logm(spd).numpy(), scipy_linalg.logm(spd).real,
                               rtol=1e-8, atol=1e-10)
    w, v = tf.linalg.eig(SQUARE)
    assert w.dtype == tf.complex128
    np.testing.assert_allclose(SQUARE @ v.numpy(), v.numpy() * w.numpy(), atol=1e-10)
    np.testing.assert_allclose(np.sort_complex(tf.eigvals(SQUARE).numpy()),
                               np.sort_complex(np.linalg.eigvals(SQUARE)))


def test_expm_numpy_fallback():
    from fluxion.core.primitives.matrix_decompositions import _expm_numpy

    scipy_linalg = pytest.importorskip("scipy.linalg")
    big = SQUARE * 3
    np.testing.assert_allclose(_expm_numpy(big), scipy_linalg.expm(big), rtol=1e-10)


def test_least_squares_pinv_rank():
    b = RNG.normal(size=(4, 2))
    check_op(tf.linalg.lstsq, [A.copy(), b], lambda a, y: np.linalg.lstsq(a, y, rcond=None)[0],
             second_order=False)
    np.testing.assert_allclose(tf.linalg.pinv(A).numpy(), np.linalg.pinv(A), atol=1e-12)
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    np.testing.assert_allclose(tf.linalg.pinv(singular).numpy(), np.linalg.pinv(singular),
                               atol=1e-12)
    assert int(tf.linalg.matrix_rank(singular)) == 1 and int(tf.linalg.matrix_rank(A)) == 3


def test_cross_normalize_tensor_diag():
    u, v = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))
    check_op(tf.linalg.cross, [u, v], np.cross)
    unit, size = tf.linalg.normalize(u, axis=-1)
    np.testing.assert_allclose(size.numpy(), np.linalg.norm(u, axis=-1, keepdims=True))
    np.testing.assert_allclose(unit.numpy(), u / size.numpy())
    d = np.arange(1.0, 7.0).reshape(2, 3)
    full = tf.linalg.tensor_diag(d).numpy()
    assert full.shape == (2, 3, 2, 3) and full[1, 2, 1, 2] == 6.0 and full.sum() == d.sum()
    np.testing.assert_array_equal(tf.linalg.tensor_diag_part(full).numpy(), d)


def test_tridiagonal_and_banded():
    upper = np.array([1.0, 2.0, 0.0])   # the last entry is ignored
    main = np.array([4.0, 5.0, 6.0])
    lower = np.array([0.0, 3.0, 1.0])   # the first entry is ignored
    dense = np.diag(main) + np.diag(upper[:-1], 1) + np.diag(lower[1:], -1)
    rhs = np.array([[1.0], [2.0], [3.0]])
    compact = np.stack([upper, main, lower])
    check_op(lambda c, r: tf.linalg.tridiagonal_solve(c, r), [compact, rhs],
             lambda c, r: np.linalg.solve(dense, r), wrt=[1])
    got = tf.linalg.tridiagonal_solve((upper, main, lower), rhs, diagonals_format="sequence")
    np.testing.assert_allclose(got.numpy(), np.linalg.solve(dense, rhs))
    np.testing.assert_allclose(tf.linalg.tridiagonal_matmul(compact, rhs).numpy(), dense @ rhs)
    bands = np.array([[2.0, 3.0, 4.0], [0.0, 1.0, 5.0]])  # diagonal, then subdiagonal
    lower_dense = np.diag(bands[0]) + np.diag(bands[1, 1:], -1)
    got = tf.linalg.banded_triangular_solve(bands, rhs)
    np.testing.assert_allclose(got.numpy(), np.linalg.solve(lower_dense, rhs))
    up_bands = np.array([[7.0, 8.0, 0.0], [2.0, 3.0, 4.0]])  # superdiagonal, then diagonal
    upper_dense = np.diag(up_bands[1]) + np.diag(up_bands[0, :2], 1)
    got = tf.linalg.banded_triangular_solve(up_bands, rhs, lower=False)
    np.testing.assert_allclose(got.numpy(), np.linalg.solve(upper_dense, rhs))
    values = tf.linalg.eigh_tridiagonal(main, lower[1:])
    sym = np.diag(main) + np.diag(lower[1:], 1) + np.diag(lower[1:], -1)
    np.testing.assert_allclose(values.numpy(), np.linalg.eigvalsh(sym))
