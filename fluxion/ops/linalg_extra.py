"""More of ``tf.linalg``, composed from existing ops (so differentiable through them):
``lstsq``, ``pinv``, ``matrix_rank``, ``cross``, ``normalize``, ``tensor_diag``,
``tensor_diag_part``, the tridiagonal and banded solvers, ``eigh_tridiagonal``.

The structured solvers build the dense matrix from its diagonals and use the dense
solvers: exact, and fine for the sizes TF programs use them with.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitives.elementwise import greater, select
from fluxion.core.primitives.linalg import adjoint, matmul, solve, triangular_solve
from fluxion.core.primitives.shape import reshape, stack
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.ops.linalg_diag_ops import diag
from fluxion.ops.nn_ops import l2_normalize  # noqa: F401 - a tf.linalg name
from fluxion.ops.reduce_ops import reduce_max, reduce_sum

__all__ = ["lstsq", "pinv", "matrix_rank", "cross", "normalize", "l2_normalize",
           "tensor_diag", "tensor_diag_part", "tridiagonal_solve", "tridiagonal_matmul",
           "banded_triangular_solve", "eigh_tridiagonal"]


def _eye_like(a: Tensor, size: int) -> Tensor:
    return convert_to_tensor(np.eye(size, dtype=a.dtype.np_dtype))


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None) -> Tensor:
    """The least-squares solution of ``matrix @ x = rhs`` (ridge-regularized)."""
    a = convert_to_tensor(matrix)
    b = convert_to_tensor(rhs, dtype=a.dtype)
    m, n = a.shape[-2], a.shape[-1]
    if m >= n:
        gram = matmul(adjoint(a), a) + l2_regularizer * _eye_like(a, n)
        return solve(gram, matmul(adjoint(a), b))
    gram = matmul(a, adjoint(a)) + l2_regularizer * _eye_like(a, m)
    return matmul(adjoint(a), solve(gram, b))


def _svd(a: Tensor):
    from fluxion.ops.linalg_ops import svd

    return svd(a, full_matrices=False, compute_uv=True)


def pinv(a, rcond=None, validate_args=False, name=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse; singular values below ``rcond * max`` are dropped
    (``rcond`` defaults to ``10 * max(m, n) * eps``)."""
    a = convert_to_tensor(a)
    s, u, v = _svd(a)
    if rcond is None:
        rcond = 10.0 * max(a.shape[-2], a.shape[-1]) * np.finfo(a.dtype.np_dtype).eps
    cutoff = rcond * reduce_max(s, axis=-1, keepdims=True)
    keep = greater(s, cutoff)
    inverse = select(keep, 1.0 / select(keep, s, s * 0 + 1), s * 0)
    return matmul(v * inverse[..., None, :], adjoint(u))


def matrix_rank(a, tol=None, validate_args=False, name=None) -> Tensor:
    """The number of singular values above ``tol`` (default ``max(m, n) * eps * max``)."""
    from fluxion.core import dtypes
    from fluxion.core.primitives.elementwise import cast
    from fluxion.ops.linalg_ops import svd

    a = convert_to_tensor(a)
    s = svd(a, compute_uv=False)
    if tol is None:
        tol = max(a.shape[-2], a.shape[-1]) * np.finfo(a.dtype.np_dtype).eps * \
            reduce_max(s, axis=-1, keepdims=True)
    return reduce_sum(cast(greater(s, tol), dtypes.int32), axis=-1)


def cross(a, b, name=None) -> Tensor:
    """The cross product of 3-vectors (the last axis)."""
    a = convert_to_tensor(a)
    b = convert_to_tensor(b, dtype=a.dtype)
    if a.shape[-1] not in (None, 3):
        raise ValueError(f"cross: the last dimension must be 3, got shape {a.shape}")
    ax, ay, az = a[..., 0], a[..., 1], a[..., 2]
    bx, by, bz = b[..., 0], b[..., 1], b[..., 2]
    return stack([ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx], axis=-1)


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002 - TF's name
    """``(tensor / norm, norm)`` with the norm kept for broadcasting."""
    from fluxion.ops.linalg_ops import norm

    tensor = convert_to_tensor(tensor)
    size = norm(tensor, ord=ord, axis=axis, keepdims=True)
    return tensor / size, size


def tensor_diag(diagonal, name=None) -> Tensor:
    """``out[i1..ik, i1..ik] = diagonal[i1..ik]``: a tensor of twice the rank."""
    d = convert_to_tensor(diagonal)
    dims = d.shape.as_list()
    flat = diag(reshape(d, [-1]))
    return reshape(flat, dims + dims)


