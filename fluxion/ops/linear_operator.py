"""``tf.linalg.LinearOperator`` and its structured subclasses.

A linear operator is a matrix (or batch of matrices) known by its structure: a
diagonal, a triangle, a Kronecker product...  Each subclass says how to build its dense
matrix (``_dense``); the base class derives everything else from that (``matmul``,
``solve``, determinants, ``diag_part``...), and subclasses override what their
structure makes cheaper (a diagonal multiplies elementwise, a triangle solves by
substitution).  All of it is composed from differentiable ops.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.module import Module
from fluxion.core.primitives import linalg as lp
from fluxion.core.primitives.shape import concat
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.tensor_shape import TensorShape
from fluxion.ops.reduce_ops import reduce_prod, reduce_sum

__all__ = ["LinearOperator", "LinearOperatorFullMatrix", "LinearOperatorDiag",
           "LinearOperatorIdentity", "LinearOperatorScaledIdentity",
           "LinearOperatorLowerTriangular", "LinearOperatorZeros", "LinearOperatorAdjoint",
           "LinearOperatorInversion", "LinearOperatorComposition", "LinearOperatorBlockDiag",
           "LinearOperatorBlockLowerTriangular", "LinearOperatorKronecker",
           "LinearOperatorLowRankUpdate", "LinearOperatorPermutation",
           "LinearOperatorHouseholder", "LinearOperatorToeplitz", "LinearOperatorTridiag",
           "LinearOperatorCirculant", "LinearOperatorCirculant2D", "LinearOperatorCirculant3D"]


class LinearOperator(Module):
    """A matrix known by its structure (``tf.linalg.LinearOperator``)."""

    def __init__(self, dtype=None, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None, parameters=None,
                 graph_parents=None):
        super().__init__(name=name or type(self).__name__)
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype)
        self.is_non_singular = is_non_singular
        self.is_self_adjoint = is_self_adjoint
        self.is_positive_definite = is_positive_definite
        self._is_square = is_square
        self.parameters = dict(parameters or {})

    def _dense(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define _dense")

    # --- shape and dtype ---------------------------------------------------------------------
    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype if self._dtype is not None else self.to_dense().dtype

    @property
    def shape(self) -> TensorShape:
        return self.to_dense().shape

    @property
    def batch_shape(self) -> TensorShape:
        return self.shape[:-2]

    @property
    def domain_dimension(self):
        return self.shape[-1]

    @property
    def range_dimension(self):
        return self.shape[-2]

    @property
    def tensor_rank(self) -> int:
        return self.shape.rank

    @property
    def is_square(self) -> bool:
        if self._is_square is not None:
            return self._is_square
        return self.domain_dimension == self.range_dimension

    def shape_tensor(self, name=None) -> Tensor:
        from fluxion.ops.creation_ops import shape

        return shape(self.to_dense())

    def batch_shape_tensor(self, name=None) -> Tensor:
        return self.shape_tensor()[:-2]

    def domain_dimension_tensor(self, name=None) -> Tensor:
        return self.shape_tensor()[-1]

    def range_dimension_tensor(self, name=None) -> Tensor:
        return self.shape_tensor()[-2]

    # --- the matrix and products -------------------------------------------------------------
    def to_dense(self, name=None) -> Tensor:
        return self._dense()

    def matmul(self, x, adjoint=False, adjoint_arg=False, name=None):
        """``op @ x`` (``op^H @ x`` with ``adjoint``); an operator gives a composition."""
        if isinstance(x, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = x.adjoint() if adjoint_arg else x
            return LinearOperatorComposition([left, right])
        x = convert_to_tensor(x, dtype=self.dtype)
        return lp.matmul(self.to_dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def __matmul__(self, other):
        return self.matmul(other)

    def matvec(self, x, adjoint=False, name=None) -> Tensor:
        return self.matmul(convert_to_tensor(x, dtype=self.dtype)[..., None], adjoint)[..., 0]

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name=None):
        """``inv(op) @ rhs``."""
        if isinstance(rhs, LinearOperator):
            left = self.adjoint() if adjoint else self
            return LinearOperatorComposition([left.inverse(), rhs.adjoint() if adjoint_arg
                                              else rhs])
        rhs = convert_to_tensor(rhs, dtype=self.dtype)
        rhs = lp.adjoint(rhs) if adjoint_arg else rhs
        return lp.solve(self.to_dense(), rhs, adjoint=adjoint)

    def solvevec(self, rhs, adjoint=False, name=None) -> Tensor:
        return self.solve(convert_to_tensor(rhs, dtype=self.dtype)[..., None], adjoint)[..., 0]

    # --- scalars of the matrix -----------------------------------------------------------------
    def determinant(self, name=None) -> Tensor:
        return lp.det(self.to_dense())

    def log_abs_determinant(self, name=None) -> Tensor:
        _, value = lp.slogdet(self.to_dense())
        return value

    def diag_part(self, name=None) -> Tensor:
        return lp.diag_part(self.to_dense())

    def trace(self, name=None) -> Tensor:
        return reduce_sum(self.diag_part(), axis=-1)

    def add_to_tensor(self, x, name=None) -> Tensor:
        return self.to_dense() + convert_to_tensor(x, dtype=self.dtype)

    def eigvals(self, name=None) -> Tensor:
        if self.is_self_adjoint:
            from fluxion.ops.linalg_ops import eigvalsh

            return eigvalsh(self.to_dense())
        from fluxion.ops.linalg_decompositions import eigvals

        return eigvals(self.to_dense())

    def cond(self, name=None) -> Tensor:
        from fluxion.ops.linalg_ops import svd

        s = svd(self.to_dense(), compute_uv=False)
        from fluxion.ops.reduce_ops import reduce_max, reduce_min

        return reduce_max(s, axis=-1) / reduce_min(s, axis=-1)

    # --- derived operators --------------------------------------------------------------------
    def adjoint(self, name=None) -> LinearOperator:
        return LinearOperatorAdjoint(self)

    H = property(adjoint)

    def inverse(self, name=None) -> LinearOperator:
        return LinearOperatorInversion(self)

    def cholesky(self, name=None) -> LinearOperator:
        return LinearOperatorLowerTriangular(lp.cholesky(self.to_dense()))


def _tensor(value, dtype=None) -> Tensor:
    return convert_to_tensor(value, dtype=dtype)


class LinearOperatorFullMatrix(LinearOperator):
    """An operator given by its dense matrix."""

    def __init__(self, matrix, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorFullMatrix"):
        self._matrix = _tensor(matrix)
        super().__init__(self._matrix.dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)

    def _dense(self) -> Tensor:
        return self._matrix


class LinearOperatorDiag(LinearOperator):
    """A diagonal matrix: products and solves are elementwise."""

    def __init__(self, diag, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name="LinearOperatorDiag"):
        self._diag = _tensor(diag)
        super().__init__(self._diag.dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name)

    def _dense(self) -> Tensor:
        from fluxion.ops.linalg_diag_ops import diag

        return diag(self._diag)

    def matmul(self, x, adjoint=False, adjoint_arg=False, name=None):
        if isinstance(x, LinearOperator):
            return super().matmul(x, adjoint, adjoint_arg)
        x = convert_to_tensor(x, dtype=self.dtype)
        x = lp.adjoint(x) if adjoint_arg else x
        d = lp._conj(self._diag) if adjoint and self.dtype.is_complex else self._diag
        return d[..., :, None] * x

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name=None):
        if isinstance(rhs, LinearOperator):
            return super().solve(rhs, adjoint, adjoint_arg)
        rhs = convert_to_tensor(rhs, dtype=self.dtype)
        rhs = lp.adjoint(rhs) if adjoint_arg else rhs
        return rhs / self._diag[..., :, None]

    def determinant(self, name=None) -> Tensor:
        return reduce_prod(self._diag, axis=-1)

    def log_abs_determinant(self, name=None) -> Tensor:
        from fluxion.core.primitives.elementwise import abs_, log

        return reduce_sum(log(abs_(self._diag)), axis=-1)

    def diag_part(self, name=None) -> Tensor:
        return self._diag


def _eye(num_rows, num_columns, batch_shape, dtype) -> Tensor:
    eye = np.eye(int(num_rows), int(num_columns if num_columns is not None else num_rows),
                 dtype=dtypes.as_dtype(dtype).np_dtype)
    if batch_shape:
        eye = np.broadcast_to(eye, tuple(batch_shape) + eye.shape).copy()
    return convert_to_tensor(eye)


class LinearOperatorIdentity(LinearOperatorDiag):
    """The identity matrix ``[*batch_shape, num_rows, num_rows]``."""

    def __init__(self, num_rows, batch_shape=None, dtype=None, is_non_singular=True,
                 is_self_adjoint=True, is_positive_definite=True, is_square=True,
                 assert_proper_shapes=False, name="LinearOperatorIdentity"):
        dtype = dtypes.as_dtype(dtype or dtypes.float32)
        ones = np.ones(tuple(batch_shape or ()) + (int(num_rows),), dtype.np_dtype)
        super().__init__(ones, True, True, True, True, name)


class LinearOperatorScaledIdentity(LinearOperatorDiag):
    """``multiplier * I`` (``multiplier`` may have batch dimensions)."""

    def __init__(self, num_rows, multiplier, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, assert_proper_shapes=False,
                 name="LinearOperatorScaledIdentity"):
        multiplier = _tensor(multiplier)
        ones = np.ones(int(num_rows), multiplier.dtype.np_dtype)
        super().__init__(multiplier[..., None] * ones, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name)
        self.multiplier = multiplier


class LinearOperatorLowerTriangular(LinearOperator):
    """The lower triangle of ``tril`` (the rest is ignored); solves by substitution."""

    def __init__(self, tril, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorLowerTriangular"):
        self._tril = lp.band_part(_tensor(tril), -1, 0)
        super().__init__(self._tril.dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name)

    def _dense(self) -> Tensor:
        return self._tril

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name=None):
        if isinstance(rhs, LinearOperator):
            return super().solve(rhs, adjoint, adjoint_arg)
        rhs = convert_to_tensor(rhs, dtype=self.dtype)
        rhs = lp.adjoint(rhs) if adjoint_arg else rhs
        return lp.triangular_solve(self._tril, rhs, lower=True, adjoint=adjoint)

    def determinant(self, name=None) -> Tensor:
        return reduce_prod(lp.diag_part(self._tril), axis=-1)


class LinearOperatorZeros(LinearOperator):
    """The zero matrix."""

    def __init__(self, num_rows, num_columns=None, batch_shape=None, dtype=None,
                 is_non_singular=False, is_self_adjoint=True, is_positive_definite=False,
                 is_square=True, assert_proper_shapes=False, name="LinearOperatorZeros"):
        dtype = dtypes.as_dtype(dtype or dtypes.float32)
        cols = num_rows if num_columns is None else num_columns
        self._zeros = _eye(num_rows, cols, batch_shape, dtype) * 0
        super().__init__(dtype, False, True, False, num_rows == cols, name)

    def _dense(self) -> Tensor:
        return self._zeros


class LinearOperatorAdjoint(LinearOperator):
    """The adjoint (conjugate transpose) of an operator."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self.operator = operator
        super().__init__(operator.dtype, operator.is_non_singular, operator.is_self_adjoint,
                         operator.is_positive_definite, None, name or "LinearOperatorAdjoint")

    def _dense(self) -> Tensor:
        return lp.adjoint(self.operator.to_dense())


