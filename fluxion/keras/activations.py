"""Activation functions by name (``keras.activations``), with Keras 3's arguments.

Each activation is a composite of Fluxion ops, so it traces and differentiates like any
op.  ``get`` turns a name, a config or a callable into the function; ``serialize``
gives the name Keras 3 writes into configs.
"""

from __future__ import annotations

import types

from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.keras.engine.tensor_annotations import set_keras_logits
from fluxion.keras.saving.serialization import deserialize_keras_object, serialize_keras_object
from fluxion.ops import array_extra, array_ops, creation_ops, math_ops, nn_ops
from fluxion.ops.array_ops import reshape, split
from fluxion.ops.clip_ops import clip_by_value
from fluxion.ops.reduce_ops import cumsum, reduce_sum
from fluxion.ops.sort_ops import sort

__all__ = [
    "celu", "deserialize", "elu", "exponential", "gelu", "get", "glu", "hard_shrink",
    "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh", "leaky_relu", "linear",
    "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu", "serialize", "sigmoid",
    "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid",
    "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink", "threshold",
]


def _float(x) -> Tensor:
    x = x if type(x) is Tensor else convert_to_tensor(x)
    return x if x.dtype.is_floating else array_ops.cast(x, "float32")


def _zeros(x: Tensor) -> Tensor:
    return creation_ops.zeros_like(x)


def _keep_logits(output: Tensor, logits: Tensor) -> Tensor:
    """Remembers the logits on a probability output (Keras losses look for them)."""
    try:
        set_keras_logits(output, logits)
    except AttributeError:  # Tensor has no slot for it
        pass
    return output


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with a leak below ``threshold``, a cap and a threshold.

    ``x`` above ``threshold`` (capped at ``max_value``), else
    ``negative_slope * (x - threshold)``.

    >>> relu([-2.0, 1.0, 8.0], max_value=6.0).numpy()
    array([0., 1., 6.], dtype=float32)
    """
    x = _float(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0:
        return nn_ops.leaky_relu(x, alpha=negative_slope)
    if threshold != 0:
        positive = array_ops.select(math_ops.greater(x, threshold), x, _zeros(x))
    elif max_value == 6:
        positive, max_value = nn_ops.relu6(x), None
    else:
        positive = nn_ops.relu(x)
    if max_value is not None:
        positive = clip_by_value(positive, 0.0, max_value)
    if negative_slope != 0.0:
        below = nn_ops.relu(threshold - x) if threshold != 0 else nn_ops.relu(-x)
        positive = positive - below * negative_slope
    return positive


def leaky_relu(x, negative_slope=0.2):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    return nn_ops.leaky_relu(_float(x), alpha=negative_slope)


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return nn_ops.relu6(_float(x))


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x), axis)``; ``axis=None`` normalises over every entry.

    >>> softmax([[1.0, 1.0]]).numpy()
    array([[0.5, 0.5]], dtype=float32)
    """
    logits = _float(x)
    if axis is None:
        from fluxion.ops.creation_ops import shape

        flat = nn_ops.softmax(reshape(logits, (-1,)), axis=-1)
        return _keep_logits(reshape(flat, shape(logits)), logits)
    return _keep_logits(nn_ops.softmax(logits, axis=axis), logits)


def log_softmax(x, axis=-1):
    """``x - log(sum(exp(x), axis))``; ``axis=None`` normalises over every entry."""
    x = _float(x)
    if axis is None:
        from fluxion.ops.creation_ops import shape

        return reshape(nn_ops.log_softmax(reshape(x, (-1,)), axis=-1), shape(x))
    return nn_ops.log_softmax(x, axis=axis)


def elu(x, alpha=1.0):
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    x = _float(x)
    result = nn_ops.elu(x)
    if alpha == 1:
        return result
    return array_ops.select(math_ops.greater(x, 0), result, result * alpha)


