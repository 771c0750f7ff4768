"""``keras.ops.linalg``: decompositions, solves, inverses and norms, with NumPy's
conventions (``svd`` returns ``(u, s, vh)``; ``norm``'s ``ord`` as in ``numpy.linalg``).

>>> from fluxion.keras import ops
>>> float(ops.det([[2.0, 0.0], [0.0, 3.0]]))
6.0
"""

from __future__ import annotations

import numpy as np

from fluxion.keras.ops.promotion import export, float_tensor, promote_to_float
from fluxion.ops import array_ops, creation_ops, linalg_ops, math_ops, reduce_ops

__all__ = [
    "cholesky", "cholesky_inverse", "det", "eigh", "inv", "logdet", "slogdet", "solve",
    "solve_triangular", "svd", "norm", "pinv", "matrix_rank", "lstsq",
]


def cholesky(x, upper: bool = False):
    """The Cholesky factor ``L`` of a symmetric positive definite ``x`` (``L^T`` if
    ``upper``)."""
    factor = linalg_ops.cholesky(float_tensor(x))
    return linalg_ops.matrix_transpose(factor) if upper else factor


def cholesky_inverse(x, upper: bool = False):
    """The inverse of ``A`` from its Cholesky factor ``x`` (``A = x x^T``, or ``x^T x`` if
    ``upper``)."""
    factor = float_tensor(x)
    if upper:
        factor = linalg_ops.matrix_transpose(factor)
    size = factor.shape[-1]
    identity = creation_ops.eye(size, dtype=factor.dtype) + creation_ops.zeros_like(factor)
    return linalg_ops.cholesky_solve(factor, identity)


def det(x):
    """The determinant of the last two axes."""
    return linalg_ops.det(float_tensor(x))


def eigh(x):
    """``(eigenvalues, eigenvectors)`` of a symmetric matrix, eigenvalues ascending."""
    return tuple(linalg_ops.eigh(float_tensor(x)))


def inv(x):
    """The matrix inverse."""
    return linalg_ops.inv(float_tensor(x))


def logdet(x):
    """``log(det(x))`` of a positive definite matrix."""
    return linalg_ops.logdet(float_tensor(x))


def slogdet(x):
    """``(sign, log|det|)`` of the last two axes."""
    return tuple(linalg_ops.slogdet(float_tensor(x)))


def _as_matrix_rhs(a, b):
    vector = b.ndim == a.ndim - 1
    return (array_ops.expand_dims(b, -1) if vector else b), vector


def solve(a, b):
    """``x`` with ``a @ x = b``; ``b`` may be a vector."""
    a, b = promote_to_float(a, b)
    rhs, vector = _as_matrix_rhs(a, b)
    result = linalg_ops.solve(a, rhs)
    return array_ops.squeeze(result, [-1]) if vector else result


def solve_triangular(a, b, lower: bool = False):
    """``x`` with ``a @ x = b`` for a triangular ``a`` (upper unless ``lower``)."""
    a, b = promote_to_float(a, b)
    rhs, vector = _as_matrix_rhs(a, b)
    result = linalg_ops.triangular_solve(a, rhs, lower=lower)
    return array_ops.squeeze(result, [-1]) if vector else result


def svd(x, full_matrices: bool = True, compute_uv: bool = True):
    """``(u, s, vh)`` with ``x = u @ diag(s) @ vh``; only ``s`` when not ``compute_uv``."""
    x = float_tensor(x)
    if not compute_uv:
        return linalg_ops.svd(x, full_matrices=full_matrices, compute_uv=False)
    s, u, v = linalg_ops.svd(x, full_matrices=full_matrices)
    return u, s, linalg_ops.adjoint(v)


def _vector_norm(x, ord, axis, keepdims):
    magnitude = math_ops.abs(x)
    if ord == 0:
        return reduce_ops.reduce_sum(
            array_ops.cast(math_ops.not_equal(x, 0), x.dtype), axis=axis, keepdims=keepdims
        )
    if ord == -np.inf:
        return reduce_ops.reduce_min(magnitude, axis=axis, keepdims=keepdims)
    if ord == np.inf:
        return reduce_ops.reduce_max(magnitude, axis=axis, keepdims=keepdims)
    if ord is None or ord == 2:
        return math_ops.sqrt(
            reduce_ops.reduce_sum(magnitude * magnitude, axis=axis, keepdims=keepdims)
        )
    ord = float(ord)
    total = reduce_ops.reduce_sum(math_ops.pow(magnitude, ord), axis=axis, keepdims=keepdims)
    return math_ops.pow(total, 1.0 / ord)


