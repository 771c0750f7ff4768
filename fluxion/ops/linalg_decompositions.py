"""Matrix decompositions and functions of ``tf.linalg``: ``qr``, ``lu`` (and solving,
inverting, reconstructing from it), ``eig`` / ``eigvals``, ``expm``, ``logm``, ``sqrtm``.

``qr`` and ``expm`` are primitives with gradients written in ops (``expm``'s uses the
block-matrix identity ``d expm(A)[G] = expm([[A, G], [0, A]])[:n, n:]``, so it is
differentiable to any order).  ``lu``, ``eig``, ``logm`` and ``sqrtm`` are primitives
without gradients; what is built on ``lu`` (``lu_solve``...) is composed of triangular
solves and is differentiable in the right-hand side and the factors.
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.gather_scatter import gather
from fluxion.core.primitives.linalg import (
    band_part,
    diag_embed,
    diag_part,
    matmul,
    triangular_solve,
)
from fluxion.core.primitives.matrix_decompositions import eig_p, expm_p, logm_p, lu_p, qr_p, sqrtm_p
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["qr", "lu", "lu_solve", "lu_matrix_inverse", "lu_reconstruct", "eig", "eigvals",
           "expm", "logm", "sqrtm"]


def _matrices(x, op: str) -> Tensor:
    x = convert_to_tensor(x)
    if x.shape.rank is not None and x.shape.rank < 2:
        raise ValueError(f"{op}: expected matrices [..., m, n], got shape {x.shape}")
    return x


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


def eig(tensor, name=None):
    """Eigenvalues and eigenvectors (complex) of general square matrices."""
    return bind(eig_p, _matrices(tensor, "eig"), vectors=True)


def eigvals(tensor, name=None) -> Tensor:
    """Eigenvalues (complex) of general square matrices."""
    return bind(eig_p, _matrices(tensor, "eigvals"), vectors=False)[0]


def expm(input, name=None) -> Tensor:  # noqa: A002 - TF's name
    """The matrix exponential ``sum_k A^k / k!`` of square matrices.

    >>> import fluxion as tf
    >>> float(tf.linalg.expm(tf.zeros([2, 2]))[0, 0])
    1.0
    """
    return bind(expm_p, _matrices(input, "expm"))


def logm(input, name=None) -> Tensor:  # noqa: A002 - TF's name
    """The principal matrix logarithm."""
    return bind(logm_p, _matrices(input, "logm"))


def sqrtm(input, name=None) -> Tensor:  # noqa: A002 - TF's name
    """The principal matrix square root."""
    return bind(sqrtm_p, _matrices(input, "sqrtm"))
