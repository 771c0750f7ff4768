"""Layout ops: ``pad``, ``tile``, ``reverse``, ``slice``, and ``bitcast`` (the same bytes
read as another dtype).

Constant padding and tiling are primitives (one NumPy call each; their adjoints are a
slice and a block sum).  Reflect/symmetric padding, reversal and slicing are
composites of static ``getitem`` and ``concat``, so their gradients come for free.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError, op_error
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.dynamic_shape import is_dynamic
from fluxion.core.primitives.indexing import encode_key, getitem_p
from fluxion.core.primitives.shape import _as_int_list, concat
from fluxion.core.shape_rules import normalize_axes
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple


# --- constant padding ---------------------------------------------------------------------------
def _pad_rule(x: Aval, paddings: tuple, constant_values) -> Aval:
    if len(paddings) != len(x.shape):
        raise ValueError(f"paddings must have one [before, after] pair per dimension: "
                         f"{len(x.shape)} for shape {list(x.shape)}, got {len(paddings)}")
    if any(lo < 0 or hi < 0 for lo, hi in paddings):
        raise ValueError(f"paddings must be non-negative, got {[list(p) for p in paddings]}")
    pairs = zip(x.shape, paddings, strict=True)
    shape = tuple(None if d is None else d + lo + hi for d, (lo, hi) in pairs)
    return Aval(shape, x.dtype)


def _pad_vjp(g, xs, out, paddings, constant_values):
    key = tuple(slice(lo, -hi if hi else None) for lo, hi in paddings)
    return (bind(getitem_p, g, key=encode_key(key)),)


def _pad_kernel(x, paddings, constant_values):
    # np.full plus one slice assignment is several times faster than np.pad.
    shape = tuple(d + lo + hi for d, (lo, hi) in zip(x.shape, paddings, strict=True))
    out = np.full(shape, constant_values, dtype=x.dtype)
    out[tuple(slice(lo, lo + d) for d, (lo, _) in zip(x.shape, paddings, strict=True))] = x
    return out


pad_constant_p = define("pad", _pad_kernel, _pad_rule, _pad_vjp)


def _paddings(paddings, rank: int) -> tuple:
    if isinstance(paddings, (list, tuple)) and len(paddings) == rank and all(
            type(p) in (list, tuple) and len(p) == 2 and type(p[0]) is int and type(p[1]) is int
            and p[0] >= 0 and p[1] >= 0 for p in paddings):
        return tuple((p[0], p[1]) for p in paddings)  # the common case, checked cheaply
    values = np.asarray(paddings._value if isinstance(paddings, Tensor) else paddings)
    if values.shape != (rank, 2):
        raise ValueError(f"pad: paddings must have shape [{rank}, 2] (one [before, after] pair "
                         f"per dimension of the input), got shape {list(values.shape)}")
    if values.size and (values.dtype.kind not in "iu" or values.min() < 0):
        raise ValueError(f"pad: paddings must be non-negative integers, got {values.tolist()}")
    return tuple((int(lo), int(hi)) for lo, hi in values)


def pad(tensor, paddings, mode: str = "CONSTANT", constant_values=0) -> Tensor:
    """Pads ``tensor`` as ``tf.pad``: modes CONSTANT, REFLECT and SYMMETRIC."""
    tensor = convert_to_tensor(tensor)
    shape = shape_tuple(tensor)
    pairs = _paddings(paddings, len(shape))
    mode = str(mode).upper()
    if mode == "CONSTANT":
        if type(constant_values) is int and constant_values == 0:
            value = b"" if tensor.dtype is dtypes.string else 0  # TF pads strings with b""
        else:
            converted = convert_to_tensor(constant_values, dtype=tensor.dtype)
            if converted.ndim != 0:
                raise ValueError(f"pad: constant_values must be a scalar, got shape "
                                 f"{converted.shape}")
            value = converted._value.item()
        return bind(pad_constant_p, tensor, paddings=pairs, constant_values=value)
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise ValueError(f"pad: mode must be one of CONSTANT, REFLECT, SYMMETRIC, got {mode!r}")
    for axis, (lo, hi) in enumerate(pairs):
        if lo or hi:
            tensor = _mirror_pad_axis(tensor, axis, lo, hi, mode == "REFLECT")
    return tensor


def _mirror_pad_axis(x: Tensor, axis: int, lo: int, hi: int, reflect: bool) -> Tensor:
    n = shape_tuple(x)[axis]
    if n is None:
        return _mirror_pad_unknown_size(x, axis, lo, hi, reflect)
    limit = n - 1 if reflect else n
    if lo > limit or hi > limit:
        raise ValueError(f"pad: {'REFLECT' if reflect else 'SYMMETRIC'} paddings must be at "
                         f"most {limit} for dimension {axis} of size {n}, got [{lo}, {hi}]")
    skip = 1 if reflect else 0  # REFLECT leaves out the edge element, SYMMETRIC repeats it
    pieces = []
    if lo:
        pieces.append(_axis_slice(x, axis, slice(lo - 1 + skip, _stop(skip - 1), -1)))
    pieces.append(x)
    if hi:
        pieces.append(_axis_slice(x, axis, slice(n - 1 - skip, _stop(n - 1 - skip - hi), -1)))
    return concat(pieces, axis=axis)


def _mirror_pad_unknown_size(x: Tensor, axis: int, lo: int, hi: int, reflect: bool) -> Tensor:
    """Mirror padding of an axis whose size is known only when it runs: the mirrored
    pieces are sliced from the start and from the end, and the paddings are checked
    against the size then, as eagerly."""
    from fluxion.core.primitives.runtime_check import ShapeCheck, require

    skip = 1 if reflect else 0
    x = require("pad", ShapeCheck.of("mirror_padding_fits", axis=axis, lo=int(lo), hi=int(hi),
                                     reflect=bool(reflect)), x)
    pieces = []
    if lo:
        pieces.append(_axis_slice(x, axis, slice(lo - 1 + skip, _stop(skip - 1), -1)))
    pieces.append(x)
    if hi:  # counted from the end; a stop before the first element reaches it
        pieces.append(_axis_slice(x, axis, slice(-1 - skip, -1 - skip - hi, -1)))
    return concat(pieces, axis=axis)


def _stop(index: int):
    """A reversed slice's stop: ``-1`` would wrap around, so it means "to the start"."""
    return None if index < 0 else index