def tensor_diag_part(input, name=None) -> Tensor:  # noqa: A002 - TF's name
    """The inverse of ``tensor_diag``: ``out[i..] = input[i.., i..]``."""
    from fluxion.ops.linalg_diag_ops import diag_part

    x = convert_to_tensor(input)
    dims = x.shape.as_list()
    half = len(dims) // 2
    size = int(np.prod(dims[:half]))
    return reshape(diag_part(reshape(x, [size, size])), dims[:half])


def _tridiagonal_matrix(diagonals, diagonals_format: str) -> Tensor:
    if diagonals_format == "matrix":
        return convert_to_tensor(diagonals)
    if diagonals_format == "sequence":
        upper, main, lower = (convert_to_tensor(d) for d in diagonals)
    elif diagonals_format == "compact":
        compact = convert_to_tensor(diagonals)
        upper, main, lower = compact[..., 0, :], compact[..., 1, :], compact[..., 2, :]
    else:
        raise ValueError(f"diagonals_format must be 'compact', 'sequence' or 'matrix', got "
                         f"{diagonals_format!r}")
    # TF stores the superdiagonal without its last entry, the subdiagonal without its first
    return diag(main) + diag(upper[..., :-1], k=1) + diag(lower[..., 1:], k=-1)


def tridiagonal_solve(diagonals, rhs, diagonals_format="compact", transpose_rhs=False,
                      conjugate_rhs=False, name=None, partial_pivoting=True,
                      perturb_singular=False) -> Tensor:
    """Solves ``A x = rhs`` for tridiagonal ``A`` given by its diagonals."""
    a = _tridiagonal_matrix(diagonals, diagonals_format)
    b = convert_to_tensor(rhs, dtype=a.dtype)
    if transpose_rhs:
        b = adjoint(b) if conjugate_rhs else adjoint(b)
    vector = b.shape.rank == a.shape.rank - 1
    x = solve(a, b[..., None] if vector else b)
    return x[..., 0] if vector else x


def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None) -> Tensor:
    """``A @ rhs`` for tridiagonal ``A`` given by its diagonals."""
    a = _tridiagonal_matrix(diagonals, diagonals_format)
    return matmul(a, convert_to_tensor(rhs, dtype=a.dtype))


def banded_triangular_solve(bands, rhs, lower=True, adjoint=False, name=None) -> Tensor:  # noqa: A002
    """Solves a triangular system given by its ``K`` bands ``[..., K, M]`` (TF's layout:
    the diagonal first when lower, last when upper)."""
    bands = convert_to_tensor(bands)
    count = int(bands.shape[-2])
    size = int(bands.shape[-1])
    matrix = None
    for row in range(count):
        if lower:
            k = -row
            values = bands[..., row, row:]  # subdiagonals are padded on the left
        else:
            k = count - 1 - row
            values = bands[..., row, :size - k]  # superdiagonals are padded on the right
        part = diag(values, k=k, num_rows=size, num_cols=size)
        matrix = part if matrix is None else matrix + part
    return triangular_solve(matrix, convert_to_tensor(rhs, dtype=bands.dtype), lower=lower,
                            adjoint=adjoint)


def eigh_tridiagonal(alpha, beta, eigvals_only=True, select="a", select_range=None,
                     tol=None, name=None):
    """Eigenvalues (and vectors) of the symmetric tridiagonal matrix with diagonal ``alpha``
    and off-diagonal ``beta``; ``select="i"`` or ``"v"`` keeps an index or value range."""
    from fluxion.ops.linalg_ops import eigh

    alpha = convert_to_tensor(alpha)
    beta = convert_to_tensor(beta, dtype=alpha.dtype)
    matrix = diag(alpha) + diag(beta, k=1) + diag(beta, k=-1)
    values, vectors = eigh(matrix)
    if select == "i":
        lo, hi = (int(v) for v in select_range)
        values, vectors = values[lo:hi + 1], vectors[:, lo:hi + 1]
    elif select == "v":
        lo, hi = (float(v) for v in select_range)
        chosen = np.nonzero((values.numpy() > lo) & (values.numpy() <= hi))[0]
        index = convert_to_tensor(chosen.astype(np.int32))
        from fluxion.core.primitives.gather_scatter import gather

        values, vectors = gather(values, index), gather(vectors, index, axis=1)
    elif select != "a":
        raise ValueError(f"eigh_tridiagonal: select must be 'a', 'i' or 'v', got {select!r}")
    return values if eigvals_only else (values, vectors)

