"""``fluxion.sparse.*``: ops on ``SparseTensor`` s, composed from dense primitives.

The building blocks are the *linear index* of each entry (its row-major position in the
dense tensor), ``unique`` for merging duplicates, ``argsort`` for ordering, and the
segment sums: ``sparse_dense_matmul`` is a gather of the dense rows and a segment sum
per output row, so its gradients (to ``values`` and to the dense operand) come from
those primitives' rules.
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.primitives.elementwise import (
    cast,
    div,
    equal,
    floordiv,
    floormod,
    logical_and,
    mul,
    not_equal,
)
from fluxion.core.primitives.gather_scatter import gather, gather_nd, where_indices
from fluxion.core.primitives.shape import concat, expand_dims, reshape, stack, transpose
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.ops.creation_ops import fill
from fluxion.ops.creation_ops import shape as shape_op
from fluxion.ops.reduce_ops import cumprod, reduce_max, reduce_sum
from fluxion.ops.segment_ops import unsorted_segment_sum
from fluxion.ops.sort_ops import argsort
from fluxion.ops.sparse_tensor import SparseTensor
from fluxion.ops.unique_ops import unique

__all__ = ["from_dense", "to_dense", "sparse_dense_matmul", "add", "reorder", "reshape_sparse",
           "retain", "slice_sparse", "concat_sparse", "reduce_sum_sparse", "reduce_max_sparse",
           "expand_dims_sparse", "eye", "fill_empty_rows", "map_values", "maximum", "minimum",
           "reset_shape", "transpose_sparse", "to_indicator", "split", "softmax",
           "linear_index"]


def _sparse(value, op: str) -> SparseTensor:
    if not isinstance(value, SparseTensor):
        raise TypeError(f"sparse.{op}: expected a SparseTensor, got {type(value).__name__}")
    return value


def _strides(dense_shape: Tensor) -> Tensor:
    return cumprod(dense_shape, exclusive=True, reverse=True)


def linear_index(sp: SparseTensor) -> Tensor:
    """Each entry's row-major position in the dense tensor (int64 ``[n]``)."""
    return reduce_sum(mul(sp.indices, expand_dims(_strides(sp.dense_shape), 0)), axis=1)


def _unravel(linear: Tensor, dense_shape: Tensor) -> Tensor:
    strides = _strides(dense_shape)
    return floormod(floordiv(expand_dims(linear, 1), expand_dims(strides, 0)),
                    expand_dims(dense_shape, 0))


def from_dense(tensor, name=None) -> SparseTensor:
    """The non-zero entries of a dense tensor, in row-major order.

    >>> import fluxion as tf
    >>> tf.sparse.from_dense([[0, 3], [4, 0]]).values.numpy()
    array([3, 4], dtype=int32)
    """
    tensor = convert_to_tensor(tensor)
    indices = where_indices(not_equal(tensor, tensor * 0 if tensor.dtype.is_numeric
                                      else convert_to_tensor(b"")))
    return SparseTensor(indices, gather_nd(tensor, indices), shape_op(tensor, dtypes.int64))


def to_dense(sp_input, default_value=None, validate_indices=True, name=None) -> Tensor:
    """The dense tensor, ``default_value`` (0) where no entry is stored."""
    sp = _sparse(sp_input, "to_dense")
    default = 0 if default_value is None else default_value
    if sp.dtype is dtypes.string and default_value is None:
        default = b""
    base = fill(sp.dense_shape, convert_to_tensor(default, dtype=sp.dtype))
    from fluxion.ops.array_ops import tensor_scatter_nd_update

    return tensor_scatter_nd_update(base, sp.indices, sp.values)


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None) -> Tensor:
    """``sp_a @ b`` for a sparse matrix and a dense one (either may be the sparse one).

    Differentiable with respect to ``sp_a.values`` and ``b``.

    >>> import fluxion as tf
    >>> st = tf.SparseTensor([[0, 1], [1, 0]], [2.0, 3.0], [2, 2])
    >>> tf.sparse.sparse_dense_matmul(st, tf.constant([[1.0], [10.0]])).numpy()
    array([[20.],
           [ 3.]], dtype=float32)
    """
    if not isinstance(sp_a, SparseTensor) and isinstance(b, SparseTensor):
        # a @ sp_b == (sp_b^T @ a^T)^T
        from fluxion.core.primitives.linalg import adjoint

        a = convert_to_tensor(sp_a)
        a = adjoint(a) if adjoint_a else a
        return adjoint(sparse_dense_matmul(b, a, adjoint_a=not adjoint_b, adjoint_b=True))
    sp = _sparse(sp_a, "sparse_dense_matmul")
    b = convert_to_tensor(b)
    if b.dtype is not sp.dtype:
        raise TypeError(f"sparse_dense_matmul: the sparse operand is {sp.dtype.name} but the "
                        f"dense one is {b.dtype.name}")
    if adjoint_b:
        from fluxion.core.primitives.linalg import adjoint

        b = adjoint(b)
    rows, cols = sp.indices[:, 0], sp.indices[:, 1]
    out_rows = sp.dense_shape[0]
    values = sp.values
    if adjoint_a:
        rows, cols, out_rows = cols, rows, sp.dense_shape[1]
        if values.dtype.is_complex:
            from fluxion.ops.complex_ops import conj

            values = conj(values)
    contributions = mul(expand_dims(values, 1), gather(b, cols))
    return unsorted_segment_sum(contributions, rows, out_rows)


