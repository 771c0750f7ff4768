"""oneDNN's kernel for ``adam_update``: Adam's update in four fused passes over memory.

NumPy computes Adam's update (``fluxion.core.primitives.optimizer_updates``) in twelve
elementwise passes; on arrays larger than the CPU's cache each pass costs its memory
traffic.  oneDNN's *binary* primitive takes a chain of post-ops (elementwise functions,
further binary operations with other arrays) and compiles the whole chain into one
loop, so each new array is one pass:

    m' = ((g - m) * (1 - beta_1)) + m               sub,  linear, add m
    v' = (((g * g) - v) * (1 - beta_2)) + v         mul,  sub v, linear, add v
    d  = sqrt(v' + 0) + epsilon                     add 0, sqrt, linear
    w' = -((m' * alpha) / d) + w                    mul alpha, div d, linear -1, add w

Every operation is the one Keras's formula does, in the same order and in float32
(``linear`` with ``beta = 0`` is one product, negation and ``x + 0`` are exact), so the
result is bit for bit NumPy's.  ``alpha`` changes every step; it enters as a
one-element array broadcast by the primitive, so the compiled primitives serve every
step.  (An eltwise primitive with the same post-op chain would save the ``+ 0``, but
oneDNN 3.2 runs it in its slow reference code.)

Arrays under ``MIN_SIZE`` elements go to NumPy: the four primitive calls cost about
30 microseconds whatever the size, more than NumPy's twelve passes over a small array.
Measured with ``benchmarks/adam_update.py`` (one thread, CPU time, this project's 2-core
machine at load average 8): 200,704 elements (a 784x256 kernel) 436 us NumPy / 356 us
oneDNN (1.22x); 65,536: 91 / 90 (1.01x); 32,768: 44 / 52; 16,384: 25 / 40; 256: 4 / 29.
"""

from __future__ import annotations

import threading

import numpy as np

from fluxion.backend.onednn import capi, library
from fluxion.backend.onednn.memory import Descriptors, PrimitiveDesc, Step

MIN_SIZE = 131072

_plans: dict[tuple, _Plan] = {}
_lock = threading.Lock()


class _Plan:
    """The four primitives of one array size and one (beta_1, beta_2, epsilon)."""

    def __init__(self, api, size: int, beta_1: float, beta_2: float, epsilon: float):
        self.descs = descs = Descriptors(api)
        array = descs.strided([size], [1], capi.F32)
        scalar = descs.strided([1], [1], capi.F32)
        linear = capi.ELTWISE_LINEAR
        self.m = _binary(api, capi.BINARY_SUB, array, array, [
            (linear, 1 - beta_1, 0.0), (capi.BINARY_ADD, array)])
        self.v = _binary(api, capi.BINARY_MUL, array, array, [
            (capi.BINARY_SUB, array), (linear, 1 - beta_2, 0.0), (capi.BINARY_ADD, array)])
        self.d = _binary(api, capi.BINARY_ADD, array, scalar, [
            (capi.ELTWISE_SQRT, 0.0, 0.0), (linear, 1.0, epsilon)])
        self.w = _binary(api, capi.BINARY_MUL, array, scalar, [
            (capi.BINARY_DIV, array), (linear, -1.0, 0.0), (capi.BINARY_ADD, array)])
        self.zero = np.zeros(1, np.float32)

    def run(self, g, m, v, w, alpha, out=None):
        v_new, w_new, denominator = np.empty_like(v), np.empty_like(w), np.empty_like(v)
        m_new = np.empty_like(m) if out is None else out
        self.v.run(g, g, v_new, v, v)
        self.m.run(g, m, m_new, m)  # last read of g: m' may overwrite it (src0 in place)
        self.d.run(v_new, self.zero, denominator)
        self.w.run(m_new, alpha, w_new, denominator, w)
        return m_new, v_new, w_new


def _binary(api, algorithm: int, src0, src1, chain: list[tuple]) -> Step:
    """A binary primitive ``src0 (algorithm) src1`` followed by the post-ops of ``chain``:
    ``(eltwise algorithm, alpha, beta)`` or ``(binary algorithm, descriptor)``.  The
    step's arguments: src0, src1, dst, then the binary post-ops' operands in order."""
    post_ops = api.new_handle("post_ops_create")
    attr = api.new_handle("primitive_attr_create")
    arguments = [(capi.ARG_SRC_0, src0), (capi.ARG_SRC_1, src1), (capi.ARG_DST, src0)]
    try:
        for index, operation in enumerate(chain):
            if len(operation) == 3:
                api.call("post_ops_append_eltwise", post_ops, *operation)
            else:
                api.call("post_ops_append_binary", post_ops, *operation)
                arguments.append((capi.post_op_arg(index), operation[1]))
        api.call("primitive_attr_set_post_ops", attr, post_ops)
        pd = PrimitiveDesc(api, "binary_primitive_desc_create", api.engine, algorithm, src0,
                           src1, src0, attr)
    finally:  # the primitive descriptor keeps its own copy of the attributes
        api.primitive_attr_destroy(attr)
        api.post_ops_destroy(post_ops)
    return Step(api, pd, arguments)


def adam_update(api, g, m, v, w, alpha, beta_1, beta_2, epsilon, out=None):
    """``(m', v', w')``, or None where NumPy's kernel should run (not float32, not
    contiguous, small).  ``out``: a buffer for ``m'`` (the gradient's own, or None)."""
    if w.dtype != np.float32 or w.size < MIN_SIZE:
        return None
    arrays = (g, m, v, w) if out is None else (g, m, v, w, out)
    if any(a.dtype != np.float32 or a.shape != w.shape or not a.flags.c_contiguous
           for a in arrays):
        return None
    alpha = np.ascontiguousarray(alpha, dtype=np.float32).reshape(1)
    key = (w.size, beta_1, beta_2, epsilon, library.openmp_threads())  # keeps its threads
    plan = _plans.get(key)
    if plan is None:
        with _lock:
            plan = _plans.get(key)
            if plan is None:
                plan = _plans[key] = _Plan(api, w.size, beta_1, beta_2, epsilon)
    return plan.run(g, m, v, w, alpha, out)
