"""``keras.ops.nn``: activations, ``one_hot``/``multi_hot``, cross-entropies, moments and
normalizations, and ``dot_product_attention``.

Keras's defaults, which differ from TensorFlow's in places: ``gelu`` is the tanh
approximation unless ``approximate=False``; ``leaky_relu``'s slope is 0.2;
``hard_sigmoid`` is ``relu6(x + 3) / 6``; probability inputs of the cross-entropies are
clipped to ``[epsilon, 1 - epsilon]``; ``one_hot`` gives ``floatx()``.

>>> from fluxion.keras import ops
>>> ops.relu([-1.0, 2.0]).numpy()
array([0., 2.], dtype=float32)
"""

from __future__ import annotations

import math

from fluxion.keras import config
from fluxion.keras.ops.promotion import export, float_tensor, standardize_dtype, tensor
from fluxion.ops import (
    array_ops,
    clip_ops,
    creation_ops,
    linalg_ops,
    math_ops,
    nn_ops,
    reduce_ops,
    sort_ops,
)

__all__ = [
    "relu", "relu6", "sigmoid", "softmax", "log_softmax", "gelu", "silu", "swish", "elu",
    "selu", "celu", "glu", "softplus", "softsign", "leaky_relu", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink", "squareplus",
    "sparse_plus", "sparse_sigmoid", "sparsemax", "threshold", "log_sigmoid", "one_hot",
    "multi_hot", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "binary_crossentropy", "moments", "batch_normalization", "normalize",
    "layer_normalization", "rms_normalization", "psnr", "dot_product_attention",
]


# --- activations ----------------------------------------------------------------------------
def relu(x):
    """``max(x, 0)``."""
    return nn_ops.relu(tensor(x))


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return nn_ops.relu6(tensor(x))


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return math_ops.sigmoid(float_tensor(x))


def _axis(axis):
    return axis if axis is None or isinstance(axis, int) else list(axis)


def softmax(x, axis: int = -1):
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int or a tuple)."""
    x = float_tensor(x)
    if isinstance(axis, int):
        return nn_ops.softmax(x, axis=axis)
    shifted = x - creation_ops.stop_gradient(
        reduce_ops.reduce_max(x, axis=_axis(axis), keepdims=True)
    )
    e = math_ops.exp(shifted)
    return e / reduce_ops.reduce_sum(e, axis=_axis(axis), keepdims=True)


def log_softmax(x, axis: int = -1):
    """``x - logsumexp(x)`` along ``axis``."""
    x = float_tensor(x)
    if isinstance(axis, int):
        return nn_ops.log_softmax(x, axis=axis)
    return x - reduce_ops.reduce_logsumexp(x, axis=_axis(axis), keepdims=True)


def gelu(x, approximate: bool = True):
    """The Gaussian error linear unit (tanh approximation by default, as in Keras)."""
    return nn_ops.gelu(float_tensor(x), approximate=approximate)


def silu(x):
    """``x * sigmoid(x)``."""
    return nn_ops.silu(float_tensor(x))


swish = silu


def elu(x, alpha: float = 1.0):
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    x = float_tensor(x)
    return array_ops.where(x > 0, x, alpha * math_ops.expm1(math_ops.minimum(x, 0)))


def selu(x):
    """The scaled exponential linear unit."""
    return nn_ops.selu(float_tensor(x))


def celu(x, alpha: float = 1.0):
    """``max(x, 0) + min(alpha * (exp(x / alpha) - 1), 0)``."""
    x = float_tensor(x)
    return math_ops.maximum(x, 0) + math_ops.minimum(
        alpha * math_ops.expm1(math_ops.minimum(x, 0) / alpha), 0
    )


def glu(x, axis: int = -1):
    """The gated linear unit: halves ``a, b`` of ``x`` along ``axis`` give ``a * sigmoid(b)``."""
    x = float_tensor(x)
    if x.shape[axis] is not None and x.shape[axis] % 2:
        raise ValueError(
            f"axis size must be divisible by 2. Received: x.shape={x.shape} with axis={axis}"
        )
    a, b = array_ops.split(x, 2, axis=axis)
    return a * math_ops.sigmoid(b)


def softplus(x):
    """``log(1 + exp(x))``."""
    return math_ops.softplus(float_tensor(x))


def softsign(x):
    """``x / (1 + |x|)``."""
    return math_ops.softsign(float_tensor(x))


def leaky_relu(x, negative_slope: float = 0.2):
    """``x`` for ``x >= 0``, else ``negative_slope * x``."""
    return nn_ops.leaky_relu(float_tensor(x), alpha=negative_slope)


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``."""
    return nn_ops.relu6(float_tensor(x) + 3.0) / 6.0


