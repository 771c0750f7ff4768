"""``searchsorted``: where values would be inserted into sorted sequences (batched)."""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["searchsorted"]


def _searchsorted_kernel(sequence, values, side, out_type):
    if sequence.ndim == 1:
        result = np.searchsorted(sequence, values, side=side)
    else:
        rows = sequence.reshape(-1, sequence.shape[-1])
        queries = values.reshape(-1, values.shape[-1])
        result = np.stack([np.searchsorted(r, q, side=side) for r, q in zip(rows, queries)]) \
            if rows.shape[0] else np.zeros(queries.shape, np.int64)
        result = result.reshape(values.shape)
    return result.astype(out_type.np_dtype)


def _searchsorted_rule(sequence: Aval, values: Aval, side, out_type) -> Aval:
    if sequence.dtype is not values.dtype:
        raise TypeError(f"searchsorted: sorted_sequence is {sequence.dtype.name} but values "
                        f"are {values.dtype.name}")
    if len(sequence.shape) != len(values.shape) and len(sequence.shape) != 1:
        raise ValueError(f"searchsorted: sorted_sequence of shape {list(sequence.shape)} and "
                         f"values of shape {list(values.shape)} must have the same rank")
    return Aval(values.shape, out_type)


searchsorted_p = define("searchsorted", _searchsorted_kernel, _searchsorted_rule,
                        doc="Insertion positions of values in sorted rows.")


def searchsorted(sorted_sequence, values, side="left", out_type=dtypes.int32,
                 name=None) -> Tensor:
    """For each value, the index where it would go in its row of ``sorted_sequence``.

    Args:
      sorted_sequence: ``[..., n]``, each innermost row sorted ascending.
      values: ``[..., m]`` with the same leading dimensions.
      side: ``"left"`` (first suitable position) or ``"right"`` (last).

    >>> import fluxion as tf
    >>> tf.searchsorted([0, 3, 9, 10], [2, 9, 11]).numpy()
    array([1, 2, 4], dtype=int32)
    """
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    sequence = convert_to_tensor(sorted_sequence)
    values = convert_to_tensor(values, dtype=sequence.dtype)
    return bind(searchsorted_p, sequence, values, side=side,
                out_type=dtypes.as_dtype(out_type))