def _matrix_norm(x, ord, axes, keepdims):
    rows, cols = axes
    magnitude = math_ops.abs(x)
    if ord in (None, "fro"):
        result = math_ops.sqrt(
            reduce_ops.reduce_sum(magnitude * magnitude, axis=list(axes), keepdims=True)
        )
    elif ord in (1, -1, np.inf, -np.inf):
        sum_axis, over = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = reduce_ops.reduce_sum(magnitude, axis=sum_axis, keepdims=True)
        pick = reduce_ops.reduce_max if ord in (1, np.inf) else reduce_ops.reduce_min
        result = pick(sums, axis=over, keepdims=True)
    elif ord in (2, -2, "nuc"):
        perm = [a for a in range(x.ndim) if a not in axes] + [rows, cols]
        s = linalg_ops.svd(array_ops.transpose(x, perm), compute_uv=False)
        result = {
            2: reduce_ops.reduce_max,
            -2: reduce_ops.reduce_min,
            "nuc": reduce_ops.reduce_sum,
        }[ord](s, axis=-1)
        for axis in sorted(axes):
            result = array_ops.expand_dims(result, axis)
    else:
        raise ValueError(f"Invalid `ord` argument for matrix norm. Received: ord={ord!r}")
    return result if keepdims else array_ops.squeeze(result, sorted(axes))


def norm(x, ord=None, axis=None, keepdims: bool = False):
    """Vector or matrix norm, as ``numpy.linalg.norm``: ``axis`` None (the flattened
    tensor; a 2-D tensor's Frobenius norm), an int (vector norms) or a pair (matrix norms).
    """
    x = float_tensor(x)
    if axis is None:
        if ord is None or x.ndim not in (1, 2):
            flat = array_ops.reshape(x, [-1])
            result = _vector_norm(flat, ord, 0, False)
            return array_ops.reshape(result, [1] * x.ndim) if keepdims else result
        axis = 0 if x.ndim == 1 else (0, 1)
    if isinstance(axis, int) or len(axis) == 1:
        axis = axis if isinstance(axis, int) else axis[0]
        if isinstance(ord, str):
            raise ValueError(f"Invalid `ord` argument for vector norm. Received: ord={ord!r}")
        return _vector_norm(x, ord, axis, keepdims)
    axes = tuple(a % x.ndim for a in axis)
    return _matrix_norm(x, ord, axes, keepdims)


def _default_rcond(x):
    rows, cols = x.shape[-2], x.shape[-1]
    return 10 * max(rows or 1, cols or 1) * float(np.finfo(x.dtype.np_dtype).eps)


def pinv(x, rcond=None):
    """The Moore-Penrose pseudo-inverse, from the SVD (singular values below
    ``rcond * max(s)`` are dropped)."""
    x = float_tensor(x)
    rcond = _default_rcond(x) if rcond is None else rcond
    s, u, v = linalg_ops.svd(x, full_matrices=False)
    cutoff = rcond * reduce_ops.reduce_max(s, axis=-1, keepdims=True)
    big = s > cutoff
    inverse = array_ops.where(
        big, 1 / array_ops.where(big, s, creation_ops.ones_like(s)), creation_ops.zeros_like(s)
    )
    return linalg_ops.matmul(v * array_ops.expand_dims(inverse, -2), u, adjoint_b=True)


def matrix_rank(x, tol=None):
    """The number of singular values above ``tol`` (by default scaled from the largest)."""
    x = float_tensor(x)
    s = linalg_ops.svd(x, compute_uv=False)
    if tol is None:
        tol = _default_rcond(x) / 10 * reduce_ops.reduce_max(s, axis=-1, keepdims=True)
    return reduce_ops.reduce_sum(array_ops.cast(s > tol, "int32"), axis=-1)


def lstsq(a, b, rcond=None):
    """The least-squares solution ``x`` of ``a @ x = b``."""
    a, b = promote_to_float(a, b)
    rhs, vector = _as_matrix_rhs(a, b)
    result = linalg_ops.matmul(pinv(a, rcond), rhs)
    return array_ops.squeeze(result, [-1]) if vector else result


export(globals(), __all__)
