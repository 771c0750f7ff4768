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
    # attention and EinsumDense equations (lowered to a batched matmul on BLAS)
    ("aecd,abcd->acbe", [(2, 3, 2, 4), (2, 2, 2, 4)]),
    ("acbe,aecd->abcd", [(2, 2, 3, 4), (2, 4, 2, 3)]),
    ("abc,cde->abde", [(2, 3, 4), (4, 2, 3)]),
    ("abcd,cde->abe", [(2, 3, 2, 3), (2, 3, 2)]),
    ("ij,kl->jk", [(2, 3), (4, 2)]),
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


def reference_diagonals(a, k, padding=0, align="RIGHT_LEFT"):
    """TF's diag_part from NumPy's np.diagonal: stacked from k=upper down, padded per align."""
    lower, upper = (k, k) if np.ndim(k) == 0 else k
    found = [np.diagonal(a, offset=d, axis1=-2, axis2=-1) for d in range(upper, lower - 1, -1)]
    width = max(f.shape[-1] for f in found)
    rows = []
    for d, f in zip(range(upper, lower - 1, -1), found):
        left = align.split("_")[0 if d >= 0 else 1] == "LEFT"
        pad = (0, width - f.shape[-1]) if left else (width - f.shape[-1], 0)
        rows.append(np.pad(f, [(0, 0)] * (f.ndim - 1) + [pad], constant_values=padding))
    return rows[0] if lower == upper else np.stack(rows, axis=-2)


def reference_set_diagonals(a, diagonals, k, align="RIGHT_LEFT"):
    """Writes each slot of TF's [diag, slot] layout to its matrix cell, one at a time."""
    lower, upper = (k, k) if np.ndim(k) == 0 else k
    rows, cols = a.shape[-2:]
    out = np.array(a, dtype=float)
    if lower == upper:
        diagonals = diagonals[..., None, :]
    cells = [[(r, r + d) for r in range(rows) if 0 <= r + d < cols]
             for d in range(upper, lower - 1, -1)]
    width = max(len(c) for c in cells)
    for i, (d, diagonal) in enumerate(zip(range(upper, lower - 1, -1), cells)):
        left = align.split("_")[0 if d >= 0 else 1] == "LEFT"
        offset = 0 if left else width - len(diagonal)
        for position, (r, c) in enumerate(diagonal):
            out[..., r, c] = diagonals[..., i, position + offset]
    return out


DIAGONALS = [((3, 4), 1), ((3, 4), -2), ((2, 4, 3), 2), ((3, 4), (-1, 2)), ((2, 3, 3), (-2, 0)),
             ((2, 4), (0, 1))]


@pytest.mark.parametrize("align", ["RIGHT_LEFT", "LEFT_RIGHT", "LEFT_LEFT", "RIGHT_RIGHT"])
@pytest.mark.parametrize("shape, k", DIAGONALS, ids=[f"{s}-{k}" for s, k in DIAGONALS])
def test_diagonals_off_the_main_one(shape, k, align):
    a = normal(*shape)
    check_op(lambda x: tf.linalg.diag_part(x, k=k, padding_value=7.0, align=align), [a],
             lambda x: reference_diagonals(x, k, 7.0, align))
    diagonals = reference_diagonals(normal(*shape), k, 0.0, align)
    check_op(lambda x, d: tf.linalg.set_diag(x, d, k=k, align=align), [a, diagonals],
             lambda x, d: reference_set_diagonals(x, d, k, align))
    rows, cols = shape[-2:]
    check_op(lambda d: tf.linalg.diag(d, k=k, num_rows=rows, num_cols=cols, align=align,
                                      padding_value=-1.0), [diagonals],
             lambda d: reference_set_diagonals(np.full(diagonals.shape[:-1 if np.ndim(k) == 0
                                                                         else -2] + shape[-2:],
                                                       -1.0), d, k, align))


