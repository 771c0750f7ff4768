"""Shape primitives: reshape, transpose, broadcast_to, concat, and the composites on them.

``expand_dims``, ``squeeze`` and ``stack`` are composites of reshape and concat; their
gradients come for free.  Shape attributes are plain tuples; ``reshape`` accepts one
``-1``, resolved by the shape rule when the other dimensions are known.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.broadcast import sum_to_like
from fluxion.core.primitives.creation import shape_p
from fluxion.core.primitives.dynamic_shape import (
    broadcast_dynamic_p,
    is_dynamic,
    reshape_dynamic_p,
    reshape_like,
)
from fluxion.core.primitives.elementwise import cast, conj
from fluxion.core.primitives.indexing import encode_key, getitem_p
from fluxion.core.primitives.known_shape_values import known_dims, known_values
from fluxion.core.primitives.runtime_check import ShapeCheck, require
from fluxion.core.shape_rules import broadcast_shapes, normalize_axis, num_elements
from fluxion.core.tensor import Tensor, convert_to_tensor, set_tensor_list_packer, shape_tuple


# --- reshape ------------------------------------------------------------------------------
def _reshape_rule(x: Aval, shape: tuple) -> Aval:
    known = num_elements(x.shape)
    if shape.count(-1) > 1:
        raise ValueError(f"only one dimension of the new shape may be -1, got {list(shape)}")
    if -1 in shape:
        rest = num_elements(tuple(d for d in shape if d != -1))
        if known is None or rest is None:
            out = tuple(None if d == -1 else d for d in shape)
        elif rest == 0 or known % rest:
            raise ValueError(f"cannot reshape a tensor of shape {list(x.shape)} "
                             f"({known} elements) into shape {list(shape)}")
        else:
            out = tuple(known // rest if d == -1 else d for d in shape)
    else:
        out = tuple(shape)
        wanted = num_elements(out)
        if known is not None and wanted is not None and known != wanted:
            raise ValueError(f"cannot reshape a tensor of {known} elements (shape "
                             f"{list(x.shape)}) into shape {list(shape)} ({wanted} elements)")
    return Aval(out, x.dtype)


def _reshape_vjp(g, xs, out, shape):
    return (reshape_like(g, xs[0]),)


reshape_p = define("reshape", lambda x, shape: x.reshape(shape), _reshape_rule, _reshape_vjp)


def reshape(tensor, shape, name=None) -> Tensor:
    """``tensor`` with the same elements in a new ``shape`` (one entry may be -1).

    >>> import fluxion as tf
    >>> tf.reshape(tf.range(6), [2, -1]).shape
    TensorShape([2, 3])
    """
    tensor = convert_to_tensor(tensor)
    if is_dynamic(shape):  # a traced shape tensor: the target is known at run time
        return reshape_dynamic(tensor, shape)
    shape = tuple(int(d) for d in _as_int_list(shape))
    return bind(reshape_p, tensor, shape=shape)


# --- shapes known at run time (a traced shape tensor) -----------------------------------
def shape_tensor(shape) -> tuple[Tensor, tuple]:
    """The shape as one int tensor, and the dims known statically (None where unknown)."""
    if isinstance(shape, Tensor):  # tf.shape(x), or built from it: keep what is known
        return shape, known_dims(shape) or ()
    pieces, static = [], []
    for d in shape:
        if isinstance(d, Tensor):
            pieces.append(cast(d, dtypes.int64) if d.dtype is not dtypes.int64 else d)
            known = known_values(d)
            static.append(known if isinstance(known, int) and known >= 0 else None)
        else:
            pieces.append(convert_to_tensor(int(d), dtype=dtypes.int64))
            static.append(int(d) if int(d) >= 0 else None)
    return stack(pieces), tuple(static)


def reshape_dynamic(x: Tensor, shape) -> Tensor:
    """``x`` reshaped to a shape known only at run time (a list holding traced tensors)."""
    tensor, static = shape_tensor(shape)
    return bind(reshape_dynamic_p, x, tensor, static=static)


def broadcast_to_dynamic(x: Tensor, shape) -> Tensor:
    """``x`` broadcast to a shape known only at run time."""
    tensor, static = shape_tensor(shape)
    return bind(broadcast_dynamic_p, x, tensor, static=static)


def _as_int_list(shape) -> list:
    if isinstance(shape, Tensor):
        return [int(d) for d in np.asarray(shape._value).reshape(-1)]
    if isinstance(shape, (int, np.integer)):
        return [int(shape)]
    return [int(d) if not isinstance(d, Tensor) else int(d._value) for d in shape]


# --- transpose ----------------------------------------------------------------------------
def _transpose_rule(x: Aval, perm: tuple) -> Aval:
    if sorted(perm) != list(range(len(x.shape))):
        raise ValueError(f"perm {list(perm)} is not a permutation of the {len(x.shape)} axes "
                         f"of a tensor of shape {list(x.shape)}")
    return Aval(tuple(x.shape[p] for p in perm), x.dtype)


def _transpose_vjp(g, xs, out, perm):
    return (bind(transpose_p, g, perm=tuple(int(i) for i in np.argsort(perm))),)


transpose_p = define("transpose", lambda x, perm: np.transpose(x, perm), _transpose_rule,
                     _transpose_vjp)


def transpose(a, perm=None, conjugate=False, name="transpose") -> Tensor:
    """Permutes the axes of ``a`` (reverses them when ``perm`` is None).

    >>> import fluxion as tf
    >>> tf.transpose(tf.zeros([2, 3, 4]), [2, 0, 1]).shape
    TensorShape([4, 2, 3])
    """
    a = convert_to_tensor(a)
    if conjugate:
        a = conj(a)
    rank = len(shape_tuple(a))
    perm = tuple(reversed(range(rank))) if perm is None else tuple(
        normalize_axis(p, rank) for p in _as_int_list(perm))
    return bind(transpose_p, a, perm=perm)


# --- broadcast_to ---------------------------------------------------------------------------
def _broadcast_to_rule(x: Aval, shape: tuple) -> Aval:
    out = broadcast_shapes(x.shape, shape)
    if len(out) != len(shape) or any(o is not None and o != t for o, t in zip(out, shape)):
        raise ValueError(f"cannot broadcast a tensor of shape {list(x.shape)} to "
                         f"shape {list(shape)}")
    return Aval(tuple(shape), x.dtype)


broadcast_to_p = define("broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
                        _broadcast_to_rule, lambda g, xs, out, shape: (sum_to_like(g, xs[0]),),
                        identity_when_same_shape=True)


def broadcast_to(input, shape, name=None) -> Tensor:
    """``input`` broadcast to ``shape`` with NumPy's rules.

    >>> import fluxion as tf
    >>> tf.broadcast_to([1, 2], [3, 2]).shape
    TensorShape([3, 2])
    """
    input = convert_to_tensor(input)
    if is_dynamic(shape):
        return broadcast_to_dynamic(input, shape)
    return bind(broadcast_to_p, input, shape=tuple(_as_int_list(shape)))


# --- concat -----------------------------------------------------------------------------------
def _concat_rule(*xs: Aval, axis: int) -> Aval:
    rank = len(xs[0].shape)
    dtype = xs[0].dtype
    total = 0
    for x in xs:
        if len(x.shape) != rank:
            raise ValueError("all inputs must have the same rank, got shapes "
                             + ", ".join(str(list(a.shape)) for a in xs))
        if x.dtype is not dtype:
            raise TypeError("all inputs must have one dtype, got "
                            + ", ".join(a.dtype.name for a in xs))
        total = None if total is None or x.shape[axis] is None else total + x.shape[axis]
    out = []
    for i in range(rank):
        if i == axis:
            out.append(total)
            continue
        dims = {x.shape[i] for x in xs if x.shape[i] is not None}
        if len(dims) > 1:
            raise ValueError(f"dimension {i} must match in all inputs (all but the concat "
                             f"axis {axis}), got shapes "
                             + ", ".join(str(list(a.shape)) for a in xs))
        out.append(dims.pop() if dims else None)
    return Aval(tuple(out), dtype)


def _concat_vjp(g, xs, out, axis):
    sizes = [shape_tuple(x)[axis] for x in xs]
    if None in sizes:  # traced with unknown sizes: slice by run-time sizes
        return tuple(split_like(g, list(xs), axis))
    return tuple(split_sizes(g, sizes, axis))


concat_p = define("concat", lambda *xs, axis: np.concatenate(xs, axis=axis), _concat_rule,
                  _concat_vjp)


def _split_like_kernel(g, *parts, axis):
    sizes = [part.shape[axis] for part in parts]
    return tuple(np.split(g, np.cumsum(sizes)[:-1], axis=axis))


def _split_like_rule(g: Aval, *parts: Aval, axis: int):
    return tuple(Aval(g.shape[:axis] + (part.shape[axis],) + g.shape[axis + 1:], g.dtype)
                 for part in parts)


def _split_like_vjp(gs, xs, out, axis):
    return (concat(list(gs), axis=axis),) + (None,) * (len(xs) - 1)


# The adjoint of concat when the pieces' sizes are known only at run time (traced).
split_like_p = define("split_like", _split_like_kernel, _split_like_rule, _split_like_vjp,
                      multiple_results=True)


def split_like(g: Tensor, parts: list, axis: int) -> list:
    """Splits ``g`` along ``axis`` into pieces as long as ``parts`` (run-time sizes)."""
    return list(bind(split_like_p, g, *parts, axis=axis))


def concat(values, axis, name="concat") -> Tensor:
    """Joins ``values`` (same rank and dtype) along an existing ``axis``.

    >>> import fluxion as tf
    >>> tf.concat([tf.zeros([2, 3]), tf.ones([1, 3])], axis=0).shape
    TensorShape([3, 3])
    """
    values = [convert_to_tensor(v) for v in values]
    if not values:
        raise ValueError("concat needs at least one tensor")
    axis = normalize_axis(int(axis), len(shape_tuple(values[0])))
    if len(values) == 1:
        return values[0]
    return bind(concat_p, *values, axis=axis)


# --- split into static sizes (the adjoint of concat) -------------------------------------------
def _split_rule(x: Aval, sizes: tuple, axis: int):
    if x.shape[axis] is not None and sum(sizes) != x.shape[axis]:
        raise ValueError(f"split sizes {list(sizes)} must add up to dimension {axis} of "
                         f"shape {list(x.shape)} ({x.shape[axis]})")
    return tuple(Aval(x.shape[:axis] + (s,) + x.shape[axis + 1:], x.dtype) for s in sizes)


def _split_kernel(x, sizes, axis):
    return tuple(np.split(x, np.cumsum(sizes)[:-1], axis=axis))


def _split_vjp(gs, xs, out, sizes, axis):
    return (concat(list(gs), axis=axis),)


split_p = define("split", _split_kernel, _split_rule, _split_vjp, multiple_results=True)


def split_sizes(x: Tensor, sizes: list, axis: int) -> list:
    return list(bind(split_p, x, sizes=tuple(int(s) for s in sizes), axis=axis))


# --- composites ----------------------------------------------------------------------------------
def expand_dims(input, axis, name=None) -> Tensor:
    """Inserts a dimension of size 1 at ``axis`` (negative counts from the end).

    >>> import fluxion as tf
    >>> tf.expand_dims(tf.zeros([2, 3]), -1).shape
    TensorShape([2, 3, 1])
    """
    input = convert_to_tensor(input)
    shape = list(shape_tuple(input))
    axis = int(axis)
    if not -len(shape) - 1 <= axis <= len(shape):
        raise ValueError(f"expand_dims: axis {axis} is out of range for a tensor of rank "
                         f"{len(shape)} (expected {-len(shape) - 1} <= axis <= {len(shape)})")
    axis = axis % (len(shape) + 1)
    return _reshape_known(input, shape[:axis] + [1] + shape[axis:])


def squeeze(input, axis=None, name=None) -> Tensor:
    """Removes dimensions of size 1 (all of them, or those in ``axis``).

    >>> import fluxion as tf
    >>> tf.squeeze(tf.zeros([1, 2, 1])).shape
    TensorShape([2])
    """
    input = convert_to_tensor(input)
    shape = list(shape_tuple(input))
    if axis is None:
        axes = [i for i, d in enumerate(shape) if d == 1]
    else:
        axes = [normalize_axis(a, len(shape)) for a in _as_int_list(axis)]
        for a in axes:
            if shape[a] not in (1, None):
                raise ValueError(f"squeeze: cannot squeeze dimension {a} of shape {shape}: "
                                 f"its size is {shape[a]}, not 1")
    if any(shape[a] is None for a in axes):  # unknown size-1 axes: index them away
        if axis is not None:  # the sizes must be 1 when it runs, as eagerly
            input = require("squeeze", ShapeCheck.of("sizes_are_one", axes=tuple(axes)),
                            input)
        key = tuple(0 if i in axes else slice(None) for i in range(len(shape)))
        return bind(getitem_p, input, key=encode_key(key))
    return _reshape_known(input, [d for i, d in enumerate(shape) if i not in axes])


def _reshape_known(x: Tensor, shape: list) -> Tensor:
    if shape.count(None) <= 1:
        return bind(reshape_p, x, shape=tuple(-1 if d is None else d for d in shape))
    # Several unknown dimensions (traced): reshape to the run-time shape instead.
    dims = bind(shape_p, x, out_type=dtypes.int32)
    known = list(shape_tuple(x))
    pieces, source = [], 0
    for d in shape:
        if d is None:  # the next unknown dimension of x, in order
            while known[source] is not None:
                source += 1
            pieces.append(dims[source])
            source += 1
        else:
            pieces.append(d)
    return reshape_dynamic(x, pieces)


def _stack_rows(x: Tensor, axis: int) -> Tensor:
    rank = len(shape_tuple(x))
    if rank == 0:
        raise ValueError("stack: a scalar tensor is not a list of tensors")
    axis = normalize_axis(axis, rank)
    if axis == 0:
        return x
    perm = list(range(1, rank))
    perm.insert(axis, 0)
    return transpose(x, perm)


def stack(values, axis=0, name="stack") -> Tensor:
    """Joins same-shaped ``values`` along a new ``axis``.

    >>> import fluxion as tf
    >>> tf.stack([tf.zeros([3]), tf.ones([3])], axis=1).shape
    TensorShape([3, 2])
    """
    if isinstance(values, Tensor) or hasattr(values, "_read_for_op"):
        # TF: a tensor is the list of its rows; stacking them again moves axis 0 to `axis`.
        return _stack_rows(convert_to_tensor(values), axis)
    values = [convert_to_tensor(v) for v in values]
    if not values:
        raise ValueError("stack needs at least one tensor")
    shapes = {shape_tuple(v) for v in values}
    if len(shapes) > 1:
        raise ValueError("stack: all tensors must have the same shape, got "
                         + ", ".join(str(list(shape_tuple(v))) for v in values))
    rank = len(shape_tuple(values[0])) + 1
    axis = normalize_axis(int(axis), rank)
    return concat([expand_dims(v, axis) for v in values], axis=axis)


set_tensor_list_packer(stack)  # convert_to_tensor([t1, t2]) is tf.stack([t1, t2])


def unstack(value, num=None, axis=0, name="unstack") -> list:
    """Splits ``value`` along ``axis`` into a list of tensors of one rank less.

    >>> import fluxion as tf
    >>> [t.shape for t in tf.unstack(tf.zeros([2, 3]), axis=1)]
    [TensorShape([2]), TensorShape([2]), TensorShape([2])]
    """
    value = convert_to_tensor(value)
    shape = list(shape_tuple(value))
    if not shape:
        raise ValueError("unstack: the input must have rank at least 1, got a scalar")
    axis = normalize_axis(int(axis), len(shape))
    count = shape[axis]
    if count is None:
        if num is None:
            raise ValueError(f"unstack: cannot infer num from shape {shape}; pass num")
        count = int(num)
    elif num is not None and int(num) != count:
        raise ValueError(f"unstack: num={num} does not match dimension {axis} of shape "
                         f"{shape} ({count})")
    if shape[axis] is None:  # known only when it runs: checked then, as eagerly
        value = require("unstack", ShapeCheck.of("count_matches", axis=axis, count=count),
                        value)
    if count == 0:
        return []
    rest = shape[:axis] + shape[axis + 1:]
    return [_reshape_known(piece, rest) for piece in split_sizes(value, [1] * count, axis)]


def split(value, num_or_size_splits, axis=0, num=None, name="split") -> list:
    """Splits ``value`` along ``axis`` into ``num_or_size_splits`` equal parts, or into
    parts of the listed sizes (one of which may be -1: the rest).

    >>> import fluxion as tf
    >>> [t.shape for t in tf.split(tf.zeros([5, 2]), [2, -1])]
    [TensorShape([2, 2]), TensorShape([3, 2])]
    """
    value = convert_to_tensor(value)
    shape = shape_tuple(value)
    axis = normalize_axis(int(axis.numpy() if isinstance(axis, Tensor) else axis), len(shape))
    dim = shape[axis]
    splits = num_or_size_splits
    if isinstance(splits, Tensor) and splits.ndim == 0:
        splits = int(splits._value)
    if isinstance(splits, (int, np.integer)):
        count = int(splits)
        if count <= 0 or (dim is not None and dim % count):
            raise ValueError(f"split: dimension {axis} of shape {list(shape)} ({dim}) cannot "
                             f"be split into {count} equal parts")
        if dim is None:
            raise ValueError(f"split: dimension {axis} of shape {list(shape)} is unknown")
        return split_sizes(value, [dim // count] * count, axis)
    sizes = _as_int_list(splits)
    if num is not None and int(num) != len(sizes):
        raise ValueError(f"split: num={num} does not match {len(sizes)} size_splits")
    if sizes.count(-1) > 1 or any(s < -1 for s in sizes):
        raise ValueError(f"split: size_splits may hold one -1 and otherwise non-negative "
                         f"sizes, got {sizes}")
    if -1 in sizes:
        if dim is None:
            raise ValueError(f"split: cannot resolve -1 in {sizes}: dimension {axis} is unknown")
        rest = dim - (sum(sizes) + 1)
        if rest < 0:
            raise ValueError(f"split: sizes {sizes} exceed dimension {axis} of shape "
                             f"{list(shape)} ({dim})")
        sizes = [rest if s == -1 else s for s in sizes]
    if dim is not None and sum(sizes) != dim:
        raise ValueError(f"split: sizes {sizes} must add up to dimension {axis} of shape "
                         f"{list(shape)} ({dim})")
    if dim is None:  # known only when it runs: checked then, as eagerly
        value = require("split", ShapeCheck.of("sizes_add_up", axis=axis,
                                                       sizes=tuple(int(n) for n in sizes)),
                        value)
    return split_sizes(value, sizes, axis)
