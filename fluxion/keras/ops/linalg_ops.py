"""``keras.ops.linalg``: decompositions, solves, inverses and norms, with NumPy's
conventions (``svd`` returns ``(u, s, vh)``; ``norm``'s ``ord`` as in ``numpy.linalg``).

>>> from fluxion.keras import ops
>>> float(ops.det([[2.0, 0.0], [0.0, 3.0]]))
6.0
"""

from __future__ import annotations

import numpy as np

import fluxion as tf
from fluxion.keras.ops.promotion import export, float_tensor, promote_to_float

__all__ = [
    "cholesky", "cholesky_inverse", "det", "eigh", "inv", "logdet", "slogdet", "solve",
    "solve_triangular", "svd", "norm", "pinv", "matrix_rank", "lstsq",
]


def cholesky(x, upper: bool = False):
    """The Cholesky factor ``L`` of a symmetric positive definite ``x`` (``L^T`` if
    ``upper``)."""
    factor = tf.linalg.cholesky(float_tensor(x))
    return tf.linalg.matrix_transpose(factor) if upper else factor


def cholesky_inverse(x, upper: bool = False):
    """The inverse of ``A`` from its Cholesky factor ``x`` (``A = x x^T``, or ``x^T x`` if
    ``upper``)."""
    factor = float_tensor(x)
    if upper:
        factor = tf.linalg.matrix_transpose(factor)
    size = factor.shape[-1]
    identity = tf.eye(size, dtype=factor.dtype) + tf.zeros_like(factor)
    return tf.linalg.cholesky_solve(factor, identity)


def det(x):
    """The determinant of the last two axes."""
    return tf.linalg.det(float_tensor(x))


def eigh(x):
    """``(eigenvalues, eigenvectors)`` of a symmetric matrix, eigenvalues ascending."""
    return tuple(tf.linalg.eigh(float_tensor(x)))


def inv(x):
    """The matrix inverse."""
    return tf.linalg.inv(float_tensor(x))


def logdet(x):
    """``log(det(x))`` of a positive definite matrix."""
    return tf.linalg.logdet(float_tensor(x))


def slogdet(x):
    """``(sign, log|det|)`` of the last two axes."""
    return tuple(tf.linalg.slogdet(float_tensor(x)))


def _as_matrix_rhs(a, b):
    vector = b.ndim == a.ndim - 1
    return (tf.expand_dims(b, -1) if vector else b), vector


def solve(a, b):
    """``x`` with ``a @ x = b``; ``b`` may be a vector."""
    a, b = promote_to_float(a, b)
    rhs, vector = _as_matrix_rhs(a, b)
    result = tf.linalg.solve(a, rhs)
    return tf.squeeze(result, [-1]) if vector else result


def solve_triangular(a, b, lower: bool = False):
    """``x`` with ``a @ x = b`` for a triangular ``a`` (upper unless ``lower``)."""
    a, b = promote_to_float(a, b)
    rhs, vector = _as_matrix_rhs(a, b)
    result = tf.linalg.triangular_solve(a, rhs, lower=lower)
    return tf.squeeze(result, [-1]) if vector else result


def svd(x, full_matrices: bool = True, compute_uv: bool = True):
    """``(u, s, vh)`` with ``x = u @ diag(s) @ vh``; only ``s`` when not ``compute_uv``."""
    x = float_tensor(x)
    if not compute_uv:
        return tf.linalg.svd(x, full_matrices=full_matrices, compute_uv=False)
    s, u, v = tf.linalg.svd(x, full_matrices=full_matrices)
    return u, s, tf.linalg.adjoint(v)


def _vector_norm(x, ord, axis, keepdims):
    magnitude = tf.abs(x)
    if ord == 0:
        return tf.reduce_sum(tf.cast(tf.not_equal(x, 0), x.dtype), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return tf.reduce_min(magnitude, axis=axis, keepdims=keepdims)
    if ord == np.inf:
        return tf.reduce_max(magnitude, axis=axis, keepdims=keepdims)
    if ord is None or ord == 2:
        return tf.sqrt(tf.reduce_sum(magnitude * magnitude, axis=axis, keepdims=keepdims))
    ord = float(ord)
    total = tf.reduce_sum(tf.pow(magnitude, ord), axis=axis, keepdims=keepdims)
    return tf.pow(total, 1.0 / ord)


def _matrix_norm(x, ord, axes, keepdims):
    rows, cols = axes
    magnitude = tf.abs(x)
    if ord in (None, "fro"):
        result = tf.sqrt(tf.reduce_sum(magnitude * magnitude, axis=list(axes), keepdims=True))
    elif ord in (1, -1, np.inf, -np.inf):
        sum_axis, over = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = tf.reduce_sum(magnitude, axis=sum_axis, keepdims=True)
        pick = tf.reduce_max if ord in (1, np.inf) else tf.reduce_min
        result = pick(sums, axis=over, keepdims=True)
    elif ord in (2, -2, "nuc"):
        perm = [a for a in range(x.ndim) if a not in axes] + [rows, cols]
        s = tf.linalg.svd(tf.transpose(x, perm), compute_uv=False)
        result = {2: tf.reduce_max, -2: tf.reduce_min, "nuc": tf.reduce_sum}[ord](s, axis=-1)
        for axis in sorted(axes):
            result = tf.expand_dims(result, axis)
    else:
        raise ValueError(f"Invalid `ord` argument for matrix norm. Received: ord={ord!r}")
    return result if keepdims else tf.squeeze(result, sorted(axes))


def norm(x, ord=None, axis=None, keepdims: bool = False):
    """Vector or matrix norm, as ``numpy.linalg.norm``: ``axis`` None (the flattened
    tensor; a 2-D tensor's Frobenius norm), an int (vector norms) or a pair (matrix norms).
    """
    x = float_tensor(x)
    if axis is None:
        if ord is None or x.ndim not in (1, 2):
            flat = tf.reshape(x, [-1])
            result = _vector_norm(flat, ord, 0, False)
            return tf.reshape(result, [1] * x.ndim) if keepdims else result
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
    s, u, v = tf.linalg.svd(x, full_matrices=False)
    cutoff = rcond * tf.reduce_max(s, axis=-1, keepdims=True)
    big = s > cutoff
    inverse = tf.where(big, 1 / tf.where(big, s, tf.ones_like(s)), tf.zeros_like(s))
    return tf.matmul(v * tf.expand_dims(inverse, -2), u, adjoint_b=True)


def matrix_rank(x, tol=None):
    """The number of singular values above ``tol`` (by default scaled from the largest)."""
    x = float_tensor(x)
    s = tf.linalg.svd(x, compute_uv=False)
    if tol is None:
        tol = _default_rcond(x) / 10 * tf.reduce_max(s, axis=-1, keepdims=True)
    return tf.reduce_sum(tf.cast(s > tol, "int32"), axis=-1)


def lstsq(a, b, rcond=None):
    """The least-squares solution ``x`` of ``a @ x = b``."""
    a, b = promote_to_float(a, b)
    rhs, vector = _as_matrix_rhs(a, b)
    result = tf.matmul(pinv(a, rcond), rhs)
    return tf.squeeze(result, [-1]) if vector else result


export(globals(), __all__)
