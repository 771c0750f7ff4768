"""Indexing primitives: basic (static) slicing and its adjoint.

``getitem_p`` handles NumPy-style basic indexing with a static key: ints, slices with
steps, ``None`` (newaxis), ``Ellipsis``, negative indices.  Keys are encoded as hashable
tuples so graph passes can compare nodes.  ``subscript.getitem`` (the Tensor
``__getitem__``) picks this, run-time bounds (``dynamic_indexing``) or the ``gather`` /
``boolean_mask`` composites for tensor-valued and boolean-mask keys.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, bind, define
from fluxion.core.tensor import Tensor, convert_to_tensor

# --- encoding of a static key -------------------------------------------------------------
_SLICE = "slice"


def encode_key(key) -> tuple:
    """A hashable encoding of a basic-indexing key (slices become tagged tuples)."""
    if not isinstance(key, tuple):
        key = (key,)
    encoded = []
    for item in key:
        if isinstance(item, slice):
            encoded.append((_SLICE, _int_or_none(item.start), _int_or_none(item.stop),
                            _int_or_none(item.step)))
        elif item is None or item is Ellipsis:
            encoded.append(item)
        else:
            encoded.append(int(item))
    return tuple(encoded)


def decode_key(encoded: tuple) -> tuple:
    return tuple(slice(*item[1:]) if isinstance(item, tuple) else item for item in encoded)


def _int_or_none(value):
    if value is None:
        return None
    if isinstance(value, Tensor):
        value = value._value
    return int(value)


def is_basic_key(key) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    for item in items:
        if isinstance(item, (slice, type(None), type(Ellipsis))):
            continue
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            continue
        if isinstance(item, Tensor) and item.ndim == 0 and item.dtype.is_integer \
                and item._value is not None:  # a symbolic index is a gather
            continue
        return False
    return True


# --- shape rule -------------------------------------------------------------------------------
def _getitem_rule(x: Aval, key: tuple) -> Aval:
    items = list(key)
    n_index = sum(1 for i in items if i is not None and i is not Ellipsis)
    if items.count(Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if n_index > len(x.shape):
        raise IndexError(f"too many indices ({n_index}) for a tensor of rank {len(x.shape)}")
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at:at + 1] = [(_SLICE, None, None, None)] * (len(x.shape) - n_index)
    else:
        items += [(_SLICE, None, None, None)] * (len(x.shape) - n_index)
    out = []
    axis = 0
    for item in items:
        if item is None:
            out.append(1)
            continue
        dim = x.shape[axis]
        axis += 1
        if isinstance(item, tuple) and item[0] != _SLICE:
            continue  # an integer index known at run time (dynamic_indexing): axis dropped
        if isinstance(item, tuple):
            run_time = any(isinstance(part, tuple) for part in item[1:])  # traced bounds
            out.append(None if dim is None or run_time
                       else len(range(*slice(*item[1:]).indices(dim))))
        elif dim is not None and not -dim <= item < dim:
            raise IndexError(f"index {item} is out of bounds for axis {axis - 1} with size {dim}")
    return Aval(tuple(out), x.dtype)


def _getitem_kernel(x, key):
    return x[decode_key(key)]


def _getitem_vjp(g, xs, out, key):
    return (bind(getitem_grad_p, g, xs[0], key=key),)


def _getitem_grad_kernel(g, like, key):
    result = np.zeros(like.shape, dtype=g.dtype)
    result[decode_key(key)] = g
    return result


getitem_p = define("getitem", _getitem_kernel, _getitem_rule, _getitem_vjp)
getitem_grad_p = define(
    "getitem_grad", _getitem_grad_kernel, lambda g, like, key: Aval(like.shape, g.dtype),
    lambda gg, xs, out, key: (bind(getitem_p, gg, key=key), None), shape_only=(1,))


# --- strided_slice: TF's mask-encoded form of a basic key ---------------------------------------
def strided_slice_key(begin: list, end: list, strides: list, begin_mask: int = 0,
                      end_mask: int = 0, ellipsis_mask: int = 0, new_axis_mask: int = 0,
                      shrink_axis_mask: int = 0) -> tuple:
    """The basic-indexing key that ``tf.strided_slice``'s arguments describe.

    Bit ``i`` of each mask refers to entry ``i`` of the spec: ``ellipsis`` makes it
    ``...``, ``new_axis`` a ``None``, ``shrink_axis`` the integer ``begin[i]``; otherwise
    it is ``begin[i]:end[i]:strides[i]`` with ``begin_mask``/``end_mask`` leaving an end open.
    """
    if not len(begin) == len(end) == len(strides):
        raise ValueError(f"begin, end and strides must have the same length, got "
                         f"{len(begin)}, {len(end)} and {len(strides)}")
    if bin(ellipsis_mask).count("1") > 1:
        raise ValueError(f"only one ellipsis is allowed, got ellipsis_mask={ellipsis_mask}")
    key = []
    for i, (start, stop, step) in enumerate(zip(begin, end, strides, strict=False)):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            key.append(int(start))
        else:
            if step == 0:
                raise ValueError(f"strides must be non-zero, got {list(strides)}")
            key.append(slice(None if begin_mask & bit else int(start),
                             None if end_mask & bit else int(stop), int(step)))
    return tuple(key)


def strided_slice(input_, begin, end, strides=None, begin_mask: int = 0, end_mask: int = 0,
                  ellipsis_mask: int = 0, new_axis_mask: int = 0,
                  shrink_axis_mask: int = 0) -> Tensor:
    """``tf.strided_slice``: a basic NumPy slice given as begin/end/strides and bit masks."""
    input_ = convert_to_tensor(input_)
    begin, end = _int_list(begin), _int_list(end)
    strides = [1] * len(begin) if strides is None else _int_list(strides)
    key = strided_slice_key(begin, end, strides, int(begin_mask), int(end_mask),
                            int(ellipsis_mask), int(new_axis_mask), int(shrink_axis_mask))
    return bind(getitem_p, input_, key=encode_key(key))


def _int_list(values) -> list:
    if isinstance(values, Tensor):
        return [int(v) for v in np.asarray(values._value).reshape(-1)]
    return [int(v) for v in values]
