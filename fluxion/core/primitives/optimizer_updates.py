"""Fused optimizer updates: one primitive computes Adam's new moments and variable.

Why a primitive (a profile, not taste): composed from elementwise ops, Adam's update is
twelve NumPy passes per variable, each reading two arrays and writing a third.  For an
MLP 784-256-256-10 at batch 128 that was 700 of a training step's 2,200 microseconds
(one thread, ``benchmarks/train_step_profile.py``), nearly all of it memory traffic.  As
one primitive, a backend with a code generator runs it in four fused passes (oneDNN:
``fluxion/backend/onednn/optimizer.py``), and NumPy's kernel costs what the composed
ops cost.

``adam_update(g, m, v, w, alpha)`` returns ``(m', v', w')`` computed exactly as Keras 3
writes Adam, in the same order and dtype, so the result is bit for bit the composed ops':

    m' = m + (g - m) * (1 - beta_1)
    v' = v + (g * g - v) * (1 - beta_2)
    w' = w - (m' * alpha) / (sqrt(v') + epsilon)

``alpha`` is the step's scalar learning rate with both bias corrections folded in.  The
primitive is pure (the caller assigns the results to the variables), so graph passes
treat it like any other node; it has no gradient (nothing differentiates an update).
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, bind, define
from fluxion.core.tensor import convert_to_tensor


def _adam_update_kernel(g, m, v, w, alpha, beta_1, beta_2, epsilon, out=None):
    """``out``: a buffer of ``g``'s shape to hold ``m'`` (the executor passes the
    gradient's own buffer where the gradient dies here; ``g`` is read for the last time
    before ``m'`` is written into it)."""
    if w.ndim == 0:  # NumPy returns scalars, not arrays, from ufuncs on 0-d arrays
        flat = [a.reshape(1) for a in (g, m, v, w)]
        results = _adam_update_kernel(*flat, alpha, beta_1, beta_2, epsilon,
                                      out=None if out is None else out.reshape(1))
        return tuple(r.reshape(()) for r in results)
    scalar = w.dtype.type
    v_new = np.square(g)
    v_new -= v
    v_new *= scalar(1 - beta_2)
    v_new += v
    m_new = np.subtract(g, m, out=out)
    m_new *= scalar(1 - beta_1)
    m_new += m
    denominator = np.sqrt(v_new)
    denominator += scalar(epsilon)
    w_new = np.multiply(m_new, alpha)
    w_new /= denominator
    np.subtract(w, w_new, out=w_new)
    return m_new, v_new, w_new


def _adam_update_rule(g: Aval, m: Aval, v: Aval, w: Aval, alpha: Aval, **_) -> tuple:
    for name, aval in (("gradient", g), ("m", m), ("v", v)):
        if aval.dtype != w.dtype or not _same_shape(aval.shape, w.shape):
            raise ValueError(f"adam_update: expected the {name} to match the variable "
                             f"({w.dtype.name} {w.shape}), got {aval.dtype.name} "
                             f"{aval.shape}")
    if alpha.shape != () or alpha.dtype != w.dtype:
        raise ValueError(f"adam_update: expected alpha to be a {w.dtype.name} scalar, got "
                         f"{alpha.dtype.name} of shape {alpha.shape}")
    return Aval(w.shape, w.dtype), Aval(w.shape, w.dtype), Aval(w.shape, w.dtype)


def _same_shape(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


# in_place: m' may take the gradient's buffer where the gradient dies at the update (a
# training step's usual case): one array fewer allocated per variable and step.
adam_update_p = define("adam_update", _adam_update_kernel, _adam_update_rule,
                       multiple_results=True, fresh_output=True, in_place=(0,),
                       doc="Adam's new (m, v, variable) from the gradient, in one kernel.")


def adam_update(gradient, m, v, variable, alpha, beta_1: float, beta_2: float,
                epsilon: float) -> tuple:
    """Adam's new first moment, second moment and variable value (see the module)."""
    inputs = [convert_to_tensor(a) for a in (gradient, m, v, variable, alpha)]
    return bind(adam_update_p, *inputs, beta_1=float(beta_1), beta_2=float(beta_2),
                epsilon=float(epsilon))
