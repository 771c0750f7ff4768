"""Primitives that pass a value on or describe it: ``identity``, ``stop_gradient``,
``shape`` (the run-time shape of a tensor) and ``range`` (a traced ``arange``).

``identity`` and ``stop_gradient`` compute nothing; once a graph is differentiated
they have done their job, so their ``simplify`` rule replaces them by their input.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, define


def _pass_through(node, inputs: list):
    """After differentiation an identity-like node is its input."""
    return inputs[0]


identity_p = define("identity", lambda x: x, lambda x: x, lambda g, xs, out: (g,),
                    simplify=_pass_through)
# stop_gradient has no VJP: tapes do not record it, so nothing flows through.
stop_gradient_p = define("stop_gradient", lambda x: x, lambda x: x, simplify=_pass_through)
shape_p = define(
    "shape", lambda x, out_type: np.array(x.shape, dtype=out_type.np_dtype),
    lambda x, out_type: Aval((len(x.shape),), out_type), shape_only=(0,))


def _range_rule(start: Aval, limit: Aval, delta: Aval) -> Aval:
    if start.dtype is not limit.dtype or start.dtype is not delta.dtype:
        raise TypeError(f"start, limit and delta must share one dtype, got {start.dtype.name}, "
                        f"{limit.dtype.name} and {delta.dtype.name}")
    return Aval((None,), start.dtype)


range_p = define("range", lambda start, limit, delta: np.arange(start, limit, delta,
                                                                 dtype=start.dtype),
                 _range_rule, fresh_output=True)
