"""``unique``: the distinct values of a 1-D tensor in order of first appearance (as TF
orders them, unlike NumPy's sorted ``np.unique``), each input's position among them,
and the counts.  The output length is known only at run time; no gradient (TF's has
none either).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, define


def _unique_kernel(x, out_idx):
    _, first, inverse, counts = np.unique(x, return_index=True, return_inverse=True,
                                          return_counts=True)
    order = np.argsort(first, kind="stable")  # sorted order -> order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    index_type = out_idx.np_dtype
    return (x[first[order]], rank[inverse.reshape(-1)].astype(index_type),
            counts[order].astype(index_type))


def _unique_rule(x: Aval, out_idx):
    if len(x.shape) != 1:
        raise ValueError(f"unique: expected a 1-D tensor, got shape {list(x.shape)}")
    if out_idx not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"unique: out_idx must be int32 or int64, got {out_idx.name}")
    return Aval((None,), x.dtype), Aval(x.shape, out_idx), Aval((None,), out_idx)


unique_p = define("unique", _unique_kernel, _unique_rule, multiple_results=True,
                  doc="The distinct values of a 1-D tensor in order of first appearance.")