def reorder(sp_input, name=None) -> SparseTensor:
    """The same tensor with its entries in row-major order."""
    sp = _sparse(sp_input, "reorder")
    order = argsort(linear_index(sp), stable=True)
    return SparseTensor(gather(sp.indices, order), gather(sp.values, order), sp.dense_shape)


def _coalesce(indices: Tensor, values: Tensor, dense_shape: Tensor) -> SparseTensor:
    """Entries merged by position (values summed) and ordered row-major."""
    probe = SparseTensor(indices, values, dense_shape)
    positions, slot = unique(linear_index(probe), out_idx=dtypes.int32)
    count = shape_op(positions)[0]
    summed = unsorted_segment_sum(values, slot, count)
    order = argsort(positions, stable=True)
    return SparseTensor(_unravel(gather(positions, order), dense_shape),
                        gather(summed, order), dense_shape)


def add(a, b, threshold=0, thresh=None, name=None):
    """``a + b``: sparse + sparse is sparse (entries at the same position summed);
    with a dense operand the result is dense."""
    if not isinstance(a, SparseTensor) or not isinstance(b, SparseTensor):
        sparse, dense = (a, b) if isinstance(a, SparseTensor) else (b, a)
        return to_dense(_sparse(sparse, "add")) + convert_to_tensor(dense)
    merged = _coalesce(concat([a.indices, b.indices], 0), concat([a.values, b.values], 0),
                       a.dense_shape)
    limit = thresh if thresh is not None else threshold
    if limit:
        from fluxion.core.primitives.elementwise import abs_, greater_equal

        return retain(merged, greater_equal(abs_(merged.values), limit))
    return merged


def retain(sp_input, to_retain) -> SparseTensor:
    """The entries where the boolean vector ``to_retain`` is True."""
    from fluxion.ops.array_ops import boolean_mask

    sp = _sparse(sp_input, "retain")
    keep = convert_to_tensor(to_retain, dtype=dtypes.bool_)
    return SparseTensor(boolean_mask(sp.indices, keep), boolean_mask(sp.values, keep),
                        sp.dense_shape)


def reshape_sparse(sp_input, shape, name=None) -> SparseTensor:
    """The same entries in a tensor of ``shape`` (one dimension may be -1)."""
    sp = _sparse(sp_input, "reshape")
    new_shape = cast(convert_to_tensor(shape), dtypes.int64)
    total = _product(sp.dense_shape)
    known = _product(new_shape)
    inferred = floordiv(total, -known)  # known < 0 exactly when one dim is -1
    from fluxion.core.primitives.elementwise import less, select

    new_shape = select(less(new_shape, 0), inferred + new_shape * 0, new_shape)
    return SparseTensor(_unravel(linear_index(sp), new_shape), sp.values, new_shape)


def _product(x: Tensor) -> Tensor:
    from fluxion.ops.reduce_ops import reduce_prod

    return reduce_prod(x)


def slice_sparse(sp_input, start, size, name=None) -> SparseTensor:
    """The entries inside the box ``[start, start + size)``, shifted to start at 0."""
    from fluxion.ops.array_ops import boolean_mask
    from fluxion.ops.math_ops import greater_equal, less, minimum
    from fluxion.ops.reduce_ops import reduce_all

    sp = _sparse(sp_input, "slice")
    start = cast(convert_to_tensor(start), dtypes.int64)
    size = cast(convert_to_tensor(size), dtypes.int64)
    inside = reduce_all(logical_and(greater_equal(sp.indices, expand_dims(start, 0)),
                                    less(sp.indices, expand_dims(start + size, 0))), axis=1)
    shape = minimum(size, sp.dense_shape - start)
    from fluxion.ops.math_ops import maximum

    return SparseTensor(boolean_mask(sp.indices, inside) - expand_dims(start, 0),
                        boolean_mask(sp.values, inside), maximum(shape, shape * 0))


