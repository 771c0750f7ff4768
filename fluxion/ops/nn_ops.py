"""Activations, losses and normalisation of ``fluxion.nn`` (``tf.nn``).

``relu``, ``softmax``, ``log_softmax`` and the sparse cross-entropy are fused primitives
(``fluxion.core.primitives.activation``); everything else is composed and gets its
gradient for free.  Losses are written in their numerically stable forms: no NaN or
inf for logits of +-1e4.
"""

from __future__ import annotations

import math

from fluxion.core.errors import op_error
from fluxion.core.primitive import bind
from fluxion.core.primitives import activation, elementwise
from fluxion.core.primitives.reduce import reduce_sum
from fluxion.core.primitives.runtime_check import ShapeCheck, require
from fluxion.core.primitives.shape import reshape
from fluxion.core.shape_rules import normalize_axes, normalize_axis
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.math_ops import log_sigmoid, sigmoid, softplus, softsign

__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "softmax",
    "log_softmax", "softplus", "softsign", "sigmoid", "tanh", "log_sigmoid",
    "softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits",
    "sigmoid_cross_entropy_with_logits", "weighted_cross_entropy_with_logits", "l2_loss",
    "l2_normalize", "bias_add", "moments", "batch_normalization", "crelu",
]

tanh = elementwise.tanh


def _float(x, op: str) -> Tensor:
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        raise op_error(TypeError, op, f"expected a floating-point tensor, got dtype "
                                      f"{x.dtype.name}; cast it first with fluxion.cast.")
    return x


def relu(features, name=None) -> Tensor:
    """``max(features, 0)``; the gradient at 0 is 0, as in TF.

    >>> relu([-1.0, 2.0]).numpy()
    array([0., 2.], dtype=float32)
    """
    x = features if type(features) is Tensor else convert_to_tensor(features)
    return bind(activation.relu_p, x)


def relu6(features, name=None) -> Tensor:
    """``min(max(features, 0), 6)``."""
    return elementwise.minimum(relu(features), 6)


def leaky_relu(features, alpha: float = 0.2, name=None) -> Tensor:
    """``features`` where positive, ``alpha * features`` elsewhere."""
    x = _float(features, "leaky_relu")
    return elementwise.select(elementwise.greater(x, 0), x, x * alpha)


def elu(features, name=None) -> Tensor:
    """``features`` where positive, ``exp(features) - 1`` elsewhere."""
    x = _float(features, "elu")
    # expm1 of min(x, 0): the unselected branch must not overflow (inf * 0 = NaN gradients).
    negative_part = elementwise.expm1(elementwise.minimum(x, 0))
    return elementwise.select(elementwise.greater(x, 0), x, negative_part)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(features, name=None) -> Tensor:
    """Scaled ELU with the self-normalising constants of Klambauer et al. (2017)."""
    x = _float(features, "selu")
    negative = elementwise.expm1(elementwise.minimum(x, 0)) * _SELU_ALPHA
    return elementwise.select(elementwise.greater(x, 0), x, negative) * _SELU_SCALE


def gelu(features, approximate: bool = False, name=None) -> Tensor:
    """Gaussian error linear unit: ``x * P(X <= x)`` for standard normal X.

    With ``approximate=True`` it uses the tanh approximation, as TF does.
    """
    x = _float(features, "gelu")
    if approximate:
        inner = (x + x * x * x * 0.044715) * math.sqrt(2 / math.pi)
        return x * 0.5 * (elementwise.tanh(inner) + 1)
    return x * 0.5 * (elementwise.erf(x * (1 / math.sqrt(2))) + 1)


def silu(features, beta: float = 1.0, name=None) -> Tensor:
    """``features * sigmoid(beta * features)`` (also called swish)."""
    x = _float(features, "silu")
    return x * sigmoid(x * beta if beta != 1.0 else x)


swish = silu


def crelu(features, axis: int = -1, name=None) -> Tensor:
    """Concatenates ``relu(x)`` and ``relu(-x)`` along ``axis``."""
    from fluxion.core.primitives.shape import concat

    x = _float(features, "crelu")
    return concat([relu(x), relu(elementwise.neg(x))], axis=axis)


def softmax(logits, axis: int = -1, name=None) -> Tensor:
    """``exp(logits) / sum(exp(logits), axis)``, computed stably.

    >>> softmax([0.0, 0.0]).numpy()
    array([0.5, 0.5], dtype=float32)
    """
    x = _float(logits, "softmax")
    return bind(activation.softmax_p, x, axis=normalize_axis(axis, len(shape_tuple(x))))


def log_softmax(logits, axis: int = -1, name=None) -> Tensor:
    """``logits - log(sum(exp(logits), axis))``, computed stably."""
    x = _float(logits, "log_softmax")
    return bind(activation.log_softmax_p, x, axis=normalize_axis(axis, len(shape_tuple(x))))


