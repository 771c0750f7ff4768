"""Shape manipulation in ``tf.experimental.numpy``: ``reshape``, ``transpose``, ``stack``,
``split``, ``tile``, ``pad``, ``flip``, ``roll``, ``atleast_2d``...

NumPy's conventions: ``axis=None`` means the flattened array (``flip``, ``roll``:
every axis), ``split`` takes a section count or split *points*, ``tile`` accepts fewer
repeats than dimensions, ``reshape`` has an ``order`` ('C' or 'F').
"""

from __future__ import annotations

from fluxion.experimental.numpy import dtype_rules
from fluxion.experimental.numpy.conversion import asarray, broadcast_together, promote
from fluxion.ops import array_ops, creation_ops, nd_ops


def reshape(a, newshape, order="C"):
    """``a`` with a new shape (one entry may be -1), read in C or Fortran ``order``."""
    a = asarray(a)
    newshape = [newshape] if isinstance(newshape, int) else newshape
    if order == "C":
        return array_ops.reshape(a, newshape)
    if order != "F":
        raise ValueError(f"reshape: order must be 'C' or 'F', got {order!r}")
    flat = array_ops.reshape(transpose(a), [-1])
    return transpose(array_ops.reshape(flat, list(newshape)[::-1]))


def ravel(a):
    """The flattened array (row-major)."""
    return array_ops.reshape(asarray(a), [-1])


flatten = ravel


def transpose(a, axes=None):
    """``a`` with its axes permuted (reversed when ``axes`` is None)."""
    return nd_ops.transpose(asarray(a), perm=axes)


def swapaxes(a, axis1, axis2):
    """``a`` with two axes exchanged."""
    a = asarray(a)
    order = list(range(a.shape.rank))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return nd_ops.transpose(a, order)


def moveaxis(a, source, destination):
    """``a`` with axes ``source`` moved to positions ``destination`` (ints or lists)."""
    a = asarray(a)
    rank = a.shape.rank
    sources = [s % rank for s in ([source] if isinstance(source, int) else source)]
    targets = [d % rank for d in ([destination] if isinstance(destination, int)
                                  else destination)]
    if len(sources) != len(targets):
        raise ValueError(f"moveaxis: {len(sources)} source axes but {len(targets)} "
                         "destinations; give as many of each")
    order = [i for i in range(rank) if i not in sources]
    for target, source_axis in sorted(zip(targets, sources)):
        order.insert(target, source_axis)
    return nd_ops.transpose(a, order)


def expand_dims(a, axis):
    """``a`` with a new axis of length 1 at ``axis``."""
    return array_ops.expand_dims(asarray(a), axis)


def squeeze(a, axis=None):
    """``a`` without its length-1 axes (only ``axis`` when given)."""
    return array_ops.squeeze(asarray(a), axis=axis)


def broadcast_to(array, shape):
    """``array`` broadcast to ``shape``."""
    return creation_ops.broadcast_to(asarray(array), [shape] if isinstance(shape, int) else shape)


def broadcast_arrays(*args, subok=False):  # noqa: ARG001 - NumPy's signature
    """The arrays broadcast against each other."""
    return broadcast_together(*[asarray(arg) for arg in args])


def concatenate(arys, axis=0):
    """The arrays joined along an existing ``axis`` (flattened first when None)."""
    arrays = promote(*arys)
    if axis is None:
        arrays, axis = [array_ops.reshape(a, [-1]) for a in arrays], 0
    return array_ops.concat(arrays, axis)


def stack(arrays, axis=0):
    """The arrays joined along a new ``axis``."""
    return nd_ops.stack(promote(*arrays), axis=axis)


def _at_least(rank: int, array, new_shape):
    array = asarray(array)
    if array.shape.rank >= rank:
        return array
    return array_ops.reshape(array, new_shape(array))


def atleast_1d(*arys):
    """Each array with at least one dimension (a list when several are given)."""
    results = [_at_least(1, a, lambda x: [1]) for a in arys]
    return results[0] if len(results) == 1 else results


def atleast_2d(*arys):
    """Each array with at least two dimensions: 1-D ``(n,)`` becomes ``(1, n)``."""
    results = [_at_least(2, a, lambda x: [1, -1]) for a in arys]
    return results[0] if len(results) == 1 else results


def atleast_3d(*arys):
    """Each array with at least three dimensions: ``(n,)`` -> ``(1, n, 1)``, ``(m, n)``
    -> ``(m, n, 1)``."""

    def shape(x):
        return [1, -1, 1] if x.shape.rank <= 1 else x.shape.as_list() + [1]

    results = [_at_least(3, a, shape) for a in arys]
    return results[0] if len(results) == 1 else results


