"""``keras.ops`` core: conversion, shapes and dtypes, control flow (``cond``,
``while_loop``, ``fori_loop``, ``scan``, ``map``, ``switch``), gradients
(``stop_gradient``, ``custom_gradient``) and scattered/sliced updates.

Control flow goes through Fluxion's ``cond``/``while_loop``, so it runs eagerly and
traces into graphs inside ``fluxion.function``.

>>> from fluxion.keras import ops
>>> int(ops.fori_loop(0, 4, lambda i, total: total + i, 0))
6
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes, nest
from fluxion.core.custom_gradient import custom_gradient as engine_custom_gradient
from fluxion.graph import control_flow
from fluxion.keras.engine.keras_tensor import KerasTensor
from fluxion.keras.ops.promotion import export, standardize_dtype, tensor
from fluxion.ops import array_ops, clip_ops, creation_ops, math_ops

__all__ = [
    "cast", "convert_to_tensor", "convert_to_numpy", "is_tensor", "dtype", "shape", "ndim",
    "size", "saturate_cast", "cond", "while_loop", "fori_loop", "scan", "map",
    "vectorized_map", "switch", "stop_gradient", "scatter", "scatter_update", "slice",
    "slice_update", "unstack", "get_item",
]


def cast(x, dtype):
    """``x`` converted to ``dtype`` (floats to ints truncate toward zero)."""
    return array_ops.cast(tensor(x), standardize_dtype(dtype))


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """``x`` (array, list, number, tensor, variable) as a tensor, cast to ``dtype``."""
    return tensor(x, standardize_dtype(dtype))


def convert_to_numpy(x) -> np.ndarray:
    """``x`` as a NumPy array."""
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "numpy"):
        return np.asarray(x.numpy())
    return np.asarray(tensor(x).numpy())


def is_tensor(x) -> bool:
    """Whether ``x`` is a Fluxion tensor (or variable)."""
    return creation_ops.is_tensor(x)


def dtype(x) -> str:
    """The dtype name of ``x`` (``"float32"``...)."""
    value = getattr(x, "dtype", None)
    if value is not None:
        return standardize_dtype(value)
    return tensor(x).dtype.name


def shape(x) -> tuple:
    """The shape of ``x`` as a tuple: ints where known; scalar tensors for dimensions only
    known at run time (inside a traced function); a KerasTensor's shape, None included."""
    if isinstance(x, KerasTensor):
        return tuple(x.shape)
    static = tuple(getattr(x, "shape", None) or tensor(x).shape)
    if all(d is not None for d in static):
        return tuple(int(d) for d in static)
    dynamic = creation_ops.shape(tensor(x))
    return tuple(dynamic[i] if d is None else int(d) for i, d in enumerate(static))


def ndim(x) -> int:
    """The rank of ``x``."""
    return len(getattr(x, "shape", None) or tensor(x).shape)


def size(x):
    """The number of elements of ``x``, as an int32 scalar tensor."""
    return creation_ops.size(tensor(x), out_type="int32")


def saturate_cast(x, dtype):
    """``x`` cast to ``dtype``, values first clipped to its range (no wrap-around)."""
    x = tensor(x)
    target = dtypes.as_dtype(standardize_dtype(dtype))
    if target.is_integer or (target.is_floating and x.dtype.is_floating
                             and target.size < x.dtype.size):
        low, high = float(target.min), float(target.max)
        if x.dtype.is_integer:
            low, high = max(low, float(x.dtype.min)), min(high, float(x.dtype.max))
        x = clip_ops.clip_by_value(x, array_ops.cast(low, x.dtype), array_ops.cast(high, x.dtype))
    return array_ops.cast(x, target)


