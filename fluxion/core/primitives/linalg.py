"""Linear-algebra primitives: batched matmul and the decompositions of ``fluxion.linalg``.

``matmul`` multiplies the last two axes and broadcasts the leading (batch) axes; its
gradient relies on the walker to sum broadcast batch axes away.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.dtypes import binary_result_dtype
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.shape_rules import broadcast_shapes
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple


def _matmul_rule(a: Aval, b: Aval) -> Aval:
    if len(a.shape) < 2 or len(b.shape) < 2:
        raise ValueError(f"matmul needs tensors of rank >= 2, got shapes {list(a.shape)} "
                         f"and {list(b.shape)}")
    if a.dtype is not b.dtype:
        raise TypeError(f"both inputs must have one dtype, got {a.dtype.name} and "
                        f"{b.dtype.name}")
    k1, k2 = a.shape[-1], b.shape[-2]
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"matrix sizes are incompatible: In[0] {list(a.shape)}, In[1] "
                         f"{list(b.shape)} (a.shape[-1]={k1} must equal b.shape[-2]={k2})")
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return Aval(batch + (a.shape[-2], b.shape[-1]), a.dtype)


def _matmul_vjp(g, xs, out):
    a, b = xs
    return matmul(g, matrix_transpose(b)), matmul(matrix_transpose(a), g)


matmul_p = define("matmul", np.matmul, _matmul_rule, _matmul_vjp)


def matrix_transpose(a) -> Tensor:
    from fluxion.core.primitives.shape import transpose_p

    a = convert_to_tensor(a)
    rank = len(shape_tuple(a))
    if rank < 2:
        raise ValueError(f"matrix_transpose needs a tensor of rank >= 2, got rank {rank}")
    perm = tuple(range(rank - 2)) + (rank - 1, rank - 2)
    return bind(transpose_p, a, perm=perm)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None) -> Tensor:
    """Matrix product of the last two axes, batched over the leading axes (``tf.matmul``).

    Args:
      a, b: tensors of rank >= 2 and the same dtype.
      transpose_a, transpose_b: transpose the last two axes of the input first.
      adjoint_a, adjoint_b: conjugate-transpose the input first.

    >>> matmul([[1.0, 2.0]], [[3.0], [4.0]]).numpy()
    array([[11.]], dtype=float32)
    """
    from fluxion.core.primitives.elementwise import binary_operands

    a, b = binary_operands("matmul", a, b)
    if transpose_a or adjoint_a:
        a = matrix_transpose(_conj(a) if adjoint_a else a)
    if transpose_b or adjoint_b:
        b = matrix_transpose(_conj(b) if adjoint_b else b)
    return bind(matmul_p, a, b)


def _conj(x: Tensor) -> Tensor:
    if not x.dtype.is_complex:
        return x
    return Tensor(np.conj(x._value))