def hstack(tup):
    """Joined along the second axis (the first for 1-D arrays)."""
    arrays = [atleast_1d(a) for a in tup]
    return concatenate(arrays, axis=0 if arrays[0].shape.rank == 1 else 1)


def vstack(tup):
    """Joined along the first axis, 1-D arrays becoming rows."""
    return concatenate([atleast_2d(a) for a in tup], axis=0)


def dstack(tup):
    """Joined along the third axis (depth)."""
    return concatenate([atleast_3d(a) for a in tup], axis=2)


def append(arr, values, axis=None):
    """``values`` appended to ``arr`` along ``axis`` (both flattened when None)."""
    return concatenate([arr, values], axis=axis)


def split(ary, indices_or_sections, axis=0):
    """``ary`` cut into equal sections (an int) or at the given split points (a list)."""
    ary = asarray(ary)
    if isinstance(indices_or_sections, int):
        length = ary.shape[axis]
        if length is not None and length % indices_or_sections:
            raise ValueError(f"split: {length} elements along axis {axis} do not divide "
                             f"into {indices_or_sections} equal sections")
        return array_ops.split(ary, indices_or_sections, axis=axis)
    length = ary.shape[axis]
    points = [0] + [min(max(p if p >= 0 else p + length, 0), length)
                    for p in indices_or_sections] + [length]
    sizes = [max(end - start, 0) for start, end in zip(points[:-1], points[1:])]
    starts = points[:-1]
    pieces = []
    for start, size in zip(starts, sizes):
        begin = [0] * ary.shape.rank
        extent = [-1] * ary.shape.rank
        begin[axis], extent[axis] = min(start, length), size
        pieces.append(array_ops.slice(ary, begin, extent))
    return pieces


def hsplit(ary, indices_or_sections):
    """``split`` along the second axis (the first for 1-D arrays)."""
    ary = asarray(ary)
    return split(ary, indices_or_sections, axis=0 if ary.shape.rank == 1 else 1)


def vsplit(ary, indices_or_sections):
    """``split`` along the first axis."""
    return split(ary, indices_or_sections, axis=0)


def dsplit(ary, indices_or_sections):
    """``split`` along the third axis."""
    return split(ary, indices_or_sections, axis=2)


def tile(a, reps):
    """``a`` repeated ``reps`` times per axis; ranks are matched by prepending 1s."""
    a = asarray(a)
    reps = [reps] if isinstance(reps, int) else list(reps)
    rank = max(a.shape.rank, len(reps))
    a = array_ops.reshape(a, [1] * (rank - a.shape.rank) + a.shape.as_list()) \
        if a.shape.rank < rank else a
    return array_ops.tile(a, [1] * (rank - len(reps)) + reps)


def repeat(a, repeats, axis=None):
    """Each element repeated ``repeats`` times along ``axis`` (flattened when None)."""
    return array_ops.repeat(asarray(a), repeats, axis=axis)


def pad(array, pad_width, mode="constant", constant_values=0):
    """``array`` padded by ``pad_width`` ((before, after) per axis, or one pair / int).

    ``mode`` is 'constant', 'reflect' or 'symmetric'.
    """
    array = asarray(array)
    rank = array.shape.rank
    width = asarray(pad_width, "int64")
    width = creation_ops.broadcast_to(
        array_ops.reshape(width, [-1, 2]) if width.shape.rank else width, [rank, 2])
    mode = mode.upper()
    if mode not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect' or 'symmetric', "
                         f"got {mode.lower()!r}")
    fill = asarray(constant_values, dtype_rules.numpy_dtype(array.dtype))
    return array_ops.pad(array, width, mode=mode, constant_values=fill)


def flip(m, axis=None):
    """``m`` with the order of elements reversed along ``axis`` (every axis when None)."""
    m = asarray(m)
    axes = list(range(m.shape.rank)) if axis is None else \
        [axis] if isinstance(axis, int) else list(axis)
    return array_ops.reverse(m, axes)


def fliplr(m):
    """``m`` flipped left-right (second axis)."""
    return flip(m, 1)


def flipud(m):
    """``m`` flipped up-down (first axis)."""
    return flip(m, 0)


def rot90(m, k=1, axes=(0, 1)):
    """``m`` rotated by 90 degrees ``k`` times in the plane of ``axes``."""
    m = asarray(m)
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, axes[0]), axes[1])
    rotated = swapaxes(m, axes[0], axes[1])
    return flip(rotated, axes[0]) if k == 1 else flip(rotated, axes[1])


def roll(a, shift, axis=None):
    """Elements shifted by ``shift`` along ``axis`` (of the flattened array when None)."""
    a = asarray(a)
    if axis is None:
        flat = array_ops.reshape(a, [-1])
        return array_ops.reshape(array_ops.roll(flat, shift, 0), creation_ops.shape(a))
    return array_ops.roll(a, shift, axis)