def selu(x):
    """Scaled ELU (``scale * elu(x, alpha)`` with the self-normalising constants)."""
    return nn_ops.selu(_float(x))


def softplus(x):
    """``log(exp(x) + 1)``, computed stably."""
    return math_ops.softplus(_float(x))


def softsign(x):
    """``x / (abs(x) + 1)``."""
    return math_ops.softsign(_float(x))


def soft_shrink(x, threshold=0.5):
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0."""
    x = _float(x)
    inner = array_ops.select(array_ops.less(x, -threshold), x + threshold, _zeros(x))
    return array_ops.select(math_ops.greater(x, threshold), x - threshold, inner)


def sparse_plus(x):
    """0 for ``x <= -1``, ``(x + 1)**2 / 4`` for ``-1 < x < 1``, ``x`` for ``x >= 1``."""
    x = _float(x)
    middle = array_ops.select(array_ops.less(x, 1), math_ops.square(x + 1) * 0.25, x)
    return array_ops.select(math_ops.less_equal(x, -1), _zeros(x), middle)


def silu(x):
    """``x * sigmoid(x)`` (also called swish)."""
    return nn_ops.silu(_float(x))


def squareplus(x, b=4):
    """``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU."""
    x = _float(x)
    return (x + math_ops.sqrt(math_ops.square(x) + b)) * 0.5


def gelu(x, approximate=False):
    """Gaussian error linear unit (``approximate=True``: the tanh form)."""
    return nn_ops.gelu(_float(x), approximate=approximate)


def celu(x, alpha=1.0):
    """``max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)``."""
    x = _float(x)
    return math_ops.maximum(x, 0.0) + math_ops.expm1(math_ops.minimum(x, 0.0) / alpha) * alpha


def glu(x, axis=-1):
    """Gated linear unit: halves ``a, b`` of ``x`` along ``axis`` give ``a * sigmoid(b)``."""

    x = _float(x)
    size = x.shape[axis]
    if size is not None and size % 2 != 0:
        raise ValueError(f"axis size must be divisible by 2. Received: x.shape={x.shape} "
                         f"with axis={axis}")
    first, second = split(x, 2, axis=axis)
    return first * math_ops.sigmoid(second)


def tanh(x):
    """Hyperbolic tangent."""
    return math_ops.tanh(_float(x))


def tanh_shrink(x):
    """``x - tanh(x)``."""
    x = _float(x)
    return x - math_ops.tanh(x)


def hard_tanh(x):
    """``x`` clipped to ``[-1, 1]``."""
    return clip_by_value(_float(x), -1.0, 1.0)


def hard_shrink(x, threshold=0.5):
    """``x`` where ``abs(x) > threshold``, else 0."""
    x = _float(x)
    return array_ops.select(math_ops.greater(array_extra.abs_(x), threshold), x, _zeros(x))


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    x = _float(x)
    return array_ops.select(math_ops.greater(x, threshold), x, default_value)


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    logits = _float(x)
    return _keep_logits(math_ops.sigmoid(logits), logits)


def exponential(x):
    """``exp(x)``."""
    return math_ops.exp(_float(x))


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``: a piecewise-linear sigmoid."""
    return nn_ops.relu6(_float(x) + 3.0) * (1.0 / 6.0)


def hard_silu(x):
    """``x * hard_sigmoid(x)`` (also called hard swish)."""
    x = _float(x)
    return x * hard_sigmoid(x)


def log_sigmoid(x):
    """``log(sigmoid(x))``, computed stably."""
    return math_ops.log_sigmoid(_float(x))


def sparse_sigmoid(x):
    """0 for ``x <= -1``, ``(x + 1) / 2`` for ``-1 < x < 1``, 1 for ``x >= 1``."""
    x = _float(x)
    return clip_by_value((x + 1.0) * 0.5, 0.0, 1.0)


def linear(x):
    """The identity (no activation)."""
    return x


