"""Shared pieces of shape rules: broadcasting with unknown dimensions, axis handling.

Shape rules see ``Aval`` s (shape tuples whose entries may be ``None``) and must never
need data.  They raise ``ValueError`` with a message in the op's own terms; ``bind``
prefixes the op name and the user's line.
"""

from __future__ import annotations

from fluxion.core.dtypes import DType
from fluxion.core.primitive import Aval


def broadcast_shapes(*shapes: tuple) -> tuple:
    """NumPy broadcasting of shapes that may hold ``None`` (unknown) dimensions."""
    rank = max(len(s) for s in shapes)
    result = []
    for axis in range(-rank, 0):
        dims = [s[axis] for s in shapes if len(s) >= -axis]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError("Incompatible shapes for broadcasting: "
                             + " and ".join(str(list(s)) for s in shapes))
        if known:
            result.append(known.pop())
        elif any(d is None for d in dims):
            result.append(None)
        else:
            result.append(1)
    return tuple(result)


def same_dtype(op: str, *avals: Aval) -> DType:
    dtype = avals[0].dtype
    for aval in avals[1:]:
        if aval.dtype is not dtype:
            raise TypeError("expected inputs of one dtype, got "
                            + ", ".join(a.dtype.name for a in avals))
    return dtype


def normalize_axis(axis: int, rank: int, op: str = "") -> int:
    """Maps a possibly negative ``axis`` into ``range(rank)``, with a clear error."""
    if not -rank <= axis < rank:
        raise ValueError(f"axis {axis} is out of range for a tensor of rank {rank} "
                         f"(expected -{rank} <= axis < {rank})" if rank else
                         f"axis {axis} is out of range for a scalar (rank 0): it has no axes")
    return axis % rank


def normalize_axes(axis, rank: int) -> tuple:
    """``axis`` (None, int or sequence) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(rank))
    if isinstance(axis, int):
        axis = (axis,)
    axes = tuple(sorted({normalize_axis(int(a), rank) for a in axis}))
    return axes


def elementwise_rule(*avals: Aval, result_dtype: DType | None = None) -> Aval:
    """Shape rule of a broadcasting elementwise op whose inputs share one dtype."""
    dtype = same_dtype("", *avals)
    shape = broadcast_shapes(*(a.shape for a in avals))
    return Aval(shape, result_dtype or dtype)


def num_elements(shape: tuple):
    """The element count of ``shape``, or None if a dimension is unknown."""
    n = 1
    for d in shape:
        if d is None:
            return None
        n *= d
    return n
