"""``host_call``: a stateful primitive that hands its inputs to a Python callable.

Summaries (``fluxion.summary``) must write when a compiled step runs, not when it is
traced.  A ``host_call`` node keeps its place in the graph (``stateful=True``: never
folded, merged or pruned), passes the arrays of its inputs to the ``callback``
attribute when it executes, and returns the boolean scalar the callback returns
(whether it did something, e.g. whether a summary was recorded).  In eager code the
callback runs at once.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, define


def _host_call_kernel(*values, callback):
    return np.asarray(bool(callback(*values)))


def _host_call_rule(*avals, callback) -> Aval:
    return Aval((), dtypes.bool_)


host_call_p = define("host_call", _host_call_kernel, _host_call_rule, stateful=True,
                     fresh_output=True)
