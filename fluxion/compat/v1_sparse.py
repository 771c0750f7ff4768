"""TF 1's ``sparse_*`` functions: ``tf.sparse`` ops under their TF 1 names and arguments
(``reduction_axes``, ``keep_dims``, ``split_dim``...), and ``sparse_placeholder``."""

from __future__ import annotations

import numpy as np

from fluxion.compat import root_namespace
from fluxion.compat.v1_ops import deprecated_alias
from fluxion.core import dtypes
from fluxion.core.tensor import convert_to_tensor
from fluxion.ops import sparse


def _sparse():
    return sparse


def sparse_add(a, b, threshold=None, thresh=None):
    """``tf.sparse.add``: sparse + sparse (or dense) with TF 1's ``thresh``."""
    threshold = deprecated_alias("threshold", threshold, "thresh", thresh)
    return _sparse().add(a, b, threshold=0 if threshold is None else threshold)


def sparse_concat(axis=None, sp_inputs=None, name=None, expand_nonconcat_dim=False, concat_dim=None,
                  expand_nonconcat_dims=None):
    """``tf.sparse.concat`` with TF 1's ``concat_dim`` and ``expand_nonconcat_dim``."""
    axis = deprecated_alias("axis", axis, "concat_dim", concat_dim)
    expand = deprecated_alias("expand_nonconcat_dims", expand_nonconcat_dims,
                              "expand_nonconcat_dim", expand_nonconcat_dim or None)
    return _sparse().concat(axis, sp_inputs, expand_nonconcat_dims=bool(expand))


def _v1_reduction(reduce, output_is_sparse: bool, name: str):
    def reduction(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
        axis = deprecated_alias("axis", axis, "reduction_axes", reduction_axes)
        keepdims = deprecated_alias("keepdims", keepdims, "keep_dims", keep_dims)
        return reduce(sp_input, axis=axis, keepdims=keepdims,
                      output_is_sparse=output_is_sparse)

    reduction.__name__ = reduction.__qualname__ = name
    reduction.__doc__ = (f"``tf.sparse.{reduce.__name__}`` (output "
                         f"{'sparse' if output_is_sparse else 'dense'}) with TF 1's "
                         f"``reduction_axes`` and ``keep_dims``.")
    return reduction


def _segment(op_name: str):
    def segment(data, indices, segment_ids, name=None, num_segments=None,
                sparse_gradient=False):
        return getattr(_sparse(), op_name)(data, indices, segment_ids,
                                           num_segments=num_segments)

    segment.__name__ = segment.__qualname__ = "sparse_" + op_name
    segment.__doc__ = f"``tf.sparse.{op_name}`` with TF 1's argument order."
    return segment


sparse_segment_mean = _segment("segment_mean")
sparse_segment_sqrt_n = _segment("segment_sqrt_n")
sparse_segment_sum = _segment("segment_sum")


def sparse_split(keyword_required=None, sp_input=None, num_split=None, axis=None, name=None,
                 split_dim=None):
    """``tf.sparse.split`` with TF 1's ``split_dim``; arguments by keyword."""
    axis = deprecated_alias("axis", axis, "split_dim", split_dim)
    return _sparse().split(sp_input=sp_input, num_split=num_split, axis=axis)


def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0,
                    validate_indices=True, name=None):
    """A dense tensor of ``output_shape`` holding ``sparse_values`` at ``sparse_indices``
    and ``default_value`` elsewhere (a scalar ``sparse_values`` fills every index).

    >>> import fluxion.compat.v1 as tf1
    >>> tf1.sparse_to_dense([[0, 1], [1, 0]], [2, 2], [5, 6]).numpy().tolist()
    [[0, 5], [6, 0]]
    """
    values = convert_to_tensor(sparse_values)
    indices = np.asarray(convert_to_tensor(sparse_indices).numpy(), np.int64)
    shape = [int(d) for d in np.asarray(convert_to_tensor(output_shape).numpy()).reshape(-1)]
    if indices.ndim < 2:
        indices = indices.reshape(-1, 1) if len(shape) == 1 else indices.reshape(1, -1)
    if values.shape.rank == 0:
        fluxion = root_namespace.root()
        values = fluxion.fill([indices.shape[0]], values)
    if validate_indices and len(indices):
        flat = np.ravel_multi_index(indices.T, shape)
        if np.any(np.diff(flat) <= 0):
            raise ValueError("sparse_to_dense: indices must be sorted in row-major order "
                             "and unique (pass validate_indices=False to allow any order)")
    sparse = _sparse().SparseTensor(indices, values, shape)
    return _sparse().to_dense(sparse, default_value=default_value, validate_indices=False)


def sparse_merge(sp_ids, sp_values, vocab_size, name=None, already_sorted=False):
    """A ``SparseTensor`` with ``sp_values`` at column ``sp_ids`` of each row: the last
    dimension becomes ``vocab_size`` (TF 1's ``sparse_merge`` of one id feature)."""
    sparse = _sparse()
    ids = np.asarray(sp_ids.values.numpy(), np.int64)
    rows = np.asarray(sp_ids.indices.numpy(), np.int64)[:, :-1]
    indices = np.concatenate([rows, ids[:, None]], axis=1)
    shape = list(np.asarray(sp_ids.dense_shape.numpy())[:-1]) + [int(vocab_size)]
    merged = sparse.SparseTensor(indices, sp_values.values, shape)
    return merged if already_sorted else sparse.reorder(merged)


def sparse_matmul(a, b, transpose_a=False, transpose_b=False, a_is_sparse=False,
                  b_is_sparse=False, name=None):
    """``a @ b`` of two float matrices (the ``*_is_sparse`` hints only choose TF 1's
    kernel; the product is the same)."""
    fluxion = root_namespace.root()
    return fluxion.matmul(fluxion.cast(a, dtypes.float32), fluxion.cast(b, dtypes.float32),
                          transpose_a=transpose_a, transpose_b=transpose_b)


def sparse_placeholder(dtype, shape=None, name=None):
    """A ``SparseTensor`` of placeholders (indices, values, dense shape) to feed with a
    ``SparseTensorValue`` (or a ``SparseTensor``) in ``Session.run``."""
    from fluxion.graph.v1.placeholder import placeholder

    known = None if shape is None else [None if d is None or d == -1 else int(d)
                                        for d in shape]
    rank = None if known is None else len(known)
    prefix = name or "Placeholder"
    indices = placeholder(dtypes.int64, [None, rank], name=f"{prefix}/indices")
    values = placeholder(dtype, [None], name=f"{prefix}/values")
    if known is not None and all(d is not None for d in known):
        dense_shape = convert_to_tensor(np.asarray(known, np.int64))
    else:
        dense_shape = placeholder(dtypes.int64, [rank], name=f"{prefix}/shape")
    return _sparse().SparseTensor(indices, values, dense_shape)


def _reduction_functions():
    sparse = _sparse()
    return {
        "sparse_reduce_max": _v1_reduction(sparse.reduce_max, False, "sparse_reduce_max"),
        "sparse_reduce_max_sparse": _v1_reduction(sparse.reduce_max, True,
                                                  "sparse_reduce_max_sparse"),
        "sparse_reduce_sum": _v1_reduction(sparse.reduce_sum, False, "sparse_reduce_sum"),
        "sparse_reduce_sum_sparse": _v1_reduction(sparse.reduce_sum, True,
                                                  "sparse_reduce_sum_sparse"),
    }


def __getattr__(name: str):
    functions = _reduction_functions()
    if name in functions:
        globals().update(functions)
        return functions[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
