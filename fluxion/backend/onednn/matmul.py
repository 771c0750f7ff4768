"""oneDNN's kernel for ``matmul``: float32 products on the same thread pool as the
convolutions.

NumPy's products run in OpenBLAS, whose pool is not oneDNN's OpenMP pool.  A training
step that runs both in parallel has two pools on the CPUs at once, and OpenBLAS's
idle workers spin for a while after each product: on this project's 2-core machine
one product of a convnet's step, run on two OpenBLAS threads right after oneDNN's
convolutions had run on two OpenMP threads, took 8.6 ms instead of 0.1 ms, and
mnist_convnet's ``fit`` ran slower on two threads than on one (5.3k against 7.1k
samples/s).  So with this backend the float32 products run here, OpenBLAS stays at one
thread (``parallel_pools`` in the package) and only OpenMP's pool ever grows.

oneDNN's matmul takes any strides, so transposed operands (the gradient's ``x.T @ g``)
are described as they are, without a copy, as NumPy's ``dot`` does.  Measured, one
thread, 784x256 layer at batch 128: forward 321 -> 294 us, ``g @ w.T`` 350 -> 271 us,
``x.T @ g`` 306 -> 307 us; two threads 211 -> 191 us.  Products under ``MIN_WORK``
multiply-adds go to NumPy: oneDNN's call costs ~10 us whatever the size (a 256x10
layer at batch 128: 8 us in NumPy, 12 us here).

Operands: float32, rank 2, or equal rank up to 5 whose batch axes agree or are 1 in one
of them (oneDNN broadcasts those); every other case (other dtypes, zero strides,
empty arrays) is NumPy's.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from fluxion.backend.onednn import capi, library
from fluxion.backend.onednn.memory import Descriptors, PrimitiveDesc, Step, element_strides

MIN_WORK = 1 << 20  # multiply-adds
MAX_PLANS = 512  # shapes differ call to call in eager code: keep the cache bounded

_plans: dict[tuple, object] = {}
_lock = threading.Lock()
_DECLINED = object()  # oneDNN has no implementation for this case: NumPy's kernel runs


class _Plan:
    """The matmul primitive of one pair of operand layouts."""

    def __init__(self, api, a_shape, a_strides, b_shape, b_strides, out_shape):
        self.descs = descs = Descriptors(api)
        a_md = descs.strided(list(a_shape), list(a_strides), capi.F32)
        b_md = descs.strided(list(b_shape), list(b_strides), capi.F32)
        out_md = descs.strided(list(out_shape), list(element_strides(out_shape, 4)), capi.F32)
        pd = PrimitiveDesc(api, "matmul_primitive_desc_create", api.engine, a_md, b_md, None,
                           out_md, None)
        self.step = Step(api, pd, [(capi.ARG_SRC, a_md), (capi.ARG_WEIGHTS, b_md),
                                   (capi.ARG_DST, out_md)])
        self.out_shape = out_shape


def matmul(api, a, b):
    """``a @ b``, or None where NumPy's kernel should run."""
    out_shape = _output_shape(a, b)
    if out_shape is None:
        return None
    a_strides = tuple(s // 4 for s in a.strides)
    b_strides = tuple(s // 4 for s in b.strides)
    key = (a.shape, a_strides, b.shape, b_strides, library.openmp_threads())
    plan = _plans.get(key)
    if plan is None:
        plan = _make_plan(api, key, a, a_strides, b, b_strides, out_shape)
    if plan is _DECLINED:
        return None
    out = np.empty(out_shape, np.float32)
    plan.step.run(a, b, out)
    return out


def _output_shape(a, b) -> tuple | None:
    """The product's shape where this kernel takes the operands, else None."""
    if a.dtype != np.float32 or b.dtype != np.float32 or a.ndim != b.ndim \
            or not 2 <= a.ndim <= 5:
        return None
    m, k = a.shape[-2:]
    k_b, n = b.shape[-2:]
    if k != k_b or 0 in a.shape or 0 in b.shape:
        return None
    batch = []
    for size_a, size_b in zip(a.shape[:-2], b.shape[:-2]):
        if size_a != size_b and 1 not in (size_a, size_b):
            return None
        batch.append(max(size_a, size_b))
    if m * n * k * math.prod(batch) < MIN_WORK:  # np.prod of a list costs ~2 us a call
        return None
    if any(s <= 0 or s % 4 for s in a.strides + b.strides):  # broadcast or odd views
        return None
    return (*batch, m, n)


def _make_plan(api, key, a, a_strides, b, b_strides, out_shape):
    with _lock:
        plan = _plans.get(key)
        if plan is None:
            if len(_plans) >= MAX_PLANS:
                _plans.clear()
            try:
                plan = _Plan(api, a.shape, a_strides, b.shape, b_strides, out_shape)
            except capi.OneDNNError as error:
                if not error.unimplemented and error.status != 2:  # 2: invalid arguments
                    raise
                plan = _DECLINED
            _plans[key] = plan
    return plan