class LinearOperatorInversion(LinearOperator):
    """The inverse of an operator: its ``matmul`` is the operator's ``solve``."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self.operator = operator
        super().__init__(operator.dtype, True, operator.is_self_adjoint,
                         operator.is_positive_definite, True,
                         name or "LinearOperatorInversion")

    def _dense(self) -> Tensor:
        return lp.inv(self.operator.to_dense())

    def matmul(self, x, adjoint=False, adjoint_arg=False, name=None):
        if isinstance(x, LinearOperator):
            return super().matmul(x, adjoint, adjoint_arg)
        return self.operator.solve(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name=None):
        return self.operator.matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)


class LinearOperatorComposition(LinearOperator):
    """The product ``operators[0] @ operators[1] @ ...``."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        if not operators:
            raise ValueError("LinearOperatorComposition needs at least one operator")
        self.operators = list(operators)
        super().__init__(self.operators[0].dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name or "LinearOperatorComposition")

    def _dense(self) -> Tensor:
        result = self.operators[-1].to_dense()
        for operator in reversed(self.operators[:-1]):
            result = operator.matmul(result)
        return result


def _block_matrix(rows: list) -> Tensor:
    return concat([concat(row, -1) for row in rows], -2)


class LinearOperatorBlockDiag(LinearOperator):
    """Operators on the diagonal blocks, zeros elsewhere."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name=None):
        self.operators = list(operators)
        super().__init__(self.operators[0].dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name or "LinearOperatorBlockDiag")

    def _dense(self) -> Tensor:
        dense = [op.to_dense() for op in self.operators]
        rows = []
        for i, block in enumerate(dense):
            rows.append([block if i == j else _zeros(block.shape[-2], other.shape[-1], block)
                         for j, other in enumerate(dense)])
        return _block_matrix(rows)


def _zeros(rows: int, cols: int, like: Tensor) -> Tensor:
    from fluxion.ops.creation_ops import zeros

    return zeros([*like.shape[:-2].as_list(), int(rows), int(cols)], like.dtype)


class LinearOperatorBlockLowerTriangular(LinearOperator):
    """A block lower-triangular matrix: ``operators[i]`` holds row ``i``'s ``i + 1``
    blocks."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self.operators = [list(row) for row in operators]
        super().__init__(self.operators[0][0].dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, True,
                         name or "LinearOperatorBlockLowerTriangular")

    def _dense(self) -> Tensor:
        diagonal = [row[i].to_dense() for i, row in enumerate(self.operators)]
        rows = []
        for i, row in enumerate(self.operators):
            dense = [op.to_dense() for op in row]
            rows.append(dense + [_zeros(diagonal[i].shape[-2], diagonal[j].shape[-1],
                                        diagonal[i]) for j in range(i + 1, len(diagonal))])
        return _block_matrix(rows)


