"""Basic indexing whose bounds are known only at run time: ``x[:, :n]`` with a traced ``n``.

Inside a traced function ``n = tf.shape(x)[1]`` is a symbolic scalar, so the key cannot
be encoded statically as ``getitem``'s is.  ``getitem_dynamic`` takes the run-time bounds
as scalar integer inputs; its key is the static key with ``("bound", k)`` where the k-th
input goes.  Axes sliced with a run-time bound have an unknown (None) size; axes indexed
by a run-time integer are dropped, as a static integer index drops them.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.indexing import _SLICE, _getitem_rule, _int_or_none
from fluxion.core.tensor import Tensor

_BOUND = "bound"


def is_run_time(value) -> bool:
    """True for a traced (symbolic) tensor: its value exists only when the graph runs."""
    return isinstance(value, Tensor) and value._value is None


def has_run_time_bounds(key) -> bool:
    """True when a basic key holds a traced index or slice bound."""
    for item in key if isinstance(key, tuple) else (key,):
        parts = (item.start, item.stop, item.step) if isinstance(item, slice) else (item,)
        if any(is_run_time(part) for part in parts):
            return True
    return False


def _encode(key) -> tuple[tuple, list]:
    """The key with each run-time bound replaced by ``("bound", k)``, and those bounds."""
    bounds: list = []

    def part(value):
        if is_run_time(value):
            if value.ndim != 0 or not value.dtype.is_integer:
                raise TypeError(f"indices must be integer scalars, got a {value.dtype.name} "
                                f"tensor of shape {list(value.shape)}")
            bounds.append(value)
            return (_BOUND, len(bounds) - 1)
        return _int_or_none(value)

    encoded = []
    for item in key if isinstance(key, tuple) else (key,):
        if isinstance(item, slice):
            encoded.append((_SLICE, part(item.start), part(item.stop), part(item.step)))
        elif item is None or item is Ellipsis:
            encoded.append(item)
        else:
            encoded.append(part(item))
    return tuple(encoded), bounds


def _is_bound(value) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and value[0] == _BOUND


def _decode(key: tuple, bounds) -> tuple:
    def fill(value):
        return int(bounds[value[1]]) if _is_bound(value) else value

    items = []
    for item in key:
        if isinstance(item, tuple) and item[0] == _SLICE:
            items.append(slice(fill(item[1]), fill(item[2]), fill(item[3])))
        else:
            items.append(fill(item))
    return tuple(items)


def _rule(x: Aval, *bounds: Aval, key: tuple) -> Aval:
    for bound in bounds:
        if len(bound.shape) != 0 or not bound.dtype.is_integer:
            raise TypeError(f"indices must be integer scalars, got {bound.dtype.name} of "
                            f"shape {list(bound.shape)}")
    return _getitem_rule(x, key)  # it reads ("bound", k) entries as unknown


def _kernel(x, *bounds, key):
    return x[_decode(key, bounds)]


def _grad_kernel(g, like, *bounds, key):
    result = np.zeros(like.shape, dtype=g.dtype)
    result[_decode(key, bounds)] = g
    return result


def _vjp(g, xs, out, key):
    return (bind(getitem_dynamic_grad_p, g, xs[0], *xs[1:], key=key),) + (None,) * (len(xs) - 1)


getitem_dynamic_p = define("getitem_dynamic", _kernel, _rule, _vjp)
getitem_dynamic_grad_p = define(
    "getitem_dynamic_grad", _grad_kernel,
    lambda g, like, *bounds, key: Aval(like.shape, g.dtype),
    lambda gg, xs, out, key: (bind(getitem_dynamic_p, gg, *xs[2:], key=key),)
    + (None,) * (len(xs) - 1), shape_only=(1,))


def getitem_dynamic(x: Tensor, key) -> Tensor:
    """``x[key]`` for a basic key holding run-time (traced) bounds."""
    encoded, bounds = _encode(key)
    return bind(getitem_dynamic_p, x, *bounds, key=encoded)
