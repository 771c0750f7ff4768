"""More matrix decompositions and matrix functions: ``qr`` (with its gradient), ``lu``
with partial pivoting, ``eig`` (general, complex results), ``expm`` (with its
gradient), and ``logm`` / ``sqrtm`` through an eigendecomposition.

The QR gradient is written in Fluxion ops (triangular solves and band masks), so it
differentiates again; it needs ``full_matrices=False`` and at least as many rows as
columns, as TensorFlow's does.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.linalg import (
    adjoint,
    band_part,
    matmul,
    triangular_solve,
)
from fluxion.core.primitives.shape import concat
from fluxion.core.tensor import Tensor


def _square(x: Aval, op: str) -> None:
    if len(x.shape) < 2 or (None not in x.shape[-2:] and x.shape[-1] != x.shape[-2]):
        raise ValueError(f"{op}: expected square matrices [..., n, n], got shape "
                         f"{list(x.shape)}")


# --- QR -----------------------------------------------------------------------------------------
def _qr_kernel(a, full_matrices):
    q, r = np.linalg.qr(a, mode="complete" if full_matrices else "reduced")
    return q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)


def _qr_rule(a: Aval, full_matrices):
    *batch, m, n = a.shape
    k = m if full_matrices or m is None or n is None else min(m, n)
    return Aval((*batch, m, k), a.dtype), Aval((*batch, k, n), a.dtype)


def _times_inverse_adjoint(x: Tensor, r: Tensor) -> Tensor:
    """``x @ inv(r)^H`` for upper-triangular ``r``: solve ``r y^H = x^H``."""
    return adjoint(triangular_solve(r, adjoint(x), lower=False))


def _qr_vjp(cotangents, inputs, outputs, full_matrices):
    (a,) = inputs
    q, r = outputs
    gq, gr = cotangents
    m, n = a.shape[-2], a.shape[-1]
    if full_matrices or m is None or n is None or m < n:
        raise ValueError("qr: gradients need full_matrices=False and at least as many rows "
                         "as columns")
    qdq = matmul(adjoint(q), gq)
    rdr = matmul(r, adjoint(gr))
    lower = band_part(qdq - adjoint(qdq) + rdr - adjoint(rdr), -1, 0)
    through_r = matmul(q, gr + _times_inverse_adjoint(lower, r))
    through_q = _times_inverse_adjoint(gq - matmul(q, qdq), r)
    return (through_r + through_q,)


qr_p = define("qr", _qr_kernel, _qr_rule, _qr_vjp, multiple_results=True,
              doc="The QR decomposition of matrices.")


# --- LU -----------------------------------------------------------------------------------------
def _lu_one(a: np.ndarray):
    n = a.shape[0]
    lu = a.astype(np.result_type(a, np.float32), copy=True)
    perm = np.arange(n)
    for k in range(n - 1):
        pivot = k + int(np.argmax(np.abs(lu[k:, k])))
        if pivot != k:
            lu[[k, pivot]] = lu[[pivot, k]]
            perm[[k, pivot]] = perm[[pivot, k]]
        if lu[k, k] != 0:
            lu[k + 1:, k] /= lu[k, k]
            lu[k + 1:, k + 1:] -= np.outer(lu[k + 1:, k], lu[k, k + 1:])
    return lu, perm


def _lu_kernel(a, index_type):
    batch = a.shape[:-2]
    flat = a.reshape(-1, *a.shape[-2:])
    results = [_lu_one(m) for m in flat]
    lu = np.stack([r[0] for r in results]).reshape(a.shape) if results else a.copy()
    perm = np.stack([r[1] for r in results]).reshape(*batch, a.shape[-1]) if results else \
        np.zeros((*batch, a.shape[-1]), np.int64)
    return lu.astype(a.dtype, copy=False), perm.astype(index_type.np_dtype)


def _lu_rule(a: Aval, index_type):
    _square(a, "lu")
    return a, Aval(a.shape[:-1], index_type)


lu_p = define("lu", _lu_kernel, _lu_rule, multiple_results=True,
              doc="LU decomposition with partial pivoting.")


# --- eigen-decomposition of general matrices ----------------------------------------------------
_COMPLEX = {"float32": dtypes.complex64, "float64": dtypes.complex128,
            "complex64": dtypes.complex64, "complex128": dtypes.complex128}


def _eig_kernel(a, vectors):
    w, v = np.linalg.eig(a)
    target = _COMPLEX[a.dtype.name].np_dtype
    return (w.astype(target), v.astype(target)) if vectors else (w.astype(target),)


def _eig_rule(a: Aval, vectors):
    _square(a, "eig")
    complex_dtype = _COMPLEX[a.dtype.name]
    values = Aval(a.shape[:-1], complex_dtype)
    return (values, Aval(a.shape, complex_dtype)) if vectors else (values,)


eig_p = define("eig", _eig_kernel, _eig_rule, multiple_results=True,
               doc="Eigenvalues and eigenvectors of general square matrices.")


# --- matrix functions -----------------------------------------------------------------------------
def _expm_numpy(a: np.ndarray) -> np.ndarray:
    """Scaling and squaring with a degree-18 Taylor polynomial (exact to rounding)."""
    norm = np.max(np.sum(np.abs(a), axis=-2), axis=-1, keepdims=True)[..., None]
    squarings = np.maximum(0, np.ceil(np.log2(np.maximum(norm, 1e-300)) + 1)).astype(int)
    steps = int(squarings.max()) if squarings.size else 0
    scaled = a / (2.0 ** squarings)
    eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
    term, total = eye.copy(), eye.copy()
    for k in range(1, 19):
        term = term @ scaled / k
        total = total + term
    for step in range(steps):
        squared = total @ total
        total = np.where(step < squarings, squared, total)
    return total


def _expm_kernel(a):
    try:
        from scipy.linalg import expm as scipy_expm
    except ImportError:
        return _expm_numpy(a).astype(a.dtype, copy=False)
    if a.ndim == 2:
        return scipy_expm(a).astype(a.dtype, copy=False)
    flat = a.reshape(-1, *a.shape[-2:])
    return np.stack([scipy_expm(m) for m in flat]).reshape(a.shape).astype(a.dtype)


def _expm_rule(a: Aval) -> Aval:
    _square(a, "expm")
    return a


def _expm_vjp(g, xs, out):
    (a,) = xs
    n = a.shape[-1]
    a_h = adjoint(a)
    top = concat([a_h, g], -1)
    bottom = concat([g * 0, a_h], -1)
    block = bind(expm_p, concat([top, bottom], -2))
    return (block[..., :n, n:],)


expm_p = define("expm", _expm_kernel, _expm_rule, _expm_vjp,
                doc="The matrix exponential.")


def _matrix_function(name: str, fn):
    def kernel(a):
        try:
            import scipy.linalg as scipy_linalg
        except ImportError:
            scipy_linalg = None
        flat = a.reshape(-1, *a.shape[-2:])
        results = []
        for m in flat:
            if scipy_linalg is not None:
                value = getattr(scipy_linalg, name)(m)
            else:  # through the eigen-decomposition (diagonalizable matrices)
                w, v = np.linalg.eig(m)
                value = (v * fn(w.astype(complex))) @ np.linalg.inv(v)
            results.append(value)
        out = np.stack(results).reshape(a.shape) if results else a.copy()
        if not np.iscomplexobj(a):
            out = out.real
        return out.astype(a.dtype)

    def rule(a: Aval) -> Aval:
        _square(a, name)
        return a

    return define(name, kernel, rule, doc=f"The matrix {name[:-1]}.")


logm_p = _matrix_function("logm", np.log)
sqrtm_p = _matrix_function("sqrtm", np.sqrt)
