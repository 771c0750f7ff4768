"""Gather and scatter primitives, ``where`` (indices of true elements) and the composites
built on them: ``boolean_mask`` and NumPy-style advanced indexing (``advanced_getitem``).

The primitives come in adjoint pairs, so gradients of any order stay inside the family:

- ``gather`` (take along one axis, with leading batch dimensions) and ``gather_grad``
  (scatter-*add* into zeros shaped like the params: repeated indices accumulate);
- ``gather_nd`` and ``tensor_scatter_nd_add`` (each is the other's VJP);
- ``tensor_scatter_nd_update`` (its VJP uses ``gather_nd`` and itself).

Indices are checked against the dimension they index, as TF does on the CPU: a
negative or too-large index is an ``InvalidArgumentError``, never a silent wrap-around.
``gather_nd``/``scatter`` carry the index depth ``K`` (``indices.shape[-1]``) as an
attribute so their shape rules know the output rank even when every dimension is unknown.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError, op_error
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.creation import shape_p
from fluxion.core.primitives.elementwise import zeros_like
from fluxion.core.shape_rules import normalize_axis
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple


# --- shared checks ----------------------------------------------------------------------------
def _check_indices_dtype(indices: Aval) -> None:
    if not indices.dtype.is_integer:
        raise TypeError(f"indices must be int32 or int64, got {indices.dtype.name}")


def _dims_agree(a, b) -> bool:
    return a is None or b is None or a == b


def _merge_dim(a, b):
    return b if a is None else a


def _bad_index_message(indices: np.ndarray, bad: np.ndarray, limit: int) -> str:
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    place = ",".join(str(i) for i in where)
    return f"indices[{place}] = {indices[where]} is not in [0, {limit})"


def _check_bounds(indices: np.ndarray, limit: int) -> None:
    if indices.size == 0 or (indices.min() >= 0 and indices.max() < limit):
        return
    raise IndexError(_bad_index_message(indices, (indices < 0) | (indices >= limit), limit))


# --- gather along an axis -----------------------------------------------------------------------
def _gather_rule(params: Aval, indices: Aval, axis: int, batch_dims: int) -> Aval:
    _check_indices_dtype(indices)
    rank, index_rank = len(params.shape), len(indices.shape)
    if not 0 <= axis < rank:
        raise ValueError(f"axis {axis} is out of range for params of rank {rank}")
    if not 0 <= batch_dims <= min(axis, index_rank):
        raise ValueError(f"batch_dims ({batch_dims}) must be at most the axis ({axis}) and the "
                         f"rank of indices ({index_rank})")
    for i in range(batch_dims):
        if not _dims_agree(params.shape[i], indices.shape[i]):
            raise ValueError(f"params and indices must agree in their {batch_dims} batch "
                             f"dimensions, got shapes {list(params.shape)} and "
                             f"{list(indices.shape)}")
    batch = zip(params.shape[:batch_dims], indices.shape[:batch_dims], strict=True)
    shape = (tuple(_merge_dim(p, i) for p, i in batch) + params.shape[batch_dims:axis]
             + indices.shape[batch_dims:] + params.shape[axis + 1:])
    return Aval(shape, params.dtype)


def _canonical(params_shape: tuple, indices: np.ndarray, axis: int, batch_dims: int):
    """Views a batched gather as ``(B, A, C)`` params and ``(B, I)`` indices.

    Returns the flat indices, the permutation that moves ``axis`` right after the batch
    dimensions, and the sizes needed to undo it.
    """
    batch = params_shape[:batch_dims]
    n_batch = int(np.prod(batch, dtype=np.int64))
    perm = (tuple(range(batch_dims)) + (axis,) + tuple(range(batch_dims, axis))
            + tuple(range(axis + 1, len(params_shape))))
    per_batch = int(np.prod(indices.shape[batch_dims:], dtype=np.int64))
    flat_indices = indices.reshape(n_batch, per_batch)
    return flat_indices, perm, n_batch


def _gather_kernel(params, indices, axis, batch_dims):
    _check_bounds(indices, params.shape[axis])
    if params.shape[:batch_dims] != indices.shape[:batch_dims]:
        raise ValueError(f"params and indices must agree in their {batch_dims} batch "
                         f"dimensions, got shapes {list(params.shape)} and "
                         f"{list(indices.shape)}")
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    flat_indices, perm, n_batch = _canonical(params.shape, indices, axis, batch_dims)
    moved = np.transpose(params, perm)  # B + (A,) + M + R
    rest = moved.shape[batch_dims + 1:]
    cube = moved.reshape((n_batch, params.shape[axis], -1))
    taken = cube[np.arange(n_batch)[:, None], flat_indices]  # (B, I, C)
    index_shape = indices.shape[batch_dims:]
    taken = taken.reshape(params.shape[:batch_dims] + index_shape + rest)
    # B + I + M + R  ->  B + M + I + R
    n_i, n_m = len(index_shape), axis - batch_dims
    order = (tuple(range(batch_dims)) + tuple(range(batch_dims + n_i, batch_dims + n_i + n_m))
             + tuple(range(batch_dims, batch_dims + n_i))
             + tuple(range(batch_dims + n_i + n_m, taken.ndim)))
    return np.transpose(taken, order)


def _gather_grad_kernel(g, indices, like, axis, batch_dims):
    out = np.zeros(like.shape, dtype=g.dtype)
    if batch_dims == 0:
        moved = np.moveaxis(out, axis, 0)  # a view: adding into it fills ``out``
        index_rank = indices.ndim
        g_moved = np.moveaxis(g, tuple(range(axis, axis + index_rank)),
                              tuple(range(index_rank)))
        np.add.at(moved, indices, g_moved)
        return out
    flat_indices, perm, n_batch = _canonical(like.shape, indices, axis, batch_dims)
    n_i, n_m = indices.ndim - batch_dims, axis - batch_dims
    # g is B + M + I + R; bring it to B + I + M + R, then to (B, I, C)
    order = (tuple(range(batch_dims)) + tuple(range(batch_dims + n_m, batch_dims + n_m + n_i))
             + tuple(range(batch_dims, batch_dims + n_m))
             + tuple(range(batch_dims + n_m + n_i, g.ndim)))
    g_cube = np.transpose(g, order).reshape((n_batch, flat_indices.shape[1], -1))
    moved = np.transpose(out, perm)
    cube = np.zeros((n_batch, like.shape[axis], g_cube.shape[2]), dtype=g.dtype)
    np.add.at(cube, (np.arange(n_batch)[:, None], flat_indices), g_cube)
    moved[...] = cube.reshape(moved.shape)
    return out


def _gather_vjp(g, xs, out, axis, batch_dims):
    params, indices = xs
    return bind(gather_grad_p, g, indices, params, axis=axis, batch_dims=batch_dims), None


def _gather_grad_rule(g: Aval, indices: Aval, like: Aval, axis: int, batch_dims: int) -> Aval:
    return Aval(like.shape, g.dtype)


def _gather_grad_vjp(gg, xs, out, axis, batch_dims):
    return bind(gather_p, gg, xs[1], axis=axis, batch_dims=batch_dims), None, None


gather_p = define("gather", _gather_kernel, _gather_rule, _gather_vjp)
gather_grad_p = define("gather_grad", _gather_grad_kernel, _gather_grad_rule, _gather_grad_vjp)


def gather(params, indices, axis=None, batch_dims: int = 0) -> Tensor:
    """Slices of ``params`` along ``axis`` picked by ``indices`` (``tf.gather``)."""
    params = convert_to_tensor(params)
    indices = _int_indices(indices, "gather")
    index_rank = len(shape_tuple(indices))
    batch_dims = int(batch_dims)
    if batch_dims < 0:
        batch_dims += index_rank
    axis = batch_dims if axis is None else int(axis)
    axis = normalize_axis(axis, len(shape_tuple(params)))
    return bind(gather_p, params, indices, axis=axis, batch_dims=batch_dims)


# --- gather_nd and scatters ------------------------------------------------------------------
def _nd_check(tensor: Aval, indices: Aval, index_depth: int) -> None:
    _check_indices_dtype(indices)
    if not indices.shape:
        raise ValueError("indices must have rank at least 1 (the last axis holds coordinates)")
    if not _dims_agree(indices.shape[-1], index_depth):
        raise ValueError(f"index depth attribute {index_depth} does not match the last "
                         f"dimension of indices, shape {list(indices.shape)}")
    if index_depth > len(tensor.shape):
        raise ValueError(f"indices of depth {index_depth} (shape {list(indices.shape)}) "
                         f"cannot index a tensor of rank {len(tensor.shape)}, shape "
                         f"{list(tensor.shape)}")


def _gather_nd_rule(params: Aval, indices: Aval, index_depth: int) -> Aval:
    _nd_check(params, indices, index_depth)
    return Aval(indices.shape[:-1] + params.shape[index_depth:], params.dtype)


def _coordinates(shape: tuple, indices: np.ndarray, index_depth: int, updates=None) -> tuple:
    """The index tuple for ``shape``; every coordinate is checked against its dimension,
    and ``updates`` (of a scatter) against the shape the indices select."""
    if updates is not None and updates.shape != indices.shape[:-1] + shape[index_depth:]:
        raise ValueError(f"updates of shape {list(updates.shape)} do not match the "
                         f"{list(indices.shape[:-1] + shape[index_depth:])} slices selected")
    if indices.size:
        limits = np.asarray(shape[:index_depth])
        bad = ((indices < 0) | (indices >= limits)).any(axis=-1)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            place = ",".join(str(i) for i in where)
            raise IndexError(f"indices[{place}] = {indices[where].tolist()} does not index "
                             f"into shape {list(shape)}")
    return tuple(np.moveaxis(indices, -1, 0))


def _gather_nd_kernel(params, indices, index_depth):
    return params[_coordinates(params.shape, indices, index_depth)]


def _scatter_rule(tensor: Aval, indices: Aval, updates: Aval, index_depth: int) -> Aval:
    _nd_check(tensor, indices, index_depth)
    if updates.dtype is not tensor.dtype:
        raise TypeError(f"updates must have the tensor's dtype {tensor.dtype.name}, got "
                        f"{updates.dtype.name}")
    wanted = indices.shape[:-1] + tensor.shape[index_depth:]
    if len(updates.shape) != len(wanted) or not all(
            _dims_agree(a, b) for a, b in zip(updates.shape, wanted, strict=False)):
        raise ValueError(f"updates must have shape indices.shape[:-1] + "
                         f"tensor.shape[{index_depth}:] = {list(wanted)}, got "
                         f"{list(updates.shape)}")
    return Aval(tensor.shape, tensor.dtype)


def _scatter_add_kernel(tensor, indices, updates, index_depth):
    out = tensor.copy()
    np.add.at(out, _coordinates(tensor.shape, indices, index_depth, updates), updates)
    return out


def _scatter_update_kernel(tensor, indices, updates, index_depth):
    out = tensor.copy()
    out[_coordinates(tensor.shape, indices, index_depth, updates)] = updates
    return out


def _gather_nd_vjp(g, xs, out, index_depth):
    params, indices = xs
    return bind(tensor_scatter_nd_add_p, zeros_like(params), indices, g,
                index_depth=index_depth), None


def _scatter_add_vjp(g, xs, out, index_depth):
    return g, None, bind(gather_nd_p, g, xs[1], index_depth=index_depth)


def _scatter_update_vjp(g, xs, out, index_depth):
    _, indices, updates = xs
    kept = bind(tensor_scatter_nd_update_p, g, indices, zeros_like(updates),
                index_depth=index_depth)
    return kept, None, bind(gather_nd_p, g, indices, index_depth=index_depth)


gather_nd_p = define("gather_nd", _gather_nd_kernel, _gather_nd_rule, _gather_nd_vjp)
tensor_scatter_nd_add_p = define("tensor_scatter_nd_add", _scatter_add_kernel, _scatter_rule,
                                 _scatter_add_vjp)
tensor_scatter_nd_update_p = define("tensor_scatter_nd_update", _scatter_update_kernel,
                                    _scatter_rule, _scatter_update_vjp)


def _int_indices(indices, op: str) -> Tensor:
    indices = convert_to_tensor(indices)
    if not indices.dtype.is_integer:
        raise TypeError(f"{op}: indices must be int32 or int64, got {indices.dtype.name}")
    return indices


def _index_depth(indices: Tensor, op: str) -> int:
    shape = shape_tuple(indices)
    if not shape or shape[-1] is None:
        raise op_error(InvalidArgumentError, op, f"indices need a known last dimension (the index "
                                       f"depth), got shape {list(shape)}")
    return int(shape[-1])


def _with_batch_coordinates(indices: Tensor, batch_dims: int) -> Tensor:
    """Prepends the batch coordinates to ``indices`` so a batched gather_nd becomes plain."""
    from fluxion.core.primitives.elementwise import cast
    from fluxion.core.primitives.shape import concat

    shape = shape_tuple(indices)
    if None in shape:
        raise ValueError(f"gather_nd with batch_dims needs known index dimensions, got "
                         f"{list(shape)}")
    grids = np.meshgrid(*[np.arange(d) for d in shape[:batch_dims]], indexing="ij")
    coords = np.stack(grids, axis=-1).reshape(shape[:batch_dims] + (1,) * (len(shape)
                                              - batch_dims - 1) + (batch_dims,))
    coords = np.broadcast_to(coords, shape[:-1] + (batch_dims,))
    coords = cast(Tensor(np.ascontiguousarray(coords)), indices.dtype)
    return concat([coords, indices], axis=-1)


def gather_nd(params, indices, batch_dims: int = 0) -> Tensor:
    """Slices of ``params`` at the coordinates in the last axis of ``indices``."""
    params = convert_to_tensor(params)
    indices = _int_indices(indices, "gather_nd")
    batch_dims = int(batch_dims)
    if batch_dims < 0:
        batch_dims += len(shape_tuple(indices))
    if batch_dims:
        if batch_dims >= len(shape_tuple(indices)):
            raise op_error(InvalidArgumentError, "gather_nd",
                           f"batch_dims ({batch_dims}) must be less than the rank of "
                           f"indices ({len(shape_tuple(indices))})")
        indices = _with_batch_coordinates(indices, batch_dims)
    return bind(gather_nd_p, params, indices, index_depth=_index_depth(indices, "gather_nd"))


def tensor_scatter_nd_add(tensor, indices, updates) -> Tensor:
    tensor = convert_to_tensor(tensor)
    indices = _int_indices(indices, "tensor_scatter_nd_add")
    updates = convert_to_tensor(updates, dtype=tensor.dtype)
    return bind(tensor_scatter_nd_add_p, tensor, indices, updates,
                index_depth=_index_depth(indices, "tensor_scatter_nd_add"))


def tensor_scatter_nd_update(tensor, indices, updates) -> Tensor:
    tensor = convert_to_tensor(tensor)
    indices = _int_indices(indices, "tensor_scatter_nd_update")
    updates = convert_to_tensor(updates, dtype=tensor.dtype)
    return bind(tensor_scatter_nd_update_p, tensor, indices, updates,
                index_depth=_index_depth(indices, "tensor_scatter_nd_update"))


def scatter_nd(indices, updates, shape) -> Tensor:
    """A zero tensor of ``shape`` with ``updates`` added at ``indices`` (duplicates sum)."""
    from fluxion.core.primitives.shape import _as_int_list

    updates = convert_to_tensor(updates)
    zeros = Tensor(np.zeros(tuple(_as_int_list(shape)), dtype=updates.dtype.np_dtype))
    return tensor_scatter_nd_add(zeros, indices, updates)


# --- where (coordinates of true elements) -------------------------------------------------------
where_p = define("where", lambda x: np.argwhere(x).astype(np.int64),
                 lambda x: Aval((None, len(x.shape)), dtypes.int64))


def where_indices(condition) -> Tensor:
    """The coordinates of the true (non-zero) elements, int64 of shape ``[n, rank]``."""
    return bind(where_p, convert_to_tensor(condition))


def boolean_mask(tensor, mask, axis=None) -> Tensor:
    """The slices of ``tensor`` where ``mask`` is true (``tf.boolean_mask``)."""
    from fluxion.core.primitives.shape import reshape

    tensor = convert_to_tensor(tensor)
    mask = convert_to_tensor(mask, dtype=dtypes.bool_)
    shape = list(shape_tuple(tensor))
    mask_shape = list(shape_tuple(mask))
    axis = 0 if axis is None else normalize_axis(int(axis), max(len(shape), 1))
    if not mask_shape:
        raise op_error(InvalidArgumentError, "boolean_mask", "mask cannot be a scalar")
    covered = shape[axis:axis + len(mask_shape)]
    if len(covered) != len(mask_shape) or not all(
            _dims_agree(a, b) for a, b in zip(covered, mask_shape, strict=False)):
        raise op_error(InvalidArgumentError, "boolean_mask",
                       f"mask of shape {mask_shape} does not match the dimensions "
                       f"{axis}..{axis + len(mask_shape) - 1} of tensor shape {shape}")
    if any(a is None or b is None for a, b in zip(covered, mask_shape, strict=False)):
        from fluxion.core.primitives.runtime_check import ShapeCheck, require

        tensor = require("boolean_mask", ShapeCheck.of("mask_fits", axis=axis), tensor, mask)
    if len(mask_shape) > 1:
        mask = reshape(mask, [-1])
        merged = shape[:axis] + [-1] + shape[axis + len(mask_shape):]
        tensor = reshape(tensor, [d if d is not None else -1 for d in merged])
    return bind(gather_p, tensor, _true_positions(mask), axis=axis, batch_dims=0)


def _true_positions(mask: Tensor) -> Tensor:
    """The positions of the true elements of a 1-D mask, int64.

    A concrete mask is read directly (cheaper, and the result's size is known); a
    symbolic one goes through the ``where`` primitive, whose output size is unknown.
    """
    from fluxion.core.primitives.shape import reshape

    value = getattr(mask, "_value", None)
    if isinstance(value, np.ndarray):
        return Tensor(np.flatnonzero(value).astype(np.int64))
    return reshape(where_indices(mask), [-1])


# --- NumPy advanced indexing ----------------------------------------------------------------------
def advanced_getitem(x: Tensor, key) -> Tensor:
    """``x[key]`` for keys holding integer arrays/lists/tensors or boolean masks.

    Follows NumPy: the basic part of the key (slices, ``None``) is applied first; the
    integer and mask indices broadcast together and their dimensions replace the
    indexed axes in place when those are adjacent, or go first otherwise.
    """
    from fluxion.core.primitives.indexing import encode_key, getitem_p
    from fluxion.core.primitives.shape import transpose

    x = convert_to_tensor(x)
    items = _expand_key(key, shape_tuple(x))
    if items[0][0] == "mask" and all(v == slice(None) for k, v, _ in items[1:]):
        return boolean_mask(x, items[0][2])  # x[mask]: traceable through the where primitive
    basic, arrays, positions = [], [], []
    shape = shape_tuple(x)
    in_axis = 0
    for kind, value, _ in items:
        if kind == "newaxis":
            basic.append(None)
            continue
        if kind == "slice":
            basic.append(value)
            in_axis += 1
            continue
        dims = shape[in_axis:in_axis + (value.ndim if kind == "mask" else 1)]
        matches = zip(dims, value.shape, strict=False)
        if kind == "mask" and not all(_dims_agree(a, b) for a, b in matches):
            raise op_error(InvalidArgumentError, "getitem",
                           f"boolean index of shape {list(value.shape)} does not match the "
                           f"indexed dimensions {list(dims)} of shape {list(shape)}")
        columns = np.nonzero(value) if kind == "mask" else (value,)
        for dim, column in zip(dims, columns, strict=False):
            positions.append(len(basic))
            arrays.append(_normalize_indices(column, dim, in_axis))
            basic.append(slice(None))
            in_axis += 1
    if any(b is None or b != slice(None) for b in basic):
        x = bind(getitem_p, x, key=encode_key(tuple(basic)))
    try:
        arrays = np.broadcast_arrays(*arrays)
    except ValueError:
        raise op_error(InvalidArgumentError, "getitem",
                       "shape mismatch: indexing arrays could not be broadcast together "
                       "with shapes " + " ".join(str(list(a.shape)) for a in arrays)) from None
    if len(arrays) == 1:
        return bind(gather_p, x, Tensor(arrays[0]), axis=positions[0], batch_dims=0)
    rank = len(shape_tuple(x))
    others = [i for i in range(rank) if i not in positions]
    if positions + others != list(range(rank)):
        x = transpose(x, positions + others)
    coordinates = Tensor(np.stack(arrays, axis=-1))
    result = bind(gather_nd_p, x, coordinates, index_depth=len(arrays))
    first, n_new = positions[0], arrays[0].ndim
    adjacent = positions == list(range(first, first + len(positions)))
    if adjacent and first > 0 and n_new:
        order = (list(range(n_new, n_new + first)) + list(range(n_new))
                 + list(range(n_new + first, len(shape_tuple(result)))))
        result = transpose(result, order)
    return result


def has_symbolic_index(key) -> bool:
    """Whether ``key`` holds an integer tensor whose value is not known (traced)."""
    items = key if isinstance(key, tuple) else (key,)
    return any(isinstance(item, Tensor) and item._value is None and item.dtype.is_integer
               for item in items)


def symbolic_getitem(x: Tensor, key) -> Tensor:
    """``x[key]`` where the key holds traced integer tensors (``x[i]`` in a loop body).

    The basic part of the key is applied first, keeping the tensor-indexed axes whole;
    each of those axes is then gathered, the last first, so earlier positions hold.
    Negative indices count from the end, as in Python.
    """
    from fluxion.core.primitives.elementwise import add, cast, less, select
    from fluxion.core.primitives.indexing import encode_key, getitem_p

    items = list(key) if isinstance(key, tuple) else [key]
    if any(isinstance(item, (list, np.ndarray)) or (
            isinstance(item, Tensor) and item._value is not None and item.ndim) for item in items):
        raise op_error(InvalidArgumentError, "getitem", "mixing traced index tensors with "
                       "concrete index arrays is not supported; use fluxion.gather")
    consumed = sum(1 for item in items if item is not None and item is not Ellipsis)
    rank = len(shape_tuple(x))
    if consumed > rank:
        raise op_error(InvalidArgumentError, "getitem", f"too many indices ({consumed}) for a "
                       f"tensor of rank {rank}")
    ellipses = [i for i, item in enumerate(items) if item is Ellipsis]
    if ellipses:
        at = ellipses[0]
        items[at:at + 1] = [slice(None)] * (rank - consumed)
    basic, gathers, out_axis = [], [], 0
    for item in items:
        if isinstance(item, Tensor) and item._value is None:
            gathers.append((out_axis, item))
            basic.append(slice(None))
            out_axis += 1
            continue
        basic.append(item)
        if item is None or isinstance(item, slice):
            out_axis += 1
    result = bind(getitem_p, x, key=encode_key(tuple(basic)))
    for axis, index in reversed(gathers):
        index = cast(index, dtypes.int32) if index.dtype is not dtypes.int32 else index
        size = shape_tuple(result)[axis]
        if size is None:  # known only at run time
            size = bind(shape_p, result, out_type=dtypes.int32)[axis]
        index = select(less(index, 0), add(index, size), index)
        result = bind(gather_p, result, index, axis=axis, batch_dims=0)
    return result


def _expand_key(key, shape: tuple) -> list:
    """Classifies key items as (kind, value, source) and expands the ellipsis."""
    items = []
    for item in key if isinstance(key, tuple) else (key,):
        if item is None:
            items.append(("newaxis", None, item))
        elif item is Ellipsis:
            items.append(("ellipsis", None, item))
        elif isinstance(item, slice):
            items.append(("slice", _plain_slice(item), item))
        else:
            items.append(_array_item(item))
    consumed = sum(v.ndim if k == "mask" else 1 for k, v, _ in items
                   if k in ("slice", "index", "mask"))
    if consumed > len(shape):
        raise op_error(InvalidArgumentError, "getitem", f"too many indices ({consumed}) for a "
                       f"tensor of rank {len(shape)}")
    full = ("slice", slice(None), None)
    kinds = [k for k, _, _ in items]
    if kinds.count("ellipsis") > 1:
        raise op_error(InvalidArgumentError, "getitem",
                       "an index can only have a single ellipsis ('...')")
    if "ellipsis" in kinds:
        at = kinds.index("ellipsis")
        items[at:at + 1] = [full] * (len(shape) - consumed)
    else:
        items += [full] * (len(shape) - consumed)
    return items


def _plain_slice(item: slice) -> slice:
    return slice(*(None if v is None else int(v) for v in (item.start, item.stop, item.step)))


def _array_item(item) -> tuple:
    if isinstance(item, Tensor) or hasattr(item, "_read_for_op"):
        value = np.asarray(convert_to_tensor(item)._value)
    else:
        value = np.asarray(item)
        if value.dtype.kind == "f" and value.size == 0:
            value = value.astype(np.int64)  # x[[]]: an empty integer index, as NumPy
    if value.dtype.kind == "b":
        if value.ndim == 0:
            raise op_error(InvalidArgumentError, "getitem",
                           "a scalar boolean index is not supported; use None to add an axis")
        return ("mask", value, item)
    if value.dtype.kind not in "iu":
        raise op_error(InvalidArgumentError, "getitem",
                       f"only integers, slices, Ellipsis, None and integer or boolean "
                       f"arrays are valid indices, got {type(item).__name__} of dtype "
                       f"{value.dtype}")
    return ("index", value, item)


def _normalize_indices(indices: np.ndarray, dim, axis: int) -> np.ndarray:
    """Wraps negative indices as NumPy does and checks the range."""
    indices = np.asarray(indices, dtype=np.int64)
    if dim is None or indices.size == 0:
        return indices
    bad = (indices < -dim) | (indices >= dim)
    if bad.any():
        value = int(indices[tuple(np.argwhere(bad)[0])])
        raise op_error(InvalidArgumentError, "getitem",
                       f"index {value} is out of bounds for axis {axis} with size {dim}")
    return np.where(indices < 0, indices + dim, indices)
