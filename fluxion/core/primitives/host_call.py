"""``host_call``: a stateful primitive that hands its inputs to a Python callable.

Summaries (``fluxion.summary``) must write when a compiled step runs, not when it is
traced.  A ``host_call`` node keeps its place in the graph (``effect="io"``: never
folded, merged or pruned), passes the arrays of its inputs to the ``callback``
attribute when it executes, and returns what the callback returns: by default a
boolean scalar (whether it did something, e.g. whether a summary was recorded), or an
array of the ``result`` attribute's ``(shape, dtype)`` (a serialized TF 1 summary is a
string scalar).  In eager code the callback runs at once.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, define


def _host_call_kernel(*values, callback, result=None):
    if result is None:
        return np.asarray(bool(callback(*values)))
    return np.asarray(callback(*values), dtype=result[1].np_dtype).reshape(result[0])


def _host_call_rule(*avals, callback, result=None) -> Aval:
    if result is None:
        return Aval((), dtypes.bool_)
    return Aval(tuple(result[0]), result[1])


host_call_p = define("host_call", _host_call_kernel, _host_call_rule, effect="io",
                     fresh_output=True)