def _axis_slice(x: Tensor, axis: int, item: slice) -> Tensor:
    key = (slice(None),) * axis + (item,)
    return bind(getitem_p, x, key=encode_key(key))


# --- tile ---------------------------------------------------------------------------------------
def _tile_rule(x: Aval, multiples: tuple) -> Aval:
    if len(multiples) != len(x.shape):
        raise ValueError(f"multiples must have one entry per dimension ({len(x.shape)} for "
                         f"shape {list(x.shape)}), got {list(multiples)}")
    if any(m < 0 for m in multiples):
        raise ValueError(f"multiples must be non-negative, got {list(multiples)}")
    pairs = zip(x.shape, multiples, strict=True)
    return Aval(tuple(None if d is None else d * m for d, m in pairs), x.dtype)


def _tile_grad_kernel(g, like, multiples):
    blocks = []
    for m, d in zip(multiples, like.shape, strict=False):
        blocks += [m, d]
    summed = g.reshape(blocks).sum(axis=tuple(range(0, len(blocks), 2)))
    return summed.astype(g.dtype, copy=False)


tile_p = define("tile", lambda x, multiples: np.tile(x, multiples), _tile_rule,
                lambda g, xs, out, multiples: (bind(tile_grad_p, g, xs[0],
                                                    multiples=multiples),))
tile_grad_p = define(
    "tile_grad", _tile_grad_kernel, lambda g, like, multiples: Aval(like.shape, g.dtype),
    lambda gg, xs, out, multiples: (bind(tile_p, gg, multiples=multiples), None),
    shape_only=(1,))


def tile(input, multiples) -> Tensor:
    """``input`` repeated ``multiples[i]`` times along each axis ``i`` (``tf.tile``)."""
    input = convert_to_tensor(input)
    multiples = tuple(_as_int_list(multiples))
    rank = len(shape_tuple(input))
    if len(multiples) != rank:  # NumPy would pad the shape; TF refuses
        raise op_error(InvalidArgumentError, "tile",
                       f"multiples must have one entry per dimension ({rank} for shape "
                       f"{list(shape_tuple(input))}), got {list(multiples)}")
    return bind(tile_p, input, multiples=multiples)