def test_diagonals_match_tensorflow():
    x = np.arange(1, 13).reshape(3, 4)
    np.testing.assert_array_equal(tf.linalg.diag_part(x, k=(-1, 2), padding_value=9).numpy(),
                                  [[9, 3, 8], [2, 7, 12], [1, 6, 11], [5, 10, 9]])
    np.testing.assert_array_equal(
        tf.linalg.diag_part(x, k=(-1, 2), padding_value=9, align="LEFT_RIGHT").numpy(),
        [[3, 8, 9], [2, 7, 12], [1, 6, 11], [9, 5, 10]])
    np.testing.assert_array_equal(tf.linalg.diag([1, 2], k=-1, num_rows=4).numpy(),
                                  [[0, 0], [1, 0], [0, 2], [0, 0]])
    np.testing.assert_array_equal(tf.linalg.diag([1, 2], k=1, num_cols=5).numpy(),
                                  [[0, 1, 0, 0, 0], [0, 0, 2, 0, 0]])
    np.testing.assert_array_equal(
        tf.linalg.diag([1.0, 2.0], num_rows=3, num_cols=2, padding_value=7).numpy(),
        [[1, 7], [7, 2], [7, 7]])
    np.testing.assert_array_equal(tf.linalg.diag([[1, 2, 3], [4, 5, 0]], k=(0, 1)).numpy(),
                                  [[4, 2, 0], [0, 5, 3], [0, 0, 0]])
    np.testing.assert_array_equal(  # a band reaching past the inferred size is clipped
        tf.linalg.diag(np.ones((6, 3)), k=(-2, 3)).shape, (3, 3))
    np.testing.assert_array_equal(
        tf.linalg.set_diag(np.zeros((3, 4)), [[1, 2, 3], [4, 5, 6]], k=(-1, 0)).numpy(),
        [[1, 0, 0, 0], [4, 2, 0, 0], [0, 5, 3, 0]])
    assert tf.linalg.diag_part(tf.constant(x), k=tf.constant([0, 1])).shape == (2, 3)


def test_diagonal_errors():
    x = tf.ones([3, 4])
    with pytest.raises(ValueError, match="diag_part.*out of bounds"):
        tf.linalg.diag_part(x, k=4)
    with pytest.raises(ValueError, match="diag_part.*out of bounds"):
        tf.linalg.diag_part(x, k=(-3, 0))
    with pytest.raises(ValueError, match="diag_part.*must not exceed"):
        tf.linalg.diag_part(x, k=(1, 0))
    with pytest.raises(ValueError, match="diag_part.*pair of ints"):
        tf.linalg.diag_part(x, k=[0, 1, 2])
    with pytest.raises(ValueError, match="align must be one of"):
        tf.linalg.diag_part(x, k=(0, 1), align="CENTER")
    with pytest.raises(ValueError, match="matrix_set_diag.*need shape"):
        tf.linalg.set_diag(x, tf.ones([2]), k=1)
    with pytest.raises(ValueError, match="set_diag.*batch shape"):
        tf.linalg.set_diag(tf.ones([2, 3, 3]), tf.ones([3]))
    with pytest.raises(ValueError, match="diag.*too small"):
        tf.linalg.diag([1.0, 2.0], num_rows=3, num_cols=1)
    with pytest.raises(ValueError, match="diag.*longest"):
        tf.linalg.diag([1.0, 2.0], num_rows=3, num_cols=4)
    with pytest.raises(ValueError, match="diag.*band"):
        tf.linalg.diag(tf.ones([3]), k=(-1, 0))


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


# --- decompositions -----------------------------------------------------------------------------
def distinct_singular_values(*shape):
    """Random matrices with well separated singular values 3, 2, 1 (and more)."""
    m, n = shape[-2:]
    k = min(m, n)
    u = np.linalg.qr(normal(*shape[:-2], m, m))[0][..., :k]
    v = np.linalg.qr(normal(*shape[:-2], n, n))[0][..., :k]
    return (u * np.arange(k + 1, 1, -1)) @ np.swapaxes(v, -1, -2)


def numpy_svd(a, full_matrices=False):
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    return s, u, np.swapaxes(vh, -1, -2)


@pytest.mark.parametrize("shape", [(3, 2), (2, 3), (2, 3, 3)], ids=str)
def test_svd(shape):
    a = distinct_singular_values(*shape)
    check_op(tf.linalg.svd, [a], numpy_svd)
    check_op(lambda x: tf.linalg.svd(x, compute_uv=False), [a],
             lambda x: np.linalg.svd(x, compute_uv=False))


