"""``searchsorted``: where values would be inserted into sorted sequences (batched)."""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.sort import searchsorted_p
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["searchsorted"]


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