# --- reverse and slice (composites of getitem) ------------------------------------------------
def reverse(tensor, axis) -> Tensor:
    """``tensor`` with the order of elements along each of ``axis`` reversed."""
    tensor = convert_to_tensor(tensor)
    rank = len(shape_tuple(tensor))
    axes = normalize_axes(_as_int_list(axis), rank)
    if not axes:
        return tensor
    key = tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(rank))
    return bind(getitem_p, tensor, key=encode_key(key))


def slice_(input_, begin, size) -> Tensor:
    """The block of ``input_`` starting at ``begin`` of extent ``size`` (-1: to the end)."""
    input_ = convert_to_tensor(input_)
    shape = shape_tuple(input_)
    if is_dynamic(begin) or is_dynamic(size):  # traced bounds: x[b0:b0 + s0, ...]
        return _slice_run_time(input_, begin, size)
    begin, size = _as_int_list(begin), _as_int_list(size)
    if len(begin) != len(shape) or len(size) != len(shape):
        raise ValueError(f"slice: begin and size need one entry per dimension ({len(shape)} "
                         f"for shape {list(shape)}), got begin={begin}, size={size}")
    key = []
    for axis, (start, extent, dim) in enumerate(zip(begin, size, shape, strict=False)):
        stop = dim if extent == -1 else start + extent
        if start < 0 or extent < -1 or (dim is not None and (start > dim or stop > dim)):
            raise ValueError(f"slice: begin {start} with size {extent} is out of range for "
                             f"dimension {axis} of shape {list(shape)}")
        key.append(slice(start, None if extent == -1 else stop))
    if None in shape:  # unknown extents: the block must fit when it runs, as eagerly
        from fluxion.core.primitives.runtime_check import ShapeCheck, require

        input_ = require("slice", ShapeCheck.of("block_fits", begin=tuple(begin),
                                                 size=tuple(size)), input_)
    return bind(getitem_p, input_, key=encode_key(tuple(key)))


def _slice_run_time(input_: Tensor, begin, size) -> Tensor:
    """``slice`` where ``begin`` or ``size`` holds traced values (dynamic_indexing)."""
    from fluxion.core.primitives.elementwise import add, less, select
    from fluxion.core.primitives.subscript import getitem

    rank = len(shape_tuple(input_))
    begin = [begin[i] for i in range(rank)] if isinstance(begin, Tensor) else list(begin)
    size = [size[i] for i in range(rank)] if isinstance(size, Tensor) else list(size)
    if len(begin) != rank or len(size) != rank:
        raise ValueError(f"slice: begin and size need one entry per dimension ({rank}), got "
                         f"{len(begin)} and {len(size)}")
    key = []
    for start, extent in zip(begin, size, strict=True):
        if isinstance(extent, Tensor) and extent._value is None:
            # whether it is -1 (to the end) is known only at run time
            stop = select(less(extent, 0), _past_the_end(extent), add(start, extent))
        elif int(extent) == -1:
            stop = None
        else:
            stop = add(start, int(extent)) if isinstance(start, Tensor) else start + int(extent)
        key.append(slice(start, stop))
    return getitem(input_, tuple(key))


def _past_the_end(like: Tensor) -> Tensor:
    """A stop past any axis end, in ``like``'s integer dtype (slices clip it)."""
    return convert_to_tensor(np.iinfo(like.dtype.np_dtype).max, dtype=like.dtype)


def _bitcast_kernel(x, dtype):
    target = dtype.np_dtype
    if target.itemsize == x.dtype.itemsize:
        return x.view(target)
    if target.itemsize < x.dtype.itemsize:
        return np.ascontiguousarray(x).view(target).reshape(
            *x.shape, x.dtype.itemsize // target.itemsize)
    return np.ascontiguousarray(x).view(target).reshape(x.shape[:-1])


def _bitcast_rule(x: Aval, dtype) -> Aval:
    mine, theirs = x.dtype.size, dtype.size
    if mine == theirs:
        return Aval(x.shape, dtype)
    if theirs < mine:
        return Aval((*x.shape, mine // theirs), dtype)
    if not x.shape or x.shape[-1] not in (None, theirs // mine):
        raise ValueError(f"bitcast: to go from {x.dtype.name} to {dtype.name} the last "
                         f"dimension must be {theirs // mine}, got shape {list(x.shape)}")
    return Aval(x.shape[:-1], dtype)


bitcast_p = define("bitcast", _bitcast_kernel, _bitcast_rule,
                   doc="Reinterprets the bytes of a tensor as another dtype.")
