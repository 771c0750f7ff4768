"""``x[key]``, the Tensor ``__getitem__``: picks the indexing a key needs.

A key of ints, slices, ``None`` and ``Ellipsis`` is basic indexing (``indexing``); one
whose bounds are traced scalars (``x[i]`` in a loop body) slices at run time
(``dynamic_indexing``); tensors, lists and boolean masks are composed from ``gather``
and ``boolean_mask`` (``gather_scatter``).  The choice sits above the three families so
that none of them imports another's dispatch.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import bind
from fluxion.core.primitives import dynamic_indexing, gather_scatter
from fluxion.core.primitives.indexing import encode_key, getitem_p, is_basic_key
from fluxion.core.tensor import Tensor, convert_to_tensor


def getitem(x, key) -> Tensor:
    """``x[key]`` with NumPy semantics; the Tensor ``__getitem__``."""
    x = convert_to_tensor(x)
    if _is_scalar_key(key):
        if dynamic_indexing.has_run_time_bounds(key):  # x[i], x[:, :n] with traced i, n
            return dynamic_indexing.getitem_dynamic(x, key)
    if is_basic_key(key):
        return bind(getitem_p, x, key=encode_key(key))
    if gather_scatter.has_symbolic_index(key):
        return gather_scatter.symbolic_getitem(x, key)
    return gather_scatter.advanced_getitem(x, key)


def _is_scalar_key(key) -> bool:
    """Slices, ints, None, Ellipsis and scalar integer tensors (concrete or traced) only."""
    for item in key if isinstance(key, tuple) else (key,):
        if isinstance(item, (slice, type(None), type(Ellipsis), int, np.integer)):
            continue
        if isinstance(item, Tensor) and item.ndim == 0 and item.dtype.is_integer:
            continue
        return False
    return True