def mish(x):
    """``x * tanh(softplus(x))``."""
    x = _float(x)
    return x * math_ops.tanh(math_ops.softplus(x))


def sparsemax(x, axis=-1):
    """The Euclidean projection of ``x`` onto the probability simplex along ``axis``.

    Like softmax, the output sums to 1 along ``axis``, but small entries become exactly 0.

    >>> sparsemax([1.0, 2.0, 3.0]).numpy()
    array([0., 0., 1.], dtype=float32)
    """
    from fluxion.ops.creation_ops import range as arange

    x = _float(x)
    rank = len(x.shape)
    axis = axis % rank
    ordered = sort(x, axis=axis, direction="DESCENDING")
    running = cumsum(ordered, axis=axis)
    count = x.shape[axis]
    if count is None:
        from fluxion.ops.creation_ops import shape

        count = shape(x)[axis]
    ranks = array_ops.cast(arange(1, count + 1), x.dtype)
    ranks = reshape(ranks, tuple(-1 if i == axis else 1 for i in range(rank)))
    # k is in the support while 1 + k * z_(k) > sum of the k largest entries.
    support = math_ops.greater(ordered - (running - 1.0) / ranks, 0)
    size = reduce_sum(array_ops.cast(support, x.dtype), axis=axis, keepdims=True)
    total = reduce_sum(array_ops.select(support, ordered, _zeros(ordered)), axis=axis,
                       keepdims=True)
    tau = (total - 1.0) / size
    return math_ops.maximum(x - tau, 0.0)


swish = silu
hard_swish = hard_silu

_FUNCTIONS = (
    relu,
    leaky_relu,
    relu6,
    softmax,
    celu,
    elu,
    selu,
    softplus,
    softsign,
    squareplus,
    soft_shrink,
    sparse_plus,
    silu,
    gelu,
    glu,
    tanh,
    tanh_shrink,
    threshold,
    sigmoid,
    sparse_sigmoid,
    exponential,
    hard_sigmoid,
    hard_silu,
    hard_tanh,
    hard_shrink,
    linear,
    mish,
    log_softmax,
    log_sigmoid,
    sparsemax,
)
ALL_OBJECTS_DICT = {fn.__name__: fn for fn in _FUNCTIONS}
ALL_OBJECTS_DICT.update({"swish": silu, "hard_swish": hard_silu})


def serialize(activation):
    """The name Keras 3 stores for ``activation`` (a dict for objects and custom functions).

    >>> serialize(relu)
    'relu'
    """
    if (
        isinstance(activation, types.FunctionType)
        and ALL_OBJECTS_DICT.get(activation.__name__) is activation
    ):
        return activation.__name__
    config = serialize_keras_object(activation)
    if (
        isinstance(config, dict)
        and config.get("class_name") == "function"
        and isinstance(activation, types.FunctionType)
    ):
        return config
    if not isinstance(config, dict) or "config" not in config:
        raise ValueError(
            f"Unknown activation function '{activation}' cannot be serialized due "
            f"to invalid function name. Make sure to use an activation name that "
            f"matches the references defined in activations.py or use "
            f"`@keras.saving.register_keras_serializable()` to register any "
            f"custom activations. config={config}"
        )
    return config


def deserialize(config, custom_objects=None):
    """The activation a name or config stands for."""
    if isinstance(config, str) and config in ALL_OBJECTS_DICT and not custom_objects:
        return ALL_OBJECTS_DICT[config]
    return deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        module_objects=ALL_OBJECTS_DICT,
        printable_module_name="activation function",
    )


def get(identifier):
    """The activation for a name (``"relu"``), a config, a callable, or None (``linear``).

    >>> get("swish") is silu
    True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        found = deserialize_keras_object(identifier, module_objects=ALL_OBJECTS_DICT)
    elif isinstance(identifier, str):
        found = ALL_OBJECTS_DICT.get(identifier)
    else:
        found = identifier
    if callable(found):
        return found
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")