def softmax_cross_entropy_with_logits(labels, logits, axis: int = -1, name=None) -> Tensor:
    """Cross-entropy between a distribution ``labels`` and ``softmax(logits)`` per example.

    Gradients flow to both ``labels`` and ``logits``, as in TF 2.
    """
    logits = _float(logits, "softmax_cross_entropy_with_logits")
    labels = convert_to_tensor(labels, dtype=logits.dtype)
    if shape_tuple(labels) != shape_tuple(logits):
        raise op_error(ValueError, "softmax_cross_entropy_with_logits",
                       f"labels and logits must have the same shape, got "
                       f"{list(shape_tuple(labels))} and {list(shape_tuple(logits))}")
    return elementwise.neg(reduce_sum(labels * log_softmax(logits, axis), axis=axis))


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None) -> Tensor:
    """Cross-entropy of integer class ``labels`` against ``logits`` (classes on the last axis).

    >>> float(sparse_softmax_cross_entropy_with_logits([0], [[0.0, 0.0]])[0])  # log 2
    0.6931471824645996
    """
    logits = _float(logits, "sparse_softmax_cross_entropy_with_logits")
    labels = convert_to_tensor(labels)
    return bind(activation.sparse_softmax_xent_p, labels, logits)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None) -> Tensor:
    """Elementwise logistic loss ``-z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x))``.

    Computed as ``max(x, 0) - x z + log(1 + exp(-|x|))``: finite for any logits.
    """
    if labels is None or logits is None:
        raise ValueError("sigmoid_cross_entropy_with_logits needs both labels= and logits=")
    x = _float(logits, "sigmoid_cross_entropy_with_logits")
    z = convert_to_tensor(labels, dtype=x.dtype)
    if not _compatible_shapes(shape_tuple(z), shape_tuple(x)):
        raise op_error(ValueError, "sigmoid_cross_entropy_with_logits",
                       f"labels and logits must have the same shape, got "
                       f"{list(shape_tuple(z))} and {list(shape_tuple(x))}")
    if None in shape_tuple(z) or None in shape_tuple(x):  # equal when it runs, as eagerly
        x = require("sigmoid_cross_entropy_with_logits", ShapeCheck.of("same_shapes"), x, z)
    softplus_of_minus_abs = elementwise.log1p(elementwise.exp(elementwise.neg(elementwise.abs_(x))))
    return elementwise.maximum(x, 0) - x * z + softplus_of_minus_abs


def _compatible_shapes(a: tuple, b: tuple) -> bool:
    """Same rank, and each pair of dimensions equal or one unknown (traced: None)."""
    return len(a) == len(b) and all(p is None or q is None or p == q for p, q in zip(a, b))


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None) -> Tensor:
    """Like ``sigmoid_cross_entropy_with_logits`` with positives weighted by ``pos_weight``."""
    x = _float(logits, "weighted_cross_entropy_with_logits")
    z = convert_to_tensor(labels, dtype=x.dtype)
    log_weight = (z * (convert_to_tensor(pos_weight, dtype=x.dtype) - 1)) + 1
    softplus_of_minus_abs = elementwise.log1p(elementwise.exp(elementwise.neg(elementwise.abs_(x))))
    return (1 - z) * x + log_weight * (softplus_of_minus_abs + relu(elementwise.neg(x)))


def l2_loss(t, name=None) -> Tensor:
    """``sum(t ** 2) / 2``."""
    t = _float(t, "l2_loss")
    return reduce_sum(t * t) * 0.5


def l2_normalize(x, axis=None, epsilon: float = 1e-12, name=None, dim=None) -> Tensor:
    """``x / sqrt(max(sum(x ** 2, axis), epsilon))``."""
    x = _float(x, "l2_normalize")
    axis = dim if axis is None else axis
    squared = reduce_sum(x * x, axis=axis, keepdims=True)
    return x * elementwise.rsqrt(elementwise.maximum(squared, epsilon))


def bias_add(value, bias, data_format=None, name=None) -> Tensor:
    """Adds the 1-D ``bias`` along the channel axis (last for NHWC, 1 for NC...)."""
    value = convert_to_tensor(value)
    bias = convert_to_tensor(bias, dtype=value.dtype)
    shape, bias_shape = shape_tuple(value), shape_tuple(bias)
    if len(bias_shape) != 1:
        raise op_error(ValueError, "bias_add", f"bias must be 1-D, got shape {list(bias_shape)}")
    channels_first = data_format is not None and data_format.startswith("NC")
    axis = 1 if channels_first else len(shape) - 1
    if len(shape) < 2 or shape[axis] not in (None, bias_shape[0]):
        raise op_error(ValueError, "bias_add",
                       f"bias of size {bias_shape[0]} must match dimension {axis} of value "
                       f"shape {list(shape)}")
    if shape[axis] is None or bias_shape[0] is None:  # must match when it runs, as eagerly
        value = require("bias_add", ShapeCheck.of("channels_match", axis=axis), value, bias)
    if channels_first:
        bias = reshape(bias, [-1] + [1] * (len(shape) - 2))
    return elementwise.add(value, bias)


def moments(x, axes, shift=None, keepdims: bool = False, name=None):
    """The mean and variance of ``x`` over ``axes``; returns ``(mean, variance)``."""
    x = _float(x, "moments")
    rank = len(shape_tuple(x))
    axes = normalize_axes(axes, rank)
    from fluxion.ops.reduce_ops import reduce_mean  # counts unknown dimensions at run time

    mean = reduce_mean(x, axis=axes, keepdims=True)
    deviation = elementwise.sub(x, mean)
    variance = reduce_mean(deviation * deviation, axis=axes, keepdims=True)
    if not keepdims:
        from fluxion.core.primitives.shape import squeeze

        mean, variance = squeeze(mean, axes), squeeze(variance, axes)
    return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset``; offset/scale may be None."""
    x = _float(x, "batch_normalization")
    variance = convert_to_tensor(variance, dtype=x.dtype)
    inv = elementwise.rsqrt(elementwise.add(variance, variance_epsilon))
    if scale is not None:
        inv = inv * convert_to_tensor(scale, dtype=x.dtype)
    shift = elementwise.neg(convert_to_tensor(mean, dtype=x.dtype) * inv)
    if offset is not None:
        shift = shift + convert_to_tensor(offset, dtype=x.dtype)
    return x * inv + shift


