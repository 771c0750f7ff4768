"""``keras.ops`` shape manipulation and indexing: ``reshape``, ``transpose``,
``concatenate``, ``stack``, ``split``, ``tile``, ``pad``, ``flip``, ``roll``, ``take``,
``take_along_axis``, ``where``...

NumPy's conventions, not TensorFlow's: ``axis=None`` means the flattened array
(``take``, ``roll``, ``flip``: every axis), ``split`` takes split *points*, ``tile``
accepts fewer repeats than dimensions, negative indices count from the end.

>>> from fluxion.keras import ops
>>> ops.concatenate([ops.ones((1, 2), "int32"), ops.zeros((1, 2))]).dtype.name
'float32'
"""

from __future__ import annotations

from fluxion.keras.ops.promotion import export, promote, tensor
from fluxion.ops import array_ops, creation_ops, math_ops

__all__ = [
    "reshape", "transpose", "expand_dims", "squeeze", "ravel", "broadcast_to", "moveaxis",
    "swapaxes", "concatenate", "stack", "hstack", "vstack", "dstack", "append", "split",
    "array_split", "hsplit", "vsplit", "dsplit", "tile", "repeat", "pad", "flip", "fliplr",
    "flipud", "rot90", "roll", "take", "take_along_axis", "where", "nonzero", "select",
]


def reshape(x, newshape):
    """``x`` with a new shape (one entry may be -1)."""
    return array_ops.reshape(tensor(x), [newshape] if isinstance(newshape, int) else newshape)


def transpose(x, axes=None):
    """``x`` with its axes permuted (reversed when ``axes`` is None)."""
    return array_ops.transpose(tensor(x), None if axes is None else list(axes))


def expand_dims(x, axis):
    """``x`` with length-1 axes inserted at ``axis`` (an int or a tuple)."""
    x = tensor(x)
    if isinstance(axis, int):
        return array_ops.expand_dims(x, axis)
    rank = x.ndim + len(axis)
    for position in sorted(a % rank for a in axis):
        x = array_ops.expand_dims(x, position)
    return x


def squeeze(x, axis=None):
    """``x`` without its length-1 axes (only those in ``axis`` when given)."""
    x = tensor(x)
    if axis is not None and not isinstance(axis, int):
        axis = list(axis)
    elif isinstance(axis, int):
        axis = [axis]
    return array_ops.squeeze(x, axis=axis)


def ravel(x):
    """``x`` flattened to one dimension."""
    return array_ops.reshape(tensor(x), [-1])


def broadcast_to(x, shape):
    """``x`` broadcast to ``shape``."""
    return array_ops.broadcast_to(tensor(x), shape)


def moveaxis(x, source, destination):
    """``x`` with the axes ``source`` moved to positions ``destination``."""
    x = tensor(x)
    rank = x.ndim
    source = [source] if isinstance(source, int) else list(source)
    destination = [destination] if isinstance(destination, int) else list(destination)
    source = [a % rank for a in source]
    destination = [a % rank for a in destination]
    order = [a for a in range(rank) if a not in source]
    for dest, src in sorted(zip(destination, source, strict=True)):
        order.insert(dest, src)
    return array_ops.transpose(x, order)


def swapaxes(x, axis1: int, axis2: int):
    """``x`` with two axes exchanged."""
    x = tensor(x)
    perm = list(range(x.ndim))
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return array_ops.transpose(x, perm)


def concatenate(xs, axis: int = 0):
    """Joins tensors along an existing ``axis`` (the flattened tensors when None); mixed
    dtypes are promoted."""
    xs = promote(*xs)
    if axis is None:
        xs = [array_ops.reshape(x, [-1]) for x in xs]
        axis = 0
    return array_ops.concat(xs, axis=axis)


def stack(x, axis: int = 0):
    """Joins tensors along a new ``axis``; mixed dtypes are promoted."""
    return array_ops.stack(promote(*x), axis=axis)


def _at_least_2d(x):
    x = tensor(x)
    if x.ndim == 0:
        return array_ops.reshape(x, [1, 1])
    return array_ops.expand_dims(x, 0) if x.ndim == 1 else x


def hstack(xs):
    """Joins along the second axis (the first for 1-D inputs)."""
    xs = promote(*xs)
    return array_ops.concat(xs, axis=0 if xs[0].ndim == 1 else 1)


def vstack(xs):
    """Joins along the first axis, 1-D inputs as rows."""
    return array_ops.concat(promote(*[_at_least_2d(x) for x in xs]), axis=0)


