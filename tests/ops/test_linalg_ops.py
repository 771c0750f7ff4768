"""Linear algebra through the op harness: forward vs NumPy, shape rules, two derivatives."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.ops.linalg_ops import einsum, tensordot
from fluxion.testing.op_check import check_op

rng = np.random.default_rng(2)


def normal(*shape):
    return rng.standard_normal(shape)


def well_conditioned(*shape):
    """Random square matrices pushed away from singularity."""
    n = shape[-1]
    return normal(*shape) + n * np.eye(n)


def spd(*shape):
    """Symmetric positive-definite matrices: M M^T + n I."""
    m = normal(*shape)
    return m @ np.swapaxes(m, -1, -2) + shape[-1] * np.eye(shape[-1])


def symmetrized(a):
    return (a + tf.linalg.matrix_transpose(a)) * 0.5


# --- products ------------------------------------------------------------------------------------
EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("...ij,jk->...ik", [(2, 3, 2, 3), (3, 2)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ji", [(2, 3)]),
    ("i,j->ij", [(3,), (2,)]),
    ("ijk,ik->j", [(2, 3, 2), (2, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("ii->", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("iij,jk->ik", [(2, 2, 3), (3, 2)]),
    ("i,i->", [(4,), (4,)]),
]


@pytest.mark.parametrize("equation, shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum(equation, shapes):
    operands = [normal(*s) for s in shapes]
    check_op(lambda *ts: tf.linalg.einsum(equation, *ts), operands,
             lambda *arrays: np.einsum(equation, *arrays))


def test_einsum_errors():
    a = tf.ones([2, 3])
    with pytest.raises(ValueError, match="einsum"):
        einsum("ij,jk->ik", a, tf.ones([4, 2]))
    with pytest.raises(ValueError, match="einsum.*2 operands"):
        einsum("ij,jk->ik", a)
    with pytest.raises(ValueError, match="einsum.*invalid subscripts"):
        einsum("i1->i", a)
    with pytest.raises(TypeError, match="einsum.*one dtype"):
        einsum("ij,ij->ij", a, tf.ones([2, 3], dtype=tf.float64))


@pytest.mark.parametrize("axes, shapes", [
    (1, [(2, 3), (3, 4)]),
    (2, [(2, 3, 4), (3, 4, 2)]),
    (0, [(2,), (3,)]),
    ([[1], [0]], [(2, 3), (3, 2)]),
    ([[0, 2], [1, 0]], [(2, 3, 4), (4, 2, 2)]),
], ids=["int1", "int2", "outer", "lists", "permuted"])
def test_tensordot(axes, shapes):
    a, b = normal(*shapes[0]), normal(*shapes[1])
    check_op(lambda x, y: tensordot(x, y, axes), [a, b],
             lambda x, y: np.tensordot(x, y, axes))


def test_tensordot_errors():
    with pytest.raises(ValueError, match="tensordot.*must match"):
        tensordot(tf.ones([2, 3]), tf.ones([4, 2]), 1)


def test_matmul_and_matvec():
    a, b = normal(2, 3, 4), normal(4, 2)
    check_op(tf.linalg.matmul, [a, b], np.matmul)
    check_op(lambda x, y: tf.linalg.matmul(x, y, transpose_a=True), [normal(3, 2), normal(3, 2)],
             lambda x, y: x.T @ y)
    check_op(tf.linalg.matvec, [normal(2, 3, 4), normal(4)], lambda m, v: m @ v)
    check_op(lambda m, v: tf.linalg.matvec(m, v, transpose_a=True), [normal(4, 3), normal(4)],
             lambda m, v: m.T @ v)


def test_matmul_errors():
    with pytest.raises(ValueError, match="matmul.*incompatible"):
        tf.linalg.matmul(tf.ones([2, 3]), tf.ones([2, 3]))


# --- matrix functions ----------------------------------------------------------------------------
def test_inv():
    check_op(tf.linalg.inv, [well_conditioned(2, 3, 3)], np.linalg.inv)
    check_op(lambda a: tf.linalg.inv(a, adjoint=True), [well_conditioned(3, 3)],
             lambda a: np.linalg.inv(a.T))


def test_det_and_slogdet():
    check_op(tf.linalg.det, [well_conditioned(2, 3, 3)], np.linalg.det)
    a = well_conditioned(2, 3, 3)
    a[0] *= -1  # a negative determinant
    check_op(tf.linalg.slogdet, [a], lambda m: tuple(np.linalg.slogdet(m)))
    check_op(lambda m: tf.linalg.logdet(symmetrized(m)), [spd(3, 3)],
             lambda m: np.linalg.slogdet(m)[1])


def test_slogdet_handles_huge_determinants():
    sign, logdet = tf.linalg.slogdet(tf.constant(np.eye(200) * 1e3))
    assert float(sign) == 1.0
    assert float(logdet) == pytest.approx(200 * np.log(1e3), rel=1e-5)


def test_cholesky():
    check_op(lambda a: tf.linalg.cholesky(symmetrized(a)), [spd(2, 3, 3)], np.linalg.cholesky)


@pytest.mark.parametrize("adjoint", [False, True])
def test_solve(adjoint):
    def reference(a, b):
        return np.linalg.solve(np.swapaxes(a, -1, -2) if adjoint else a, b)

    check_op(lambda a, b: tf.linalg.solve(a, b, adjoint=adjoint),
             [well_conditioned(2, 3, 3), normal(2, 3, 2)], reference)


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
def test_triangular_solve(lower, adjoint):
    def reference(a, b):
        a = np.tril(a) if lower else np.triu(a)
        return np.linalg.solve(a.T if adjoint else a, b)

    check_op(lambda a, b: tf.linalg.triangular_solve(a, b, lower=lower, adjoint=adjoint),
             [well_conditioned(3, 3), normal(3, 2)], reference)


def test_triangular_solve_broadcasts_batches():
    check_op(tf.linalg.triangular_solve, [well_conditioned(3, 3), normal(2, 3, 2)],
             lambda a, b: np.linalg.solve(np.tril(a), b))


def test_cholesky_solve():
    chol = np.linalg.cholesky(spd(3, 3))
    check_op(tf.linalg.cholesky_solve, [chol, normal(3, 2)],
             lambda c, b: np.linalg.solve(c @ c.T, b))


def test_singular_and_non_square_inputs():
    with pytest.raises(tf.errors.InvalidArgumentError, match="matrix_inverse"):
        tf.linalg.inv(tf.zeros([2, 2]))
    with pytest.raises(ValueError, match="square"):
        tf.linalg.det(tf.ones([2, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="cholesky"):
        tf.linalg.cholesky(tf.constant([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(TypeError, match="inv.*floating-point"):
        tf.linalg.inv(tf.constant([[1, 0], [0, 1]]))
    with pytest.raises(TypeError, match="solve.*one dtype"):
        tf.linalg.solve(tf.eye(2), tf.ones([2, 1], dtype=tf.float64))
    with pytest.raises(ValueError, match="rows"):
        tf.linalg.solve(tf.eye(2), tf.ones([3, 1]))


# --- diagonals, transposes, traces ---------------------------------------------------------------
def test_diagonal_ops():
    check_op(tf.linalg.diag_part, [normal(2, 3, 4)],
             lambda a: np.diagonal(a, axis1=-2, axis2=-1))
    check_op(tf.linalg.diag, [normal(2, 3)], lambda d: d[..., None] * np.eye(3))
    check_op(tf.linalg.set_diag, [normal(2, 3, 3), normal(2, 3)],
             lambda a, d: a * (1 - np.eye(3)) + d[..., None] * np.eye(3))
    check_op(tf.linalg.trace, [normal(2, 3, 3)], lambda a: np.trace(a, axis1=-2, axis2=-1))


@pytest.mark.parametrize("lower, upper", [(0, -1), (-1, 0), (1, 0), (0, 0), (-1, -1)])
def test_band_part(lower, upper):
    def reference(a):
        rows, cols = np.indices(a.shape[-2:])
        keep = ((lower < 0) | (rows - cols <= lower)) & ((upper < 0) | (cols - rows <= upper))
        return np.where(keep, a, 0)

    check_op(lambda a: tf.linalg.band_part(a, lower, upper), [normal(2, 3, 4)], reference)


def test_transposes():
    check_op(tf.linalg.matrix_transpose, [normal(2, 3, 4)], lambda a: np.swapaxes(a, -1, -2))
    check_op(tf.linalg.adjoint, [normal(3, 2)], lambda a: a.T)
    z = tf.constant(np.array([[1 + 2j, 3j]]))
    np.testing.assert_allclose(tf.linalg.adjoint(z).numpy(), [[1 - 2j], [-3j]])
    assert tf.linalg.eye(2, batch_shape=[3]).shape == (3, 2, 2)


# --- norms ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("ord, axis, reference", [
    ("euclidean", None, lambda a: np.sqrt(np.sum(a * a))),
    (2, -1, lambda a: np.linalg.norm(a, 2, axis=-1)),
    (1, 0, lambda a: np.linalg.norm(a, 1, axis=0)),
    (np.inf, 1, lambda a: np.linalg.norm(a, np.inf, axis=1)),
    (3, 1, lambda a: np.linalg.norm(a, 3, axis=1)),
    (1, None, lambda a: np.sum(np.abs(a))),
    ("fro", [0, 1], lambda a: np.linalg.norm(a, "fro")),
    (1, [0, 1], lambda a: np.linalg.norm(a, 1)),
    (np.inf, [0, 1], lambda a: np.linalg.norm(a, np.inf)),
    (1, [1, 0], lambda a: np.linalg.norm(a, np.inf)),
], ids=lambda v: str(v) if not callable(v) else "")
def test_norm(ord, axis, reference):
    check_op(lambda a: tf.linalg.norm(a, ord=ord, axis=axis), [normal(3, 4)], reference)


def test_norm_keepdims_and_errors():
    x = tf.constant(normal(2, 3, 4))
    assert tf.linalg.norm(x, ord=1, axis=[1, 2], keepdims=True).shape == (2, 1, 1)
    assert tf.linalg.norm(x, axis=-1, keepdims=True).shape == (2, 3, 1)
    with pytest.raises(ValueError, match="fro"):
        tf.linalg.norm(x, ord="fro", axis=0)
    with pytest.raises(ValueError, match="ord"):
        tf.linalg.norm(x, ord=-1, axis=0)
    with pytest.raises(TypeError, match="norm"):
        tf.linalg.norm(tf.constant([1, 2]))
