"""Fused activation primitives: relu, softmax, log_softmax, and sparse softmax cross-entropy.

Each is a primitive rather than a composite because it is on every training step's hot
path and the fused kernel is one NumPy pass where the composite would be several
(softmax: max, subtract, exp, sum, divide), and because the fused forms are the
numerically stable ones.  Their gradient rules are still Fluxion ops, so they
differentiate again.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.errors import InvalidArgumentError, op_error
from fluxion.core.primitive import Aval, bind, define, first_input_axis
from fluxion.core.primitives import elementwise
from fluxion.core.primitives.reduce import reduce_sum
from fluxion.core.tensor import Tensor


def _float_rule(x: Aval, **_) -> Aval:
    if not x.dtype.is_floating:
        raise TypeError(f"expected a floating-point tensor, got {x.dtype.name}")
    return x


# --- relu ------------------------------------------------------------------------------------
def _relu_kernel(x, out=None):
    return np.maximum(x, 0, dtype=x.dtype, out=out)


def _relu_grad_kernel(g, y, out=None):
    # A float mask multiplied in place: faster than np.where (3x) or a bool-float multiply.
    mask = np.greater(y, 0).astype(g.dtype)
    return np.multiply(mask, g, out=mask if out is None else out)


relu_grad_p = define(
    "relu_grad", _relu_grad_kernel, lambda g, out: Aval(g.shape, g.dtype),
    # d/dg of where(out > 0, g, 0) is the same mask; the mask itself is piecewise constant.
    lambda gg, xs, out: (bind(relu_grad_p, gg, xs[1]), None), fresh_output=True,
    in_place=(0,))
relu_p = define("relu", _relu_kernel, lambda x: x,
                lambda g, xs, out: (bind(relu_grad_p, g, out),), fresh_output=True,
                in_place=(0,))


# --- softmax and log_softmax over one axis ------------------------------------------------------
def _softmax_kernel(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=axis, keepdims=True)
    return shifted


def _log_softmax_kernel(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _softmax_vjp(g, xs, out, axis):
    return (bind(softmax_grad_p, g, out, axis=axis),)


def _softmax_grad_kernel(g, y, axis):
    # (g - sum(g * y)) * y in one buffer: four passes, where the composite of mul,
    # reduce_sum, sub and mul allocates three tensors of the (often large) input size.
    product = np.multiply(g, y)
    total = product.sum(axis=axis, keepdims=True)
    np.subtract(g, total, out=product)
    product *= y
    return product


def _softmax_grad_rule(g: Aval, y: Aval, axis) -> Aval:
    if g.dtype is not y.dtype or len(g.shape) != len(y.shape):
        raise TypeError(f"softmax_grad expects a gradient and softmax output of one dtype "
                        f"and rank, got {g.dtype.name}{list(g.shape)} and "
                        f"{y.dtype.name}{list(y.shape)}")
    return _float_rule(g)


def _softmax_grad_vjp(gg, xs, out, axis):
    g, y = xs
    # Linear and self-adjoint in g; d/dy of (g - <g, y>) y is gg (g - <g, y>) - g <gg, y>.
    along = dict(axis=axis, keepdims=True)
    wrt_y = gg * (g - reduce_sum(g * y, **along)) - g * reduce_sum(gg * y, **along)
    return bind(softmax_grad_p, gg, y, axis=axis), wrt_y


def _log_softmax_vjp(g, xs, out, axis):
    return (g - elementwise.exp(out) * reduce_sum(g, axis=axis, keepdims=True),)


# The axis is made non-negative at bind: the sparse cross-entropy's gradient (axis=-1)
# and a model's softmax output (axis=1 for 2-D logits) are then one node, computed once.
softmax_p = define("softmax", _softmax_kernel, _float_rule, _softmax_vjp, fresh_output=True,
                   canonicalize=first_input_axis())
# The softmax VJP (g - sum(g * y, axis)) * y as one primitive; y is softmax's output.
softmax_grad_p = define("softmax_grad", _softmax_grad_kernel, _softmax_grad_rule,
                        _softmax_grad_vjp, fresh_output=True)
log_softmax_p = define("log_softmax", _log_softmax_kernel, _float_rule, _log_softmax_vjp,
                       fresh_output=True, canonicalize=first_input_axis())


# --- sparse softmax cross-entropy ---------------------------------------------------------------
def _sparse_xent_kernel(labels, logits):
    classes = logits.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = labels[(labels < 0) | (labels >= classes)].reshape(-1)[0]
        raise op_error(InvalidArgumentError, "sparse_softmax_cross_entropy_with_logits",
                       f"received a label value of {bad} which is outside the valid range "
                       f"of [0, {classes}).")
    log_probs = _log_softmax_kernel(logits, -1)
    picked = np.take_along_axis(log_probs, labels[..., None].astype(np.intp), axis=-1)
    return -picked[..., 0]


def _sparse_xent_rule(labels: Aval, logits: Aval) -> Aval:
    if not labels.dtype.is_integer:
        raise TypeError(f"labels must be integers, got {labels.dtype.name}")
    if not logits.dtype.is_floating:
        raise TypeError(f"logits must be floating point, got {logits.dtype.name}")
    if len(labels.shape) + 1 != len(logits.shape):
        raise ValueError(f"labels must have rank one less than logits; got labels shape "
                         f"{list(labels.shape)} and logits shape {list(logits.shape)}")
    for a, b in zip(labels.shape, logits.shape[:-1]):
        if a is not None and b is not None and a != b:
            raise ValueError(f"labels shape {list(labels.shape)} must equal logits shape "
                             f"without its last axis, {list(logits.shape[:-1])}")
    return Aval(logits.shape[:-1], logits.dtype)


def _sparse_xent_vjp(g, xs, out):
    labels, logits = xs
    probs = bind(softmax_p, logits, axis=-1)
    return None, (probs - one_hot_like(labels, logits)) * expand_last(g)


sparse_softmax_xent_p = define("sparse_softmax_cross_entropy", _sparse_xent_kernel,
                               _sparse_xent_rule, _sparse_xent_vjp, fresh_output=True)


def one_hot_like(labels: Tensor, logits: Tensor) -> Tensor:
    """A one-hot float tensor of logits' shape with ones at ``labels`` (last axis)."""
    from fluxion.core.primitives.shape import expand_dims

    depth = logits.shape[-1]
    classes = Tensor(np.arange(depth, dtype=labels.dtype.np_dtype))
    hits = elementwise.equal(expand_dims(labels, -1), classes)
    return elementwise.cast(hits, logits.dtype)


def expand_last(x: Tensor) -> Tensor:
    from fluxion.core.primitives.shape import expand_dims

    return expand_dims(x, -1)