def dstack(xs):
    """Joins along the third axis, inputs viewed as at least 3-D."""
    expanded = []
    for x in xs:
        x = tensor(x)
        if x.ndim == 0:
            x = array_ops.reshape(x, [1, 1, 1])
        elif x.ndim == 1:
            x = array_ops.reshape(x, [1, -1, 1])
        elif x.ndim == 2:
            x = array_ops.expand_dims(x, -1)
        expanded.append(x)
    return array_ops.concat(promote(*expanded), axis=2)


def append(x1, x2, axis=None):
    """``x2`` joined after ``x1`` along ``axis`` (both flattened when None)."""
    return concatenate([x1, x2], axis=axis)


def _dim(x, axis: int) -> int:
    size = x.shape[axis]
    if size is None:
        raise ValueError("split needs a known size along the split axis")
    return size


def split(x, indices_or_sections, axis: int = 0):
    """Splits ``x`` into equal sections (an int) or at the given indices (a list)."""
    x = tensor(x)
    if isinstance(indices_or_sections, int):
        return array_ops.split(x, indices_or_sections, axis=axis)
    size = _dim(x, axis)
    points = [0] + [p % (size + 1) if p < 0 else min(p, size) for p in indices_or_sections]
    points.append(size)
    sizes = [max(b - a, 0) for a, b in zip(points[:-1], points[1:], strict=True)]
    return array_ops.split(x, sizes, axis=axis)


def array_split(x, indices_or_sections, axis: int = 0):
    """Like ``split``, but ``n`` sections need not divide the axis evenly."""
    x = tensor(x)
    if not isinstance(indices_or_sections, int):
        return split(x, indices_or_sections, axis)
    size, count = _dim(x, axis), indices_or_sections
    base, extra = divmod(size, count)
    return array_ops.split(x, [base + 1] * extra + [base] * (count - extra), axis=axis)


def hsplit(x, indices_or_sections):
    """``split`` along the second axis (the first for 1-D)."""
    x = tensor(x)
    return split(x, indices_or_sections, axis=0 if x.ndim == 1 else 1)


def vsplit(x, indices_or_sections):
    """``split`` along the first axis."""
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    """``split`` along the third axis."""
    return split(x, indices_or_sections, axis=2)


def tile(x, repeats):
    """``x`` repeated ``repeats`` times along each axis (NumPy's rules for lengths)."""
    x = tensor(x)
    repeats = [repeats] if isinstance(repeats, int) else list(repeats)
    if len(repeats) > x.ndim:
        x = array_ops.reshape(x, [1] * (len(repeats) - x.ndim) + [
            -1 if d is None else d for d in x.shape])
    repeats = [1] * (x.ndim - len(repeats)) + repeats
    return array_ops.tile(x, repeats)


def repeat(x, repeats, axis=None):
    """Each element repeated ``repeats`` times along ``axis`` (the flattened ``x`` when
    None)."""
    return array_ops.repeat(tensor(x), repeats, axis=axis)


def _pad_pairs(pad_width, rank: int) -> list:
    if isinstance(pad_width, int):
        return [[pad_width, pad_width]] * rank
    pairs = [list(p) if isinstance(p, (list, tuple)) else [p, p] for p in pad_width]
    if len(pairs) == 2 and all(not isinstance(p, (list, tuple)) for p in pad_width):
        pairs = [list(pad_width)] * rank  # (before, after) for every axis
    pairs = [p * 2 if len(p) == 1 else p for p in pairs]
    if len(pairs) == 1:
        pairs = pairs * rank
    if len(pairs) != rank:
        raise ValueError(f"pad_width must give one (before, after) pair per axis: got "
                         f"{pad_width!r} for a tensor of rank {rank}")
    return pairs


def pad(x, pad_width, mode: str = "constant", constant_values=None):
    """Pads ``x``; ``mode`` is "constant", "reflect" or "symmetric"."""
    x = tensor(x)
    modes = {"constant": "CONSTANT", "reflect": "REFLECT", "symmetric": "SYMMETRIC"}
    if mode not in modes:
        raise ValueError(f"`mode` must be one of {sorted(modes)}. Received: mode={mode!r}")
    if constant_values is not None and mode != "constant":
        raise ValueError(f"`constant_values` is only allowed with mode='constant'. "
                         f"Received: mode={mode!r}")
    value = 0 if constant_values is None else constant_values
    return array_ops.pad(x, _pad_pairs(pad_width, x.ndim), mode=modes[mode],
                  constant_values=array_ops.cast(value, x.dtype))


def flip(x, axis=None):
    """``x`` reversed along ``axis`` (every axis when None)."""
    x = tensor(x)
    if axis is None:
        axis = list(range(x.ndim))
    return array_ops.reverse(x, [axis] if isinstance(axis, int) else list(axis))