# --- control flow ---------------------------------------------------------------------------
def cond(pred, true_fn, false_fn):
    """``true_fn()`` if ``pred`` else ``false_fn()``; traced, both branches are built."""
    return control_flow.cond(pred, true_fn, false_fn)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Runs ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` holds.

    ``loop_vars`` is a tuple/list (passed to ``cond``/``body`` as positional arguments)
    or a single value; the result has the same structure.
    """
    is_sequence = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if is_sequence else (loop_vars,)

    def step(*values):
        result = body(*values)
        return tuple(result) if is_sequence else (result,)

    result = control_flow.while_loop(cond, step, state, maximum_iterations=maximum_iterations)
    result = tuple(result)
    if not is_sequence:
        return result[0]
    return list(result) if isinstance(loop_vars, list) else result


def fori_loop(lower, upper, body_fun, init_val):
    """``init_val`` passed through ``body_fun(i, value)`` for ``i`` in ``[lower, upper)``."""
    def loop_cond(i, _):
        return i < upper

    def loop_body(i, value):
        return i + 1, body_fun(i, value)

    _, result = control_flow.while_loop(loop_cond, loop_body,
                              (tensor(lower, "int32"), init_val))
    return result


def scan(f, init, xs=None, length=None, reverse: bool = False, unroll=1):
    """Carries ``carry, y = f(carry, x)`` over the leading axis of ``xs``.

    Returns ``(final_carry, stacked_ys)``.  The length must be known when tracing.
    """
    if xs is None:
        if length is None:
            raise ValueError("scan needs `xs` or `length`")
        items = [None] * length
    else:
        flat = [tensor(x) for x in nest.flatten(xs)]
        steps = [array_ops.unstack(x, axis=0) for x in flat]
        items = [nest.pack_sequence_as(xs, [s[i] for s in steps])
                 for i in range(len(steps[0]))]
    order = range(len(items) - 1, -1, -1) if reverse else range(len(items))
    carry, ys = init, [None] * len(items)
    for i in order:
        carry, ys[i] = f(carry, items[i])
    if not ys or ys[0] is None:
        return carry, None
    flat_ys = [nest.flatten(y) for y in ys]
    stacked = [array_ops.stack([y[j] for y in flat_ys]) for j in range(len(flat_ys[0]))]
    return carry, nest.pack_sequence_as(ys[0], stacked)


def map(f, xs):  # noqa: A001 - Keras's name
    """``f`` applied to each slice of ``xs`` along its leading axis, results stacked."""
    def step(carry, x):
        return carry, f(x)

    return scan(step, None, xs)[1]


def vectorized_map(function, elements):
    """Same as ``map``: ``function`` over the leading axis of ``elements``."""
    return map(function, elements)


def switch(index, branches, *operands):
    """Runs ``branches[index](*operands)``; ``index`` is clipped into range."""
    index = clip_ops.clip_by_value(tensor(index, "int32"), 0, len(branches) - 1)
    return control_flow.switch_case(index, [lambda b=b: b(*operands) for b in branches])


def stop_gradient(variable):
    """``variable``'s value, with no gradient flowing back through it."""
    return creation_ops.stop_gradient(tensor(variable))


# --- scattered and sliced updates -----------------------------------------------------------
def scatter(indices, values, shape):
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (duplicates add up)."""
    values = tensor(values)
    return array_ops.scatter_nd(tensor(indices, "int32"), values, list(shape))


def scatter_update(inputs, indices, updates, reduction=None):
    """``inputs`` with the elements at ``indices`` replaced by ``updates`` (or combined with
    them: ``reduction`` "add", "max", "min", "mul")."""
    inputs = tensor(inputs)
    indices = tensor(indices, "int32")
    updates = array_ops.cast(tensor(updates), inputs.dtype)
    if reduction is None:
        return array_ops.tensor_scatter_nd_update(inputs, indices, updates)
    if reduction == "add":
        return array_ops.tensor_scatter_nd_add(inputs, indices, updates)
    current = array_ops.gather_nd(inputs, indices)
    combine = {"max": math_ops.maximum, "min": math_ops.minimum,
               "mul": math_ops.multiply}.get(reduction)
    if combine is None:
        raise ValueError(f"Unsupported reduction: {reduction!r}; expected None, 'add', "
                         f"'max', 'min' or 'mul'")
    return array_ops.tensor_scatter_nd_update(inputs, indices, combine(current, updates))


def slice(inputs, start_indices, shape):  # noqa: A001 - Keras's name
    """The block of ``shape`` starting at ``start_indices``."""
    return array_ops.slice(tensor(inputs), start_indices, shape)


def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block at ``start_indices`` replaced by ``updates``."""
    inputs = tensor(inputs)
    updates = array_ops.cast(tensor(updates), inputs.dtype)
    starts = array_ops.cast(tensor(start_indices), "int32")
    sizes = updates.shape
    grids = array_ops.meshgrid(
        *[creation_ops.range(sizes[i]) + starts[i] for i in range(updates.ndim)], indexing="ij")
    indices = array_ops.stack(grids, axis=-1)
    return array_ops.tensor_scatter_nd_update(inputs, indices, updates)


def unstack(x, num=None, axis: int = 0):
    """The slices of ``x`` along ``axis``, as a list."""
    return array_ops.unstack(tensor(x), num=num, axis=axis)


def get_item(x, key):
    """``x[key]``."""
    return tensor(x)[key]


export(globals(), [n for n in __all__ if n not in ("cond", "while_loop", "fori_loop", "scan",
                                                    "map", "vectorized_map", "switch",
                                                    "shape")])
custom_gradient = engine_custom_gradient
__all__ += ["custom_gradient"]
