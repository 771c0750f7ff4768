"""Statistics shared by the normalization layers.

``moments`` works on symbolic tensors with unknown dimensions (the element count comes
from ``reduce_mean``), and, given a mask, leaves masked positions out as Keras does.
Half-precision inputs are normalised in float32 (``upcast``), as Keras does.
"""

from __future__ import annotations

from fluxion.ops.array_ops import cast, expand_dims, where
from fluxion.ops.creation_ops import ones_like, zeros_like
from fluxion.ops.reduce_ops import reduce_mean, reduce_sum


def upcast(x):
    """``x`` in float32 when it is a half-precision float, else unchanged."""
    return cast(x, "float32") if x.dtype.name in ("float16", "bfloat16") else x


def moments(x, axes: tuple, mask=None):
    """Mean and (population) variance of ``x`` over ``axes``, with kept dimensions.

    ``mask`` (the input's shape without its last axis) excludes positions where it is
    false from both statistics.
    """
    if mask is None:
        mean = reduce_mean(x, axis=axes, keepdims=True)
        deviation = x - mean
        return mean, reduce_mean(deviation * deviation, axis=axes, keepdims=True)
    from fluxion.keras import config

    keep = expand_dims(cast(mask, "bool"), -1)
    zeros = zeros_like(x)
    count = reduce_sum(where(keep, ones_like(x), zeros), axis=axes, keepdims=True) \
        + config.epsilon()  # Keras guards the denominator with its epsilon
    mean = reduce_sum(where(keep, x, zeros), axis=axes, keepdims=True) / count
    deviation = where(keep, x - mean, zeros)
    return mean, reduce_sum(deviation * deviation, axis=axes, keepdims=True) / count
