"""Linear algebra with TensorFlow's names: the ``fluxion.linalg`` namespace (``tf.linalg``),
plus ``einsum`` and ``tensordot`` (also top-level in TF).

The matrix functions bind the primitives of ``fluxion.core.primitives.linalg`` and work
on the last two axes, batching over the rest; ``tensordot``, ``norm``, ``trace``,
``matvec``, ``logdet``, ``cholesky_solve`` are composites of them.  The diagonal functions
live in ``linalg_diag_ops`` and are re-exported here.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.errors import DTypeMismatchError, InvalidArgumentError, op_error
from fluxion.core.primitive import bind
from fluxion.core.primitives import decompositions as dec
from fluxion.core.primitives import elementwise, linalg, reduce
from fluxion.core.primitives.linalg import matmul
from fluxion.core.primitives.shape import expand_dims, reshape, squeeze, transpose
from fluxion.core.shape_rules import normalize_axis
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.clip_ops import global_norm
from fluxion.ops.creation_ops import eye
from fluxion.ops.linalg_diag_ops import diag, diag_part, set_diag

__all__ = [
    "matmul", "einsum", "tensordot", "inv", "det", "slogdet", "logdet", "norm", "cholesky",
    "cholesky_solve", "solve", "triangular_solve", "matrix_transpose", "adjoint", "diag",
    "diag_part", "set_diag", "band_part", "trace", "eye", "matvec", "global_norm", "svd",
    "eigh", "eigvalsh",
]


def _float_matrix(op: str, x, rank: int = 2) -> Tensor:
    x = convert_to_tensor(x)
    if not (x.dtype.is_floating or x.dtype.is_complex):
        raise op_error(TypeError, op, f"expected a floating-point or complex tensor, got "
                                      f"dtype {x.dtype.name}")
    if len(shape_tuple(x)) < rank:
        raise op_error(InvalidArgumentError, op, f"expected a tensor of rank >= {rank}, "
                                                 f"got shape {list(shape_tuple(x))}")
    return x


def _same_dtype(op: str, *tensors: Tensor) -> None:
    names = {t.dtype.name for t in tensors}
    if len(names) > 1:
        raise op_error(DTypeMismatchError, op, "all inputs must have one dtype, got "
                       + ", ".join(t.dtype.name for t in tensors))


# --- products ---------------------------------------------------------------------------------
def einsum(equation: str, *inputs, **kwargs) -> Tensor:
    """Tensor contraction described by Einstein notation.

    Supports the implicit form (``"ij,jk"``), ``...`` for broadcast batch axes and
    repeated labels within one operand (diagonals, e.g. ``"ii->"`` is the trace).

    Args:
      equation: the subscripts, e.g. ``"bij,bjk->bik"``.
      *inputs: tensors of one dtype.

    Returns:
      The contracted tensor.

    >>> einsum("ij,j->i", [[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0]).numpy()
    array([3., 7.], dtype=float32)
    """
    tensors = [convert_to_tensor(t) for t in inputs]
    if not tensors:
        raise ValueError("einsum needs at least one operand")
    _same_dtype("einsum", *tensors)
    try:
        return linalg.einsum(equation, *tensors)
    except ValueError as error:
        if isinstance(error, InvalidArgumentError):
            raise
        raise op_error(InvalidArgumentError, "einsum", str(error).removeprefix("einsum: ")) \
            from None


def _tensordot_axes(axes, rank_a: int, rank_b: int) -> tuple[list, list]:
    if isinstance(axes, Tensor):
        axes = axes._value.tolist()
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if not 0 <= n <= min(rank_a, rank_b):
            raise ValueError(f"axes must be in [0, {min(rank_a, rank_b)}] for ranks "
                             f"{rank_a} and {rank_b}, got {n}")
        return list(range(rank_a - n, rank_a)), list(range(n))
    if len(axes) != 2:
        raise ValueError(f"axes must be an int or a pair of axis lists, got {axes!r}")
    a_axes, b_axes = ([int(v)] if isinstance(v, (int, np.integer)) else [int(i) for i in v]
                      for v in axes)
    if len(a_axes) != len(b_axes):
        raise ValueError(f"the two axis lists must have one length, got {a_axes} and {b_axes}")
    return ([normalize_axis(i, rank_a) for i in a_axes],
            [normalize_axis(i, rank_b) for i in b_axes])


def tensordot(a, b, axes, name=None) -> Tensor:
    """Sums the products of ``a`` and ``b`` over the given axes.

    Args:
      a, b: tensors of one dtype.
      axes: an int N (the last N axes of ``a`` with the first N of ``b``), or a pair
        ``[a_axes, b_axes]`` of equally long axis lists.

    Returns:
      A tensor of shape ``a``'s free axes followed by ``b``'s free axes.

    >>> tensordot([[1.0, 2.0]], [[3.0], [4.0]], axes=1).numpy()
    array([[11.]], dtype=float32)
    """
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    _same_dtype("tensordot", a, b)
    shape_a, shape_b = shape_tuple(a), shape_tuple(b)
    try:
        a_axes, b_axes = _tensordot_axes(axes, len(shape_a), len(shape_b))
    except ValueError as error:
        raise op_error(InvalidArgumentError, "tensordot", str(error)) from None
    for i, j in zip(a_axes, b_axes):
        if None not in (shape_a[i], shape_b[j]) and shape_a[i] != shape_b[j]:
            raise op_error(InvalidArgumentError, "tensordot",
                           f"contracted axes must match: axis {i} of a {list(shape_a)} has "
                           f"size {shape_a[i]}, axis {j} of b {list(shape_b)} has size "
                           f"{shape_b[j]}")
    free_a = [i for i in range(len(shape_a)) if i not in a_axes]
    free_b = [i for i in range(len(shape_b)) if i not in b_axes]
    size = _product([shape_a[i] for i in a_axes])
    left = reshape(transpose(a, free_a + a_axes), [-1, size])
    right = reshape(transpose(b, b_axes + free_b), [size, -1])
    out_shape = [shape_a[i] for i in free_a] + [shape_b[i] for i in free_b]
    if out_shape.count(None) > 1:  # traced with several unknown dimensions: run-time sizes
        from fluxion.ops.creation_ops import shape as runtime_shape

        dims_a, dims_b = runtime_shape(a), runtime_shape(b)
        out_shape = [dims_a[i] if shape_a[i] is None else shape_a[i] for i in free_a] + \
            [dims_b[i] if shape_b[i] is None else shape_b[i] for i in free_b]
        return reshape(matmul(left, right), out_shape)
    return reshape(matmul(left, right), [-1 if d is None else d for d in out_shape])


def _product(dims: list) -> int:
    if None in dims:
        raise op_error(InvalidArgumentError, "tensordot",
                       f"contracted dimensions must be known, got {dims}")
    return int(np.prod(dims, dtype=np.int64))


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None) -> Tensor:
    """Matrix-vector product ``a @ b`` over the last axes, batched.

    >>> matvec([[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0]).numpy()
    array([3., 7.], dtype=float32)
    """
    b = convert_to_tensor(b)
    product = matmul(a, expand_dims(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a)
    return squeeze(product, -1)


# --- transposes, diagonals, bands -----------------------------------------------------------
def matrix_transpose(a, name="matrix_transpose", conjugate=False) -> Tensor:
    """Transposes the last two axes (and conjugates if ``conjugate``).

    >>> matrix_transpose([[1, 2, 3]]).shape
    TensorShape([3, 1])
    """
    a = convert_to_tensor(a)
    return linalg.adjoint(a) if conjugate else linalg.matrix_transpose(a)


def adjoint(matrix, name=None) -> Tensor:
    """The conjugate transpose of the last two axes.

    >>> adjoint([[1.0, 2.0]]).numpy()
    array([[1.],
           [2.]], dtype=float32)
    """
    return linalg.adjoint(convert_to_tensor(matrix))


def band_part(input, num_lower, num_upper, name=None) -> Tensor:  # noqa: A002
    """Keeps ``num_lower`` sub-diagonals and ``num_upper`` super-diagonals (negative:
    the whole triangle), zeroing the rest.

    >>> band_part([[1, 2], [3, 4]], 0, -1).numpy()
    array([[1, 2],
           [0, 4]], dtype=int32)
    """
    return linalg.band_part(_matrix("band_part", input), int(num_lower), int(num_upper))


def trace(x, name=None) -> Tensor:
    """The sum of the main diagonal of the last two axes.

    >>> int(trace([[1, 2], [3, 4]]))
    5
    """
    return reduce.reduce_sum(linalg.diag_part(_matrix("trace", x)), axis=-1)


def _matrix(op: str, x) -> Tensor:
    x = convert_to_tensor(x)
    if len(shape_tuple(x)) < 2:
        raise op_error(InvalidArgumentError, op, f"expected a matrix (rank >= 2), got shape "
                                                 f"{list(shape_tuple(x))}")
    return x


# --- inverse, determinants, decompositions, solves -------------------------------------------
def inv(input, adjoint=False, name=None) -> Tensor:  # noqa: A002
    """The inverse of square matrices (of their adjoints if ``adjoint``).

    >>> inv([[2.0, 0.0], [0.0, 4.0]]).numpy()
    array([[0.5 , 0.  ],
           [0.  , 0.25]], dtype=float32)
    """
    x = _float_matrix("inv", input)
    return linalg.inv(linalg.adjoint(x) if adjoint else x)


def det(input, name=None) -> Tensor:  # noqa: A002
    """The determinant of square matrices.

    >>> float(det([[1.0, 2.0], [3.0, 4.0]]))
    -2.0...
    """
    return linalg.det(_float_matrix("det", input))


def slogdet(input, name=None) -> tuple[Tensor, Tensor]:  # noqa: A002
    """``(sign, log_abs_determinant)`` of square matrices, stable for huge determinants.

    >>> [float(t) for t in slogdet([[2.0, 0.0], [0.0, -3.0]])]
    [-1.0, 1.791759...]
    """
    return linalg.slogdet(_float_matrix("slogdet", input))


def logdet(matrix, name=None) -> Tensor:
    """``log(det(matrix))`` of Hermitian positive-definite matrices, via Cholesky.

    >>> float(logdet([[4.0, 0.0], [0.0, 1.0]]))
    1.386294...
    """
    chol = linalg.cholesky(_float_matrix("logdet", matrix))
    diagonal = linalg.diag_part(chol)
    if diagonal.dtype.is_complex:
        diagonal = elementwise.abs_(diagonal)
    return reduce.reduce_sum(elementwise.log(diagonal), axis=-1) * 2.0


def cholesky(input, name=None) -> Tensor:  # noqa: A002
    """The lower-triangular Cholesky factor ``L`` of Hermitian positive-definite matrices
    (``A = L L^H``); only the lower triangle of ``input`` is read.

    >>> cholesky([[4.0, 2.0], [2.0, 2.0]]).numpy()
    array([[2., 0.],
           [1., 1.]], dtype=float32)
    """
    return linalg.cholesky(_float_matrix("cholesky", input))


def solve(matrix, rhs, adjoint=False, name=None) -> Tensor:
    """Solves ``matrix @ x = rhs`` (``adjoint(matrix) @ x = rhs`` if ``adjoint``).

    >>> solve([[2.0, 0.0], [0.0, 4.0]], [[2.0], [2.0]]).numpy()
    array([[1. ],
           [0.5]], dtype=float32)
    """
    a, b = _float_matrix("solve", matrix), _float_matrix("solve", rhs)
    _same_dtype("solve", a, b)
    return linalg.solve(a, b, adjoint=adjoint)


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None) -> Tensor:
    """Solves ``matrix @ x = rhs`` reading only one triangle of ``matrix``.

    >>> triangular_solve([[2.0, 0.0], [1.0, 1.0]], [[2.0], [2.0]]).numpy()
    array([[1.],
           [1.]], dtype=float32)
    """
    a, b = _float_matrix("triangular_solve", matrix), _float_matrix("triangular_solve", rhs)
    _same_dtype("triangular_solve", a, b)
    return linalg.triangular_solve(a, b, lower=lower, adjoint=adjoint)


def cholesky_solve(chol, rhs, name=None) -> Tensor:
    """Solves ``A x = rhs`` given ``chol``, the Cholesky factor of ``A``.

    >>> cholesky_solve([[2.0, 0.0], [0.0, 1.0]], [[4.0], [1.0]]).numpy()
    array([[1.],
           [1.]], dtype=float32)
    """
    chol = _float_matrix("cholesky_solve", chol)
    rhs = _float_matrix("cholesky_solve", rhs)
    _same_dtype("cholesky_solve", chol, rhs)
    y = linalg.triangular_solve(chol, rhs, lower=True)
    return linalg.triangular_solve(chol, y, lower=True, adjoint=True)


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """Singular value decomposition ``tensor = u @ diag(s) @ adjoint(v)`` of the last two axes.

    Gradients need distinct, nonzero singular values (of real matrices); with
    ``full_matrices=True`` only square matrices have them.

    Args:
      tensor: ``[..., M, N]`` floating-point or complex matrices.
      full_matrices: return square ``u`` ``[..., M, M]`` and ``v`` ``[..., N, N]`` instead of
        the thin ``[..., M, P]`` and ``[..., N, P]`` (``P = min(M, N)``).
      compute_uv: return ``(s, u, v)``; else only ``s``.

    Returns:
      ``s`` (``[..., P]``, descending, real), or ``(s, u, v)``.

    >>> s, u, v = svd([[3.0, 0.0], [0.0, -4.0]])
    >>> s.numpy()
    array([4., 3.], dtype=float32)
    """
    x = _float_matrix("svd", tensor)
    if not compute_uv:
        return dec.singular_values(x)
    return dec.svd(x, full_matrices=full_matrices)


def eigh(tensor, name=None) -> tuple[Tensor, Tensor]:
    """Eigen decomposition of self-adjoint matrices; only the lower triangle is read.

    Gradients need distinct eigenvalues (of real matrices).

    Returns:
      ``(e, v)``: the eigenvalues ``[..., N]`` in ascending order and the eigenvectors as the
      columns of ``v`` ``[..., N, N]``.

    >>> e, v = eigh([[2.0, 1.0], [1.0, 2.0]])
    >>> e.numpy()
    array([1., 3.], dtype=float32)
    """
    return dec.eigh(_float_matrix("eigh", tensor))


def eigvalsh(tensor, name=None) -> Tensor:
    """The eigenvalues of self-adjoint matrices, ascending (see ``eigh``).

    >>> eigvalsh([[2.0, 0.0], [0.0, 1.0]]).numpy()
    array([1., 2.], dtype=float32)
    """
    return eigh(tensor)[0]


# --- norms ---------------------------------------------------------------------------------------
def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None) -> Tensor:  # noqa: A002
    """Vector or matrix norm.

    Args:
      tensor: a floating-point or complex tensor.
      ord: ``"euclidean"``, ``"fro"``, ``1``, ``2``, ``np.inf``, (vectors) any ``p > 0``
        or (matrices) ``"nuc"``, the sum of singular values (an extension: TF has no
        ``"nuc"``).  ``ord=2`` over two axes is the spectral norm, the largest singular
        value.
      axis: None (the whole tensor as one vector), an int (vector norms), or a pair of
        ints (matrix norms).
      keepdims: keep the reduced axes with length 1.

    >>> float(norm([3.0, 4.0]))
    5.0
    >>> float(norm([[1.0, 2.0], [3.0, 4.0]], ord=1, axis=[0, 1]))
    6.0
    """
    x = _float_matrix("norm", tensor, rank=0)
    rank = len(shape_tuple(x))
    keepdims = bool(keepdims)
    if isinstance(axis, Tensor):
        axis = axis._value.tolist()
    if axis is not None and not isinstance(axis, (int, np.integer)):
        axis = [int(a) for a in axis]
        if len(axis) == 1:
            axis = axis[0]
    try:
        if axis is None:
            axes = tuple(range(rank))
        elif isinstance(axis, (int, np.integer)):
            axes = (normalize_axis(int(axis), rank),)
        elif len(axis) == 2:
            axes = tuple(normalize_axis(a, rank) for a in axis)
            if axes[0] == axes[1]:
                raise ValueError(f"the two matrix axes must differ, got {axis}")
        else:
            raise ValueError(f"axis must be None, an int or a pair of ints, got {axis}")
    except ValueError as error:
        raise op_error(InvalidArgumentError, "norm", str(error)) from None
    if ord in (2, "nuc") and axis is not None and len(axes) == 2:
        return _spectral_norm(x, ord, axes, keepdims)
    if x.dtype.is_complex:
        x = elementwise.abs_(x)  # norms of the moduli
    if ord in ("euclidean", "fro") or (ord == 2 and len(axes) == 1) or (
            ord == 2 and axis is None):
        if ord == "fro" and len(axes) != 2:
            raise ValueError(f"norm: ord='fro' needs a pair of matrix axes, got axis={axis}")
        return elementwise.sqrt(
            bind(
                reduce.reduce_sum_p,
                elementwise.square(x),
                axes=tuple(sorted(axes)),
                keepdims=keepdims,
            )
        )
    if axis is not None and len(axes) == 2:
        return _matrix_norm(elementwise.abs_(x), ord, axes, keepdims)
    return _vector_norm(elementwise.abs_(x), ord, tuple(sorted(axes)), keepdims)


def _vector_norm(magnitude: Tensor, ord, axes: tuple, keepdims: bool) -> Tensor:
    if ord == np.inf:
        return bind(reduce.reduce_max_p, magnitude, axes=axes, keepdims=keepdims)
    if ord == 1:
        return bind(reduce.reduce_sum_p, magnitude, axes=axes, keepdims=keepdims)
    if isinstance(ord, (int, float)) and not isinstance(ord, bool) and ord > 0:
        powered = bind(
            reduce.reduce_sum_p,
            elementwise.pow_(magnitude, float(ord)),
            axes=axes,
            keepdims=keepdims,
        )
        return elementwise.pow_(powered, 1.0 / float(ord))
    raise ValueError(
        f"norm: ord must be 'euclidean', 1, 2, np.inf or a positive number "
        f"for vector norms, got {ord!r}"
    )


def _matrix_norm(magnitude: Tensor, ord, axes: tuple, keepdims: bool) -> Tensor:
    rows, cols = axes
    if ord == 1:  # the largest column sum
        inner, outer = rows, cols
    elif ord == np.inf:  # the largest row sum
        inner, outer = cols, rows
    else:
        raise ValueError(
            f"norm: ord must be 'euclidean', 'fro', 1, 2, np.inf or 'nuc' for "
            f"matrix norms, got {ord!r}"
        )
    sums = bind(reduce.reduce_sum_p, magnitude, axes=(inner,), keepdims=True)
    result = bind(reduce.reduce_max_p, sums, axes=(outer,), keepdims=True)
    if keepdims:
        return result
    return bind(reduce.reduce_sum_p, result, axes=tuple(sorted(axes)), keepdims=False)


def _spectral_norm(x: Tensor, ord, axes: tuple, keepdims: bool) -> Tensor:
    """The largest singular value (``ord=2``) or their sum (``'nuc'``) over two axes."""
    rank = len(shape_tuple(x))
    perm = [i for i in range(rank) if i not in axes] + list(axes)
    if perm != list(range(rank)):
        x = transpose(x, perm)
    reducer = reduce.reduce_max_p if ord == 2 else reduce.reduce_sum_p
    result = bind(reducer, dec.singular_values(x), axes=(rank - 2,), keepdims=False)
    if keepdims:
        for axis in sorted(axes):
            result = expand_dims(result, axis)
    return result