class LinearOperatorKronecker(LinearOperator):
    """The Kronecker product of operators."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self.operators = list(operators)
        super().__init__(self.operators[0].dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name or "LinearOperatorKronecker")

    def _dense(self) -> Tensor:
        from fluxion.core.primitives.shape import reshape

        result = self.operators[0].to_dense()
        for operator in self.operators[1:]:
            other = operator.to_dense()
            m, n = result.shape[-2], result.shape[-1]
            p, q = other.shape[-2], other.shape[-1]
            batch = result.shape[:-2].as_list()
            product = result[..., :, None, :, None] * other[..., None, :, None, :]
            result = reshape(product, [*batch, m * p, n * q])
        return result


class LinearOperatorLowRankUpdate(LinearOperator):
    """``base + U diag(diag_update) V^H`` (``V = U`` when not given)."""

    def __init__(self, base_operator, u, diag_update=None, v=None, is_diag_update_positive=None,
                 is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name="LinearOperatorLowRankUpdate"):
        self.base_operator = base_operator
        self.u = _tensor(u, base_operator.dtype)
        self.v = self.u if v is None else _tensor(v, base_operator.dtype)
        self.diag_update = None if diag_update is None else _tensor(diag_update,
                                                                    base_operator.dtype)
        super().__init__(base_operator.dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)

    def _dense(self) -> Tensor:
        u = self.u if self.diag_update is None else self.u * self.diag_update[..., None, :]
        return self.base_operator.to_dense() + lp.matmul(u, self.v, adjoint_b=True)


class LinearOperatorPermutation(LinearOperator):
    """The permutation matrix with ``P[i, perm[i]] = 1``."""

    def __init__(self, perm, dtype=dtypes.float32, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorPermutation"):
        self.perm = _tensor(perm)
        super().__init__(dtypes.as_dtype(dtype), True, None, None, True, name)

    def _dense(self) -> Tensor:
        from fluxion.ops.array_ops import one_hot

        return one_hot(self.perm, int(self.perm.shape[-1]), dtype=self._dtype)


class LinearOperatorHouseholder(LinearOperator):
    """The reflection ``I - 2 v v^H / (v^H v)`` about the hyperplane orthogonal to ``v``."""

    def __init__(self, reflection_axis, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorHouseholder"):
        self.reflection_axis = _tensor(reflection_axis)
        super().__init__(self.reflection_axis.dtype, True, True, False, True, name)

    def _dense(self) -> Tensor:
        v = self.reflection_axis[..., :, None]
        size = int(self.reflection_axis.shape[-1])
        norm = lp.matmul(v, v, adjoint_a=True)
        return _eye(size, size, None, self.dtype) - 2 * lp.matmul(v, v, adjoint_b=True) / norm


class LinearOperatorToeplitz(LinearOperator):
    """The Toeplitz matrix with first column ``col`` and first row ``row``."""

    def __init__(self, col, row, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorToeplitz"):
        self.col, self.row = _tensor(col), _tensor(row)
        super().__init__(self.col.dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name)

    def _dense(self) -> Tensor:
        from fluxion.core.primitives.gather_scatter import gather

        n = int(self.col.shape[-1])
        values = concat([self.row[..., 1:][..., ::-1], self.col], -1)  # row reversed, col
        i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        index = convert_to_tensor((i - j + n - 1).astype(np.int32))
        return gather(values, index, axis=-1, batch_dims=0) if values.shape.rank == 1 \
            else gather(values, index, axis=values.shape.rank - 1)


class LinearOperatorTridiag(LinearOperator):
    """A tridiagonal matrix given by its diagonals (``"compact"``, ``"sequence"`` or
    ``"matrix"`` format, as ``tridiagonal_solve``)."""

    def __init__(self, diagonals, diagonals_format="compact", is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=None,
                 name="LinearOperatorTridiag"):
        from fluxion.ops.linalg_extra import _tridiagonal_matrix

        self._matrix = _tridiagonal_matrix(diagonals, diagonals_format)
        super().__init__(self._matrix.dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name)

    def _dense(self) -> Tensor:
        return self._matrix


class _Circulant(LinearOperator):
    """Block circulant operators from the DFT ``spectrum`` of their kernel:
    ``A = F^-1 diag(spectrum) F`` over the last ``rank`` dimensions."""

    _rank = 1

    def __init__(self, spectrum, input_output_dtype=dtypes.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True, name=None):
        self.spectrum = _tensor(spectrum)
        super().__init__(dtypes.as_dtype(input_output_dtype), is_non_singular,
                         is_self_adjoint, is_positive_definite, True,
                         name or type(self).__name__)

    def _dense(self) -> Tensor:
        from fluxion.core.primitives.elementwise import cast
        from fluxion.core.primitives.gather_scatter import gather
        from fluxion.core.primitives.shape import reshape

        sizes = [int(d) for d in self.spectrum.shape[-self._rank:]]
        total = int(np.prod(sizes))
        inverse_dft = np.ones((1, 1), np.complex128)
        for n in sizes:  # the inverse DFT over all block dimensions, as one matrix
            k = np.arange(n)
            inverse_dft = np.kron(inverse_dft, np.exp(2j * np.pi * np.outer(k, k) / n) / n)
        spectrum = cast(reshape(self.spectrum, [*self.spectrum.shape[:-self._rank].as_list(),
                                                total]), dtypes.complex128)
        kernel = lp.matmul(spectrum[..., None, :], convert_to_tensor(inverse_dft.T))[..., 0, :]
        coords = np.stack(np.unravel_index(np.arange(total), sizes), -1)
        diff = (coords[:, None, :] - coords[None, :, :]) % np.asarray(sizes)
        index = np.ravel_multi_index(tuple(np.moveaxis(diff, -1, 0)), sizes).astype(np.int32)
        dense = gather(kernel, convert_to_tensor(index), axis=kernel.shape.rank - 1)
        if not self._dtype.is_complex:
            from fluxion.ops.complex_ops import real

            dense = real(dense)
        return cast(dense, self._dtype)


class LinearOperatorCirculant(_Circulant):
    """A circulant matrix: ``A[i, j] = h[(i - j) mod n]`` with ``h = ifft(spectrum)``."""

    _rank = 1


class LinearOperatorCirculant2D(_Circulant):
    """A block-circulant matrix with circulant blocks (2-D convolution)."""

    _rank = 2


class LinearOperatorCirculant3D(_Circulant):
    """The 3-D analogue of ``LinearOperatorCirculant2D``."""

    _rank = 3