def concat_sparse(axis, sp_inputs, name=None, expand_nonconcat_dims=False,
                  concat_dim=None) -> SparseTensor:
    """Joins sparse tensors along ``axis``; the result is in row-major order."""
    axis = concat_dim if concat_dim is not None else axis
    inputs = [_sparse(s, "concat") for s in sp_inputs]
    rank = inputs[0].indices.shape[1]
    axis = int(axis) % rank if rank else int(axis)
    shapes = [s.dense_shape for s in inputs]
    if expand_nonconcat_dims:
        from fluxion.ops.math_ops import maximum

        widest = shapes[0]
        for other in shapes[1:]:
            widest = maximum(widest, other)
    else:
        widest = shapes[0]
    offset = convert_to_tensor(0, dtype=dtypes.int64)
    indices, values = [], []
    column = [1 if i == axis else 0 for i in range(rank)]
    column = convert_to_tensor(column, dtype=dtypes.int64)
    for sp, shape in zip(inputs, shapes):
        indices.append(sp.indices + expand_dims(column * offset, 0))
        values.append(sp.values)
        offset = offset + shape[axis]
    dense_shape = widest * (1 - column) + column * offset
    return reorder(SparseTensor(concat(indices, 0), concat(values, 0), dense_shape))


def reduce_sum_sparse(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """``reduce_sum`` of the dense value (a dense result, or sparse if asked)."""
    result = reduce_sum(to_dense(_sparse(sp_input, "reduce_sum")), axis=axis,
                        keepdims=bool(keepdims))
    return from_dense(result) if output_is_sparse else result


def reduce_max_sparse(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """The maximum over the *stored* entries (positions with none reduce to 0)."""
    sp = _sparse(sp_input, "reduce_max")
    lowest = sp.dtype.min
    dense = to_dense(sp, default_value=lowest)
    result = reduce_max(dense, axis=axis, keepdims=bool(keepdims))
    from fluxion.core.primitives.elementwise import select

    result = select(equal(result, result * 0 + lowest), result * 0, result)
    return from_dense(result) if output_is_sparse else result


def expand_dims_sparse(sp_input, axis=None, name=None) -> SparseTensor:
    """Inserts a dimension of size 1 at ``axis``."""
    sp = _sparse(sp_input, "expand_dims")
    rank = sp.indices.shape[1]
    axis = int(axis if axis is not None else -1)
    axis = axis + rank + 1 if axis < 0 else axis
    n = shape_op(sp.indices, dtypes.int64)[:1]
    zeros = fill(concat([n, convert_to_tensor([1], dtype=dtypes.int64)], 0),
                 convert_to_tensor(0, dtype=dtypes.int64))
    indices = concat([sp.indices[:, :axis], zeros, sp.indices[:, axis:]], 1)
    one = convert_to_tensor([1], dtype=dtypes.int64)
    shape = concat([sp.dense_shape[:axis], one, sp.dense_shape[axis:]], 0)
    return SparseTensor(indices, sp.values, shape)


def eye(num_rows, num_columns=None, dtype=dtypes.float32, name=None) -> SparseTensor:
    """The sparse identity matrix ``[num_rows, num_columns]``."""
    from fluxion.ops.creation_ops import ones
    from fluxion.ops.creation_ops import range as range_op
    from fluxion.ops.math_ops import minimum

    rows = cast(convert_to_tensor(num_rows), dtypes.int64)
    cols = rows if num_columns is None else cast(convert_to_tensor(num_columns), dtypes.int64)
    diagonal = range_op(minimum(rows, cols), dtype=dtypes.int64)
    return SparseTensor(stack([diagonal, diagonal], axis=1),
                        ones(shape_op(diagonal), dtype), stack([rows, cols]))


def fill_empty_rows(sp_input, default_value, name=None):
    """Adds ``default_value`` at ``[row, 0, ...]`` of every row with no entry.

    Returns ``(sp_output, empty_row_indicator)``.
    """
    from fluxion.ops.creation_ops import ones, zeros

    sp = _sparse(sp_input, "fill_empty_rows")
    rows = sp.dense_shape[0]
    counts = unsorted_segment_sum(ones(shape_op(sp.values), dtypes.int32), sp.indices[:, 0],
                                  rows)
    empty = equal(counts, 0)
    empty_rows = cast(where_indices(empty), dtypes.int64)
    rank = sp.indices.shape[1]
    pad = zeros(stack([shape_op(empty_rows, dtypes.int64)[0],
                       convert_to_tensor(rank - 1, dtype=dtypes.int64)]), dtypes.int64)
    new_indices = concat([empty_rows, pad], 1)
    defaults = fill(shape_op(empty_rows)[:1], convert_to_tensor(default_value, dtype=sp.dtype))
    merged = reorder(SparseTensor(concat([sp.indices, new_indices], 0),
                                  concat([sp.values, defaults], 0), sp.dense_shape))
    return merged, empty


def map_values(op, *args, **kwargs) -> SparseTensor:
    """Applies ``op`` to the ``values`` of the SparseTensor arguments (same indices)."""
    sparse = [a for a in list(args) + list(kwargs.values()) if isinstance(a, SparseTensor)]
    if not sparse:
        raise ValueError("sparse.map_values: no SparseTensor among the arguments")
    first = sparse[0]

    def values(a):
        return a.values if isinstance(a, SparseTensor) else a

    result = op(*[values(a) for a in args], **{k: values(v) for k, v in kwargs.items()})
    return first.with_values(result)


def _union_op(a, b, fn, op: str) -> SparseTensor:
    a, b = _sparse(a, op), _sparse(b, op)
    union = _coalesce(concat([a.indices, b.indices], 0),
                      concat([a.values, b.values], 0) * 0, a.dense_shape)
    dense = fn(to_dense(a), to_dense(b))
    return SparseTensor(union.indices, gather_nd(dense, union.indices), a.dense_shape)


def maximum(sp_a, sp_b, name=None) -> SparseTensor:
    """Elementwise maximum over the union of the stored positions."""
    from fluxion.ops.math_ops import maximum as dense_maximum

    return _union_op(sp_a, sp_b, dense_maximum, "maximum")


def minimum(sp_a, sp_b, name=None) -> SparseTensor:
    """Elementwise minimum over the union of the stored positions."""
    from fluxion.ops.math_ops import minimum as dense_minimum

    return _union_op(sp_a, sp_b, dense_minimum, "minimum")


def reset_shape(sp_input, new_shape=None) -> SparseTensor:
    """The same entries with ``new_shape``, or the tightest shape holding them."""
    sp = _sparse(sp_input, "reset_shape")
    if new_shape is None:
        new_shape = reduce_max(sp.indices, axis=0) + 1
    return SparseTensor(sp.indices, sp.values, new_shape)


def transpose_sparse(sp_input, perm=None, name=None) -> SparseTensor:
    """Permutes the dimensions (reversed by default); entries are reordered row-major."""
    sp = _sparse(sp_input, "transpose")
    rank = sp.indices.shape[1]
    perm = list(range(rank))[::-1] if perm is None else [int(p) for p in perm]
    indices = transpose(gather(transpose(sp.indices, [1, 0]), perm), [1, 0])
    return reorder(SparseTensor(indices, sp.values, gather(sp.dense_shape, perm)))


def to_indicator(sp_input, vocab_size, name=None) -> Tensor:
    """A dense bool ``[..., vocab_size]`` tensor, True at each row's stored values."""
    from fluxion.ops.array_ops import tensor_scatter_nd_update
    from fluxion.ops.creation_ops import ones, zeros

    sp = _sparse(sp_input, "to_indicator")
    leading = sp.dense_shape[:-1]
    shape = concat([leading, reshape(cast(convert_to_tensor(vocab_size), dtypes.int64), [1])],
                   0)
    coords = concat([sp.indices[:, :-1], expand_dims(cast(sp.values, dtypes.int64), 1)], 1)
    return tensor_scatter_nd_update(zeros(shape, dtypes.bool_), coords,
                                    ones(shape_op(sp.values), dtypes.bool_))


def split(sp_input=None, num_split=None, axis=None, name=None) -> list:
    """Splits along ``axis`` into ``num_split`` pieces (the first ones one larger when
    the size does not divide evenly)."""
    sp = _sparse(sp_input, "split")
    size = int(sp.shape[axis])
    rank = sp.indices.shape[1]
    base, extra = divmod(size, int(num_split))
    pieces, start = [], 0
    for k in range(int(num_split)):
        width = base + (1 if k < extra else 0)
        begin = [0] * rank
        begin[axis] = start
        extent = [int(d) for d in sp.shape]
        extent[axis] = width
        pieces.append(slice_sparse(sp, begin, extent))
        start += width
    return pieces


def softmax(sp_input, name=None) -> SparseTensor:
    """Softmax over the stored entries of each innermost row (absent entries excluded)."""
    from fluxion.core.primitives.elementwise import exp
    from fluxion.ops.segment_ops import unsorted_segment_max

    sp = _sparse(sp_input, "softmax")
    row_shape = sp.dense_shape[:-1]
    row_sp = SparseTensor(sp.indices[:, :-1], sp.values, row_shape)
    rows = _product(row_shape)
    row = cast(linear_index(row_sp), dtypes.int32)
    peak = unsorted_segment_max(sp.values, row, rows)
    shifted = exp(sp.values - gather(peak, row))
    total = unsorted_segment_sum(shifted, row, rows)
    return sp.with_values(div(shifted, gather(total, row)))
