"""Matrix decompositions and functions of ``tf.linalg``: ``qr``, ``lu`` (and solving,
inverting, reconstructing from it), ``eig`` / ``eigvals``, ``expm``, ``logm``, ``sqrtm``.

``qr`` and ``expm`` are primitives with gradients written in ops (``expm``'s uses the
block-matrix identity ``d expm(A)[G] = expm([[A, G], [0, A]])[:n, n:]``, so it is
differentiable to any order).  ``lu``, ``eig``, ``logm`` and ``sqrtm`` are primitives
without gradients; what is built on ``lu`` (``lu_solve``...) is composed of triangular
solves and is differentiable in the right-hand side and the factors.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.gather_scatter import gather
from fluxion.core.primitives.linalg import (
    adjoint,
    band_part,
    diag_embed,
    diag_part,
    matmul,
    triangular_solve,
)
from fluxion.core.primitives.shape import concat
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["qr", "lu", "lu_solve", "lu_matrix_inverse", "lu_reconstruct", "eig", "eigvals",
           "expm", "logm", "sqrtm"]


def _square(x: Aval, op: str) -> None:
    if len(x.shape) < 2 or (None not in x.shape[-2:] and x.shape[-1] != x.shape[-2]):
        raise ValueError(f"{op}: expected square matrices [..., n, n], got shape "
                         f"{list(x.shape)}")


def _matrices(x, op: str) -> Tensor:
    x = convert_to_tensor(x)
    if x.shape.rank is not None and x.shape.rank < 2:
        raise ValueError(f"{op}: expected matrices [..., m, n], got shape {x.shape}")
    return x


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


def qr(input, full_matrices=False, name=None):  # noqa: A002 - TF's name
    """``q, r`` with ``input = q @ r``, ``q`` orthonormal columns, ``r`` upper triangular.

    >>> import fluxion as tf
    >>> q, r = tf.linalg.qr(tf.constant([[3.0, 1.0], [4.0, 2.0]]))
    >>> bool(tf.reduce_all(tf.abs(q @ r - [[3.0, 1.0], [4.0, 2.0]]) < 1e-5))
    True
    """
    from collections import namedtuple

    q, r = bind(qr_p, _matrices(input, "qr"), full_matrices=bool(full_matrices))
    return namedtuple("Qr", ["q", "r"])(q, r)


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


def lu(input, output_idx_type=dtypes.int32, name=None):  # noqa: A002 - TF's name
    """``(lu, p)``: ``L`` (unit lower, below the diagonal) and ``U`` packed in ``lu``, and
    the row permutation ``p`` with ``input[p] = L @ U``."""
    from collections import namedtuple

    packed, perm = bind(lu_p, _matrices(input, "lu"),
                        index_type=dtypes.as_dtype(output_idx_type))
    return namedtuple("Lu", ["lu", "p"])(packed, perm)


def _factors(lower_upper: Tensor):
    eye = diag_embed(diag_part(lower_upper) * 0 + 1, lower_upper)
    lower = band_part(lower_upper, -1, 0) - diag_embed(diag_part(lower_upper), lower_upper) \
        + eye
    return lower, band_part(lower_upper, 0, -1)


def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None) -> Tensor:
    """Solves ``A x = rhs`` from ``lu(A)``."""
    lower_upper = convert_to_tensor(lower_upper)
    rhs = convert_to_tensor(rhs, dtype=lower_upper.dtype)
    lower, upper = _factors(lower_upper)
    permuted = gather(rhs, convert_to_tensor(perm), axis=-2, batch_dims=rhs.shape.rank - 2)
    y = triangular_solve(lower, permuted, lower=True)
    return triangular_solve(upper, y, lower=False)


def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None) -> Tensor:
    """The inverse of ``A`` from ``lu(A)``."""
    lower_upper = convert_to_tensor(lower_upper)
    eye = diag_embed(diag_part(lower_upper) * 0 + 1, lower_upper)
    return lu_solve(lower_upper, perm, eye)


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None) -> Tensor:
    """``A`` from ``lu(A)``: ``P^T L U``."""
    from fluxion.ops.math_extra import invert_permutation

    lower_upper = convert_to_tensor(lower_upper)
    lower, upper = _factors(lower_upper)
    product = matmul(lower, upper)
    perm = convert_to_tensor(perm)
    if perm.shape.rank == 1:
        return gather(product, invert_permutation(perm), axis=-2)
    from fluxion.ops.sort_ops import argsort

    return gather(product, argsort(perm, axis=-1), axis=-2, batch_dims=perm.shape.rank - 1)


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


def eig(tensor, name=None):
    """Eigenvalues and eigenvectors (complex) of general square matrices."""
    return bind(eig_p, _matrices(tensor, "eig"), vectors=True)


def eigvals(tensor, name=None) -> Tensor:
    """Eigenvalues (complex) of general square matrices."""
    return bind(eig_p, _matrices(tensor, "eigvals"), vectors=False)[0]


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


def expm(input, name=None) -> Tensor:  # noqa: A002 - TF's name
    """The matrix exponential ``sum_k A^k / k!`` of square matrices.

    >>> import fluxion as tf
    >>> float(tf.linalg.expm(tf.zeros([2, 2]))[0, 0])
    1.0
    """
    return bind(expm_p, _matrices(input, "expm"))


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


def logm(input, name=None) -> Tensor:  # noqa: A002 - TF's name
    """The principal matrix logarithm."""
    return bind(logm_p, _matrices(input, "logm"))


def sqrtm(input, name=None) -> Tensor:  # noqa: A002 - TF's name
    """The principal matrix square root."""
    return bind(sqrtm_p, _matrices(input, "sqrtm"))
