"""Singular value and symmetric eigen decompositions, with their gradient rules.

The SVD gradient follows Townsend (2016), "Differentiating the Singular Value
Decomposition", written in Fluxion ops so that it differentiates again; it assumes
distinct singular values (repeated ones give inf/NaN, as the formula does).
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.linalg import (
    _check_matrix,
    _check_square,
    band_part,
    diag_embed,
    diag_part,
    matmul,
    matrix_transpose,
)
from fluxion.core.tensor import Tensor, shape_tuple


# --- singular value and eigen decompositions --------------------------------------------------
# Gradients for real matrices with distinct (and, for the SVD, nonzero) values: Townsend,
# "Differentiating the singular value decomposition" (2016), and Giles (2008) for eigh.
# Both use F[i, j] = 1 / (w[j] - w[i]) off the diagonal, which is why equal values (a
# degenerate subspace) have no gradient.
def _lapack_input(a: np.ndarray) -> np.ndarray:
    """float16 and other narrow floats go through float32: LAPACK has no kernels for them."""
    if a.dtype in (np.float32, np.float64, np.complex64, np.complex128):
        return a
    return a.astype(np.float32)


def _svd_kernel(a, full_matrices):
    u, s, vh = np.linalg.svd(_lapack_input(a), full_matrices=full_matrices)
    real = np.abs(a[..., :0, :0]).dtype
    v = np.conj(np.swapaxes(vh, -1, -2))
    return s.astype(real), u.astype(a.dtype), v.astype(a.dtype)


def _check_decomposable(a: Aval, what: str) -> None:
    _check_matrix(a)
    if not (a.dtype.is_floating or a.dtype.is_complex):
        raise TypeError(f"{what} needs a floating-point or complex matrix, got dtype "
                        f"{a.dtype.name}")


def _svd_rule(a: Aval, full_matrices: bool):
    _check_decomposable(a, "svd")
    batch, (m, n) = tuple(a.shape[:-2]), a.shape[-2:]
    k = None if m is None or n is None else min(m, n)
    cols_u, cols_v = (m, n) if full_matrices else (k, k)
    return (Aval(batch + (k,), a.dtype.real_dtype), Aval(batch + (m, cols_u), a.dtype),
            Aval(batch + (n, cols_v), a.dtype))


def _singular_values_rule(a: Aval) -> Aval:
    return _svd_rule(a, False)[0]


def _real_only(what: str, x: Tensor) -> None:
    if x.dtype.is_complex:
        raise ValueError(f"the gradient of {what} is implemented for real matrices only, got "
                         f"dtype {x.dtype.name}")


def _row(x: Tensor) -> Tensor:
    """``x[..., None, :]``: a vector per matrix, to scale columns."""
    from fluxion.core.primitives.indexing import encode_key, getitem_p

    return bind(getitem_p, x, key=encode_key((Ellipsis, None, slice(None))))


def _inverse_gaps(w: Tensor) -> Tensor:
    """F[..., i, j] = 1 / (w[j] - w[i]) for i != j, 0 on the diagonal."""
    from fluxion.core.primitives.elementwise import ones_like

    gaps = _row(w) - matrix_transpose(_row(w))
    eye = diag_embed(ones_like(w), gaps)
    return (1.0 - eye) / (gaps + eye)


def _svd_vjp(gs, xs, outs, full_matrices):
    a = xs[0]
    _real_only("svd", a)
    s, u, v = outs
    g_s, g_u, g_v = gs
    m, n = shape_tuple(a)[-2:]
    if full_matrices and m != n:
        raise ValueError(f"the gradient of svd with full_matrices=True is implemented for "
                         f"square matrices only, got shape {list(shape_tuple(a))}; use "
                         f"full_matrices=False")
    inverse_gaps = _inverse_gaps(s * s)
    ut_gu = matmul(u, g_u, transpose_a=True)
    vt_gv = matmul(v, g_v, transpose_a=True)
    s_row = _row(s)
    # U [(F o (U'gU - gU'U)) S + diag(gS) + S (F o (V'gV - gV'V))] V'
    inner = ((inverse_gaps * (ut_gu - matrix_transpose(ut_gu))) * s_row
             + diag_embed(g_s, ut_gu)
             + matrix_transpose(s_row) * (inverse_gaps * (vt_gv - matrix_transpose(vt_gv))))
    grad = matmul(matmul(u, inner), v, transpose_b=True)
    if m is None or n is None or m > n:  # the part of gU outside span(U)
        outside = (g_u - matmul(u, ut_gu)) / s_row
        grad = grad + matmul(outside, v, transpose_b=True)
    if m is None or n is None or n > m:  # the part of gV outside span(V)
        outside = (g_v - matmul(v, vt_gv)) / s_row
        grad = grad + matmul(u, outside, transpose_b=True)
    return (grad,)


def _singular_values_vjp(g, xs, out):
    _real_only("singular values", xs[0])
    _, u, v = svd(xs[0])
    return (matmul(u * _row(g), v, transpose_b=True),)


def _singular_values_kernel(a):
    s = np.linalg.svd(_lapack_input(a), compute_uv=False)
    return s.astype(np.abs(a[..., :0, :0]).dtype)


def _eigh_kernel(a):
    e, v = np.linalg.eigh(_lapack_input(a))  # reads the lower triangle, as TF
    return e.astype(np.abs(a[..., :0, :0]).dtype), v.astype(a.dtype)


def _eigh_rule(a: Aval):
    _check_square(a)
    return Aval(tuple(a.shape[:-1]), a.dtype.real_dtype), a


def _eigh_vjp(gs, xs, outs):
    _real_only("eigh", xs[0])
    e, v = outs
    g_e, g_v = gs
    vt_gv = matmul(v, g_v, transpose_a=True)
    inner = _inverse_gaps(e) * vt_gv + diag_embed(g_e, vt_gv)
    grad = matmul(matmul(v, inner), v, transpose_b=True)
    # Only the lower triangle is read: fold the upper triangle's share onto it.
    return (band_part(grad + matrix_transpose(grad), -1, 0) - diag_embed(diag_part(grad), grad),)


svd_p = define("svd", _svd_kernel, _svd_rule, _svd_vjp, multiple_results=True)
singular_values_p = define("singular_values", _singular_values_kernel, _singular_values_rule,
                           _singular_values_vjp)
eigh_p = define("eigh", _eigh_kernel, _eigh_rule, _eigh_vjp, multiple_results=True)


def svd(a: Tensor, full_matrices: bool = False) -> tuple[Tensor, Tensor, Tensor]:
    """``(s, u, v)`` with ``a = u diag(s) v^H``, singular values descending."""
    return bind(svd_p, a, full_matrices=bool(full_matrices))


def singular_values(a: Tensor) -> Tensor:
    """The singular values alone (cheaper than ``svd``), descending."""
    return bind(singular_values_p, a)


def eigh(a: Tensor) -> tuple[Tensor, Tensor]:
    """``(e, v)``: ascending eigenvalues and eigenvectors (columns) of self-adjoint matrices."""
    return bind(eigh_p, a)