def fliplr(x):
    """``x`` reversed along its second axis."""
    return flip(x, 1)


def flipud(x):
    """``x`` reversed along its first axis."""
    return flip(x, 0)


def rot90(array, k: int = 1, axes=(0, 1)):
    """``array`` rotated by 90 degrees ``k`` times, from the first of ``axes`` towards the
    second."""
    x = tensor(array)
    k %= 4
    if k == 0:
        return x
    if k == 2:
        return flip(x, list(axes))
    a, b = (axis % x.ndim for axis in axes)
    perm = list(range(x.ndim))
    perm[a], perm[b] = perm[b], perm[a]
    if k == 1:
        return array_ops.transpose(flip(x, b), perm)
    return flip(array_ops.transpose(x, perm), b)


def roll(x, shift, axis=None):
    """Elements shifted by ``shift`` along ``axis``, wrapping around (flattened when None)."""
    x = tensor(x)
    if axis is None:
        flat = array_ops.roll(array_ops.reshape(x, [-1]), shift, axis=0)
        return array_ops.reshape(flat, creation_ops.shape(x))
    return array_ops.roll(x, shift, axis=axis)


def _wrapped(indices, size):
    indices = tensor(indices)
    if not indices.dtype.is_integer:
        indices = array_ops.cast(indices, "int32")
    size = array_ops.cast(size, indices.dtype)
    return array_ops.where(indices < 0, indices + size, indices)


def take(x, indices, axis=None):
    """Elements of ``x`` at ``indices`` along ``axis`` (of the flattened ``x`` when None);
    negative indices count from the end."""
    x = tensor(x)
    if axis is None:
        x, axis = array_ops.reshape(x, [-1]), 0
    axis %= x.ndim
    return array_ops.gather(x, _wrapped(indices, creation_ops.shape(x)[axis]), axis=axis)


def take_along_axis(x, indices, axis=None):
    """``x`` gathered along ``axis`` at ``indices`` of the same rank; the other axes
    broadcast (as ``numpy.take_along_axis``)."""
    x = tensor(x)
    if axis is None:
        x, axis = array_ops.reshape(x, [-1]), 0
        indices = array_ops.reshape(tensor(indices), [-1])
    axis %= x.ndim
    indices = _wrapped(indices, creation_ops.shape(x)[axis])
    x_last, i_last = moveaxis(x, axis, -1), moveaxis(indices, axis, -1)
    # Broadcast the leading axes of both to a common shape, keeping each last axis, by
    # adding zeros shaped like the other's leading axes (works for unknown sizes too).
    i_last = i_last + creation_ops.zeros_like(x_last[..., :1], i_last.dtype)
    if x_last.dtype.is_bool:
        x_last = math_ops.logical_or(x_last, creation_ops.zeros_like(i_last[..., :1], "bool"))
    else:
        x_last = x_last + creation_ops.zeros_like(i_last[..., :1], x_last.dtype)
    result = array_ops.gather(x_last, i_last, axis=x.ndim - 1, batch_dims=x.ndim - 1)
    return moveaxis(result, -1, axis)


def where(condition, x1=None, x2=None):
    """``x1`` where ``condition`` holds, else ``x2`` (promoted, broadcast); with only a
    condition, the indices of its nonzero elements (as ``nonzero``)."""
    if x1 is None and x2 is None:
        return nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError(
            "`x1` and `x2` either both should be `None` or both should have non-None value."
        )
    condition = tensor(condition)
    if not condition.dtype.is_bool:
        condition = math_ops.not_equal(condition, creation_ops.zeros_like(condition))
    a, b = promote(x1, x2)
    return array_ops.where(condition, a, b)


def nonzero(x):
    """A tuple of index tensors, one per axis, of the nonzero elements of ``x``."""
    x = tensor(x)
    mask = x if x.dtype.is_bool else math_ops.not_equal(x, creation_ops.zeros_like(x))
    coordinates = array_ops.where(mask)
    return tuple(array_ops.unstack(coordinates, num=x.ndim, axis=1))


def select(condlist, choicelist, default=0):
    """The element of the first choice whose condition holds, else ``default``."""
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"condlist and choicelist must have the same length, got "
            f"{len(condlist)} and {len(choicelist)}"
        )
    *choices, default = promote(*choicelist, default)
    result = default
    for condition, choice in zip(reversed(condlist), reversed(choices), strict=True):
        condition = tensor(condition)
        if not condition.dtype.is_bool:
            condition = math_ops.not_equal(condition, creation_ops.zeros_like(condition))
        result = array_ops.where(condition, choice, result)
    return result


export(globals(), __all__)