def hard_silu(x):
    """``x * hard_sigmoid(x)``."""
    x = float_tensor(x)
    return x * (nn_ops.relu6(x + 3.0) / 6.0)


hard_swish = hard_silu


def hard_tanh(x):
    """``clip(x, -1, 1)``."""
    x = float_tensor(x)
    return clip_ops.clip_by_value(x, -1.0, 1.0)


def hard_shrink(x, threshold: float = 0.5):
    """``x`` where ``|x| > threshold``, else 0."""
    x = float_tensor(x)
    return array_ops.where(math_ops.abs(x) > threshold, x, creation_ops.zeros_like(x))


def soft_shrink(x, threshold: float = 0.5):
    """``x`` moved ``threshold`` towards 0, and 0 inside ``[-threshold, threshold]``."""
    x = float_tensor(x)
    zero = creation_ops.zeros_like(x)
    return array_ops.where(
        x > threshold, x - threshold, array_ops.where(x < -threshold, x + threshold, zero)
    )


def tanh_shrink(x):
    """``x - tanh(x)``."""
    x = float_tensor(x)
    return x - math_ops.tanh(x)


def squareplus(x, b: float = 4):
    """``(x + sqrt(x**2 + b)) / 2``."""
    x = float_tensor(x)
    return (x + math_ops.sqrt(x * x + b)) / 2


def sparse_plus(x):
    """0 below -1, ``x`` above 1, ``(x + 1)**2 / 4`` between."""
    x = float_tensor(x)
    middle = (x + 1) * (x + 1) / 4
    return array_ops.where(x <= -1, creation_ops.zeros_like(x), array_ops.where(x >= 1, x, middle))


def sparse_sigmoid(x):
    """0 below -1, 1 above 1, ``(x + 1) / 2`` between."""
    x = float_tensor(x)
    return clip_ops.clip_by_value((x + 1) / 2, 0.0, 1.0)


def sparsemax(x, axis: int = -1):
    """The Euclidean projection of ``x`` onto the probability simplex, along ``axis``."""
    x = float_tensor(x)
    moved = axis % x.ndim != x.ndim - 1
    if moved:
        perm = list(range(x.ndim))
        perm[axis], perm[-1] = perm[-1], perm[axis]
        x = array_ops.transpose(x, perm)
    ordered = array_ops.reverse(sort_ops.sort(x, axis=-1), [-1])
    ranks = reduce_ops.cumsum(creation_ops.ones_like(x), axis=-1)
    running = reduce_ops.cumsum(ordered, axis=-1)
    support = 1 + ranks * ordered > running
    size = reduce_ops.reduce_sum(array_ops.cast(support, x.dtype), axis=-1, keepdims=True)
    total = reduce_ops.reduce_sum(
        array_ops.where(support, ordered, creation_ops.zeros_like(ordered)), axis=-1, keepdims=True
    )
    result = nn_ops.relu(x - (total - 1) / size)
    return array_ops.transpose(result, perm) if moved else result


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    x = float_tensor(x)
    return array_ops.where(x > threshold, x, array_ops.cast(default_value, x.dtype))


def log_sigmoid(x):
    """``log(sigmoid(x))``, computed stably."""
    return math_ops.log_sigmoid(float_tensor(x))


# --- encodings --------------------------------------------------------------------------------
def one_hot(x, num_classes: int, axis: int = -1, dtype=None, sparse: bool = False):
    """One-hot vectors of length ``num_classes`` (``floatx()``); out-of-range ids give
    zeros."""
    dtype = standardize_dtype(dtype) or config.floatx()
    return array_ops.one_hot(tensor(x, "int32"), num_classes, axis=axis, dtype=dtype)