def test_svd_full_matrices():
    check_op(lambda x: tf.linalg.svd(x, full_matrices=True), [distinct_singular_values(3, 3)],
             lambda x: numpy_svd(x, True))
    s, u, v = tf.linalg.svd(tf.constant(normal(2, 4, 3)), full_matrices=True)
    assert (s.shape, u.shape, v.shape) == ((2, 3), (2, 4, 4), (2, 3, 3))
    a = tf.constant(normal(3, 2))
    with tf.GradientTape() as tape:
        tape.watch(a)
        loss = tf.reduce_sum(tf.linalg.svd(a, full_matrices=True)[1])
    with pytest.raises(ValueError, match="full_matrices=True.*square"):
        tape.gradient(loss, a)


def test_svd_dtypes_and_errors():
    s, u, v = tf.linalg.svd(tf.constant(normal(3, 2), dtype=tf.float32))
    assert s.dtype is u.dtype is v.dtype is tf.float32
    z = tf.constant(normal(2, 2) + 1j * normal(2, 2))
    s, u, v = tf.linalg.svd(z)
    assert s.dtype is tf.float64 and u.dtype is tf.complex128
    np.testing.assert_allclose((u * tf.cast(s, tf.complex128)[None, :]).numpy()
                               @ tf.linalg.adjoint(v).numpy(), z.numpy(), atol=1e-12)
    with pytest.raises(TypeError, match="svd.*floating-point"):
        tf.linalg.svd(tf.constant([[1, 2], [3, 4]]))
    with pytest.raises(ValueError, match="svd.*rank >= 2"):
        tf.linalg.svd(tf.constant([1.0, 2.0]))


def test_eigh():
    check_op(tf.linalg.eigh, [spd(2, 3, 3)], lambda a: tuple(np.linalg.eigh(a)))
    # Only the lower triangle is read, so a non-symmetric input has a lower-triangular gradient.
    check_op(tf.linalg.eigh, [normal(3, 3)], lambda a: tuple(np.linalg.eigh(a)))
    check_op(lambda a: tf.linalg.eigvalsh(symmetrized(a)), [normal(3, 3)],
             lambda a: np.linalg.eigvalsh((a + a.T) / 2))


def test_eigh_matches_tensorflow():
    a = tf.constant([[2.0, 100.0], [1.0, 3.0]], dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(a)
        e, v = tf.linalg.eigh(a)
        loss = tf.reduce_sum(e * tf.constant([1.0, 2.0], dtype=tf.float64))
    np.testing.assert_allclose(e.numpy(), [1.381966011, 3.618033989], rtol=1e-9)
    np.testing.assert_allclose(tape.gradient(loss, a).numpy(),
                               [[1.2763932022, 0.0], [0.894427191, 1.7236067977]], rtol=1e-9)
    with pytest.raises(ValueError, match="square"):
        tf.linalg.eigh(tf.ones([2, 3]))


@pytest.mark.parametrize("ord, axis, reference", [
    (2, [0, 1], lambda a: np.linalg.norm(a, 2)),
    (2, [1, 0], lambda a: np.linalg.norm(a, 2)),
    ("nuc", [-2, -1], lambda a: np.linalg.norm(a, "nuc")),
], ids=["spectral", "spectral-swapped", "nuclear"])
def test_spectral_norms(ord, axis, reference):
    check_op(lambda a: tf.linalg.norm(a, ord=ord, axis=axis), [distinct_singular_values(3, 2)],
             reference)


def test_spectral_norm_of_batches():
    a = np.swapaxes(distinct_singular_values(2, 3, 3), 0, 1)  # matrices over axes 0 and 2
    check_op(lambda x: tf.norm(x, ord=2, axis=[0, 2]), [a],
             lambda x: np.linalg.norm(np.moveaxis(x, 1, 0), 2, axis=(-2, -1)))
    x = tf.constant(normal(2, 3, 4))
    assert tf.norm(x, ord=2, axis=[-2, -1], keepdims=True).shape == (2, 1, 1)
    assert tf.norm(x, ord=2, axis=[0, 2], keepdims=True).shape == (1, 3, 1)


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
