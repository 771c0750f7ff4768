"""oneDNN's kernels for ``softmax`` and ``softmax_grad``: one pass each instead of five.

NumPy's softmax is five passes over memory (max, subtract, exp, sum, divide) and its
gradient four; attention's scores make these the largest elementwise work of a
transformer's step (batch 64, 4 heads, 144 tokens: 5.3M values a softmax).  oneDNN's
softmax primitive (``dnnl_softmax_accurate``: ``exp(x - max) / sum``, the same formula)
and its backward (``y * (g - sum(g * y))``) each read and write the array once.

Float32 arrays of at least ``MIN_SIZE`` elements, C-contiguous, over one axis; every
other case is NumPy's kernel.
"""

from __future__ import annotations

import threading

import numpy as np

from fluxion.backend.onednn import capi, library
from fluxion.backend.onednn.memory import Descriptors, PrimitiveDesc, Step, element_strides

MIN_SIZE = 16384  # below it NumPy's passes cost less than a primitive call (~10 us)
SOFTMAX_ACCURATE = 0x30000  # dnnl_softmax_accurate

_plans: dict[tuple, _Plan] = {}
_lock = threading.Lock()


class _Plan:
    """The forward and backward softmax primitives of one shape and axis."""

    def __init__(self, api, shape: tuple, axis: int):
        self.descs = descs = Descriptors(api)
        md = descs.strided(list(shape), list(element_strides(shape, 4)), capi.F32)
        forward = PrimitiveDesc(api, "softmax_forward_primitive_desc_create", api.engine,
                                capi.FORWARD_TRAINING, SOFTMAX_ACCURATE, md, md, axis, None)
        self.forward = Step(api, forward, [(capi.ARG_SRC, md), (capi.ARG_DST, md)])
        backward = PrimitiveDesc(api, "softmax_backward_primitive_desc_create", api.engine,
                                 SOFTMAX_ACCURATE, md, md, md, axis, forward.handle, None)
        self.backward = Step(api, backward, [(capi.ARG_DIFF_DST, md), (capi.ARG_DST, md),
                                             (capi.ARG_DIFF_SRC, md)])
        self.forward_pd = forward  # the backward's hint lives as long as the plan


def _plan_for(api, arrays, axis):
    shape = arrays[0].shape
    if any(a.dtype != np.float32 or a.shape != shape or not a.flags.c_contiguous
           for a in arrays) or arrays[0].size < MIN_SIZE or not isinstance(axis, int):
        return None
    key = (shape, axis % len(shape), library.openmp_threads())  # keeps its threads
    plan = _plans.get(key)
    if plan is None:
        with _lock:
            plan = _plans.get(key)
            if plan is None:
                plan = _plans[key] = _Plan(api, shape, key[1])
    return plan


def softmax(api, x, axis):
    """``softmax(x)`` along ``axis``, or None where NumPy's kernel should run."""
    plan = _plan_for(api, (x,), axis)
    if plan is None:
        return None
    out = np.empty_like(x)
    plan.forward.run(x, out)
    return out


def softmax_grad(api, g, y, axis):
    """``(g - sum(g * y, axis)) * y``, or None where NumPy's kernel should run."""
    plan = _plan_for(api, (g, y), axis)
    if plan is None:
        return None
    out = np.empty_like(g)
    plan.backward.run(g, y, out)
    return out