def multi_hot(inputs, num_classes=None, axis: int = -1, dtype=None, sparse: bool = False, **kwargs):
    """Multi-hot vectors: 1 at every class id present in each row of ``inputs``."""
    num_classes = kwargs.pop("num_tokens", num_classes)
    if num_classes is None:
        raise ValueError("Argument `num_classes` must be specified.")
    x = tensor(inputs, "int32")
    single = x.ndim == 1
    if single:
        x = array_ops.expand_dims(x, 0)
    encoded = reduce_ops.reduce_max(
        one_hot(x, num_classes, axis=axis, dtype=dtype), axis=-2 if axis == -1 else x.ndim - 1
    )
    return array_ops.squeeze(encoded, [0]) if single else encoded


# --- losses -----------------------------------------------------------------------------------
def _check_same_shape(target, output, op: str):
    if len(target.shape) != len(output.shape):
        raise ValueError(
            f"Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={target.shape}, "
            f"output.shape={output.shape}"
        )


def categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1):
    """Cross-entropy between one-hot (or soft) ``target`` and ``output`` along ``axis``."""
    output = float_tensor(output)
    target = array_ops.cast(tensor(target), output.dtype)
    _check_same_shape(target, output, "categorical_crossentropy")
    if from_logits:
        return -reduce_ops.reduce_sum(target * nn_ops.log_softmax(output, axis=axis), axis=axis)
    output = output / reduce_ops.reduce_sum(output, axis=axis, keepdims=True)
    eps = config.epsilon()
    output = clip_ops.clip_by_value(output, eps, 1.0 - eps)
    return -reduce_ops.reduce_sum(target * math_ops.log(output), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1):
    """Cross-entropy between integer class ids ``target`` and ``output``."""
    output = float_tensor(output)
    target = tensor(target, "int32")
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = array_ops.squeeze(target, [-1])
    if axis != -1 and axis != output.ndim - 1:
        perm = [a for a in range(output.ndim) if a != axis % output.ndim] + [axis % output.ndim]
        output = array_ops.transpose(output, perm)
    if from_logits:
        log_probs = nn_ops.log_softmax(output, axis=-1)
    else:
        output = output / reduce_ops.reduce_sum(output, axis=-1, keepdims=True)
        eps = config.epsilon()
        log_probs = math_ops.log(clip_ops.clip_by_value(output, eps, 1.0 - eps))
    labels = array_ops.one_hot(target, creation_ops.shape(output)[-1], dtype=output.dtype)
    return -reduce_ops.reduce_sum(labels * log_probs, axis=-1)


def binary_crossentropy(target, output, from_logits: bool = False):
    """Elementwise binary cross-entropy between ``target`` and ``output``."""
    output = float_tensor(output)
    target = array_ops.cast(tensor(target), output.dtype)
    _check_same_shape(target, output, "binary_crossentropy")
    if from_logits:
        return nn_ops.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = config.epsilon()
    output = clip_ops.clip_by_value(output, eps, 1.0 - eps)
    return -(target * math_ops.log(output) + (1 - target) * math_ops.log(1 - output))


# --- statistics and normalization ---------------------------------------------------------------
def moments(x, axes, keepdims: bool = False, synchronized: bool = False):
    """``(mean, variance)`` of ``x`` over ``axes``; float16 is computed in float32."""
    x = float_tensor(x)
    axes = [axes] if isinstance(axes, int) else list(axes)
    wide = x.dtype.name in ("float16", "bfloat16")
    work = array_ops.cast(x, "float32") if wide else x
    mean, variance = nn_ops.moments(work, axes, keepdims=keepdims)
    if wide:
        mean, variance = array_ops.cast(mean, x.dtype), array_ops.cast(variance, x.dtype)
    return mean, variance


def batch_normalization(
    x, mean, variance, axis: int, offset=None, scale=None, epsilon: float = 1e-3
):
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset``; the statistics are 1-D,
    along ``axis``."""
    x = float_tensor(x)
    axis = axis % x.ndim
    shape = [1] * x.ndim
    shape[axis] = -1

    def along(value):
        return (
            None
            if value is None
            else array_ops.reshape(array_ops.cast(tensor(value), x.dtype), shape)
        )

    inv = math_ops.rsqrt(along(variance) + epsilon)
    if scale is not None:
        inv = inv * along(scale)
    result = (x - along(mean)) * inv
    return result if offset is None else result + along(offset)


def normalize(x, axis: int = -1, order: int = 2, epsilon=None):
    """``x`` divided by its ``order``-norm along ``axis`` (at least ``epsilon``)."""
    x = float_tensor(x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        return nn_ops.l2_normalize(x, axis=axis, epsilon=epsilon * epsilon)
    norm = linalg_ops.norm(x, ord=order, axis=axis, keepdims=True)
    return x / math_ops.maximum(norm, epsilon)


def layer_normalization(x, gamma=None, beta=None, axis: int = -1, epsilon=None, **kwargs):
    """``x`` normalized over ``axis`` to zero mean and unit variance, then scaled by
    ``gamma`` and shifted by ``beta``."""
    x = float_tensor(x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    axes = [axis] if isinstance(axis, int) else list(axis)
    mean, variance = nn_ops.moments(x, axes, keepdims=True)
    result = (x - mean) * math_ops.rsqrt(variance + epsilon)
    if gamma is not None:
        result = result * array_ops.cast(tensor(gamma), x.dtype)
    if beta is not None:
        result = result + array_ops.cast(tensor(beta), x.dtype)
    return result


def rms_normalization(x, scale=None, axis: int = -1, epsilon=None):
    """``x / sqrt(mean(x**2) + epsilon) * scale`` over ``axis``."""
    x = float_tensor(x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    result = x * math_ops.rsqrt(
        reduce_ops.reduce_mean(x * x, axis=_axis(axis), keepdims=True) + epsilon
    )
    return result if scale is None else result * array_ops.cast(tensor(scale), x.dtype)


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio in decibels."""
    x1, x2 = float_tensor(x1), float_tensor(x2)
    mse = reduce_ops.reduce_mean(math_ops.square(x1 - array_ops.cast(x2, x1.dtype)))
    ten = math.log(10.0)
    return 20 * math_ops.log(array_ops.cast(max_val, x1.dtype)) / ten - 10 * math_ops.log(mse) / ten


def dot_product_attention(
    query,
    key,
    value,
    bias=None,
    mask=None,
    scale=None,
    is_causal: bool = False,
    flash_attention=None,
    attn_logits_soft_cap=None,
):
    """Scaled dot-product attention on ``(batch, length, heads, head_dim)`` tensors.

    Args:
      query: ``(B, T, N, H)`` (or ``(B, T, H)``); key/value: ``(B, S, K, H)`` with ``K``
        dividing ``N`` (grouped-query attention).
      bias: added to the ``(B, N, T, S)`` logits.  mask: bool, broadcast to the logits;
        False masks a position out.  scale: defaults to ``1 / sqrt(H)``.
      is_causal: mask out future positions.

    Returns:
      ``(B, T, N, H)``.
    """
    query, key, value = float_tensor(query), float_tensor(key), float_tensor(value)
    squeeze = query.ndim == 3
    if squeeze:
        query, key, value = (array_ops.expand_dims(t, 2) for t in (query, key, value))
    heads, kv_heads = query.shape[2], key.shape[2]
    if heads is not None and kv_heads is not None and heads != kv_heads:
        key = array_ops.repeat(key, heads // kv_heads, axis=2)
        value = array_ops.repeat(value, heads // kv_heads, axis=2)
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    logits = linalg_ops.einsum("btnh,bsnh->bnts", query, key) * array_ops.cast(scale, query.dtype)
    if attn_logits_soft_cap is not None:
        logits = attn_logits_soft_cap * math_ops.tanh(logits / attn_logits_soft_cap)
    if bias is not None:
        logits = logits + array_ops.cast(tensor(bias), logits.dtype)
    keep = None if mask is None else array_ops.cast(tensor(mask), "bool")
    if is_causal:
        ones = creation_ops.ones_like(logits, "int32")  # index grids that work for unknown lengths
        causal = reduce_ops.cumsum(ones, axis=-2) >= reduce_ops.cumsum(ones, axis=-1)
        keep = causal if keep is None else math_ops.logical_and(keep, causal)
    if keep is not None:
        lowest = array_ops.cast(-0.7 * float(logits.dtype.max), logits.dtype)
        logits = array_ops.where(keep, logits, lowest)
    weights = nn_ops.softmax(logits, axis=-1)
    result = linalg_ops.einsum("bnts,bsnh->btnh", weights, value)
    return array_ops.squeeze(result, [2]) if squeeze else result


export(globals(), __all__)
