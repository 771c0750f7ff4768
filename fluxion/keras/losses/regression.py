"""Regression losses: squared, absolute, percentage and logarithmic errors, cosine
similarity, Huber and log-cosh — each as a function (one value per sample, averaged
over the last axis) and as a ``Loss`` class, with Keras 3's names and defaults."""

from __future__ import annotations

import math

from fluxion.core.tensor import Tensor
from fluxion.keras.losses.loss import (
    EPSILON,
    Loss,
    LossFunctionWrapper,
    as_tensor,
    squeeze_or_expand_to_same_rank,
)
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, math_ops, reduce_ops


def _prepare(y_true, y_pred):
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def mean_squared_error(y_true, y_pred) -> Tensor:
    """``mean(square(y_true - y_pred), axis=-1)``.

    >>> mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]]).numpy()
    array([0.5], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return reduce_ops.reduce_mean(math_ops.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return reduce_ops.reduce_mean(math_ops.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> Tensor:
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    diff = math_ops.abs((y_true - y_pred) / math_ops.maximum(math_ops.abs(y_true), EPSILON))
    return reduce_ops.reduce_mean(diff, axis=-1) * 100.0


def mean_squared_logarithmic_error(y_true, y_pred) -> Tensor:
    """``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred)
    first = math_ops.log(math_ops.maximum(y_pred, EPSILON) + 1.0)
    second = math_ops.log(math_ops.maximum(y_true, EPSILON) + 1.0)
    return reduce_ops.reduce_mean(math_ops.square(first - second), axis=-1)


def l2_normalize(x, axis=-1) -> Tensor:
    """``x / max(norm(x), epsilon)`` along ``axis`` (Keras's ``normalize``).

    Written as ``x * rsqrt(max(sum(x^2), eps^2))``, whose gradient stays finite at 0.
    """
    if len(x.shape) == 0:
        x = array_ops.expand_dims(x, 0)
    square_sum = reduce_ops.reduce_sum(math_ops.square(x), axis=axis, keepdims=True)
    return x * math_ops.rsqrt(math_ops.maximum(square_sum, EPSILON * EPSILON))


def cosine_similarity(y_true, y_pred, axis=-1) -> Tensor:
    """The negated cosine similarity along ``axis``: -1 for vectors pointing the same way.

    >>> cosine_similarity([[0.0, 1.0]], [[0.0, 2.0]]).numpy()
    array([-1.], dtype=float32)
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true, y_pred = l2_normalize(y_true, axis), l2_normalize(y_pred, axis)
    return math_ops.negative(reduce_ops.reduce_sum(y_true * y_pred, axis=axis))


def huber(y_true, y_pred, delta=1.0) -> Tensor:
    """``0.5 e^2`` where ``|e| <= delta``, else ``delta |e| - 0.5 delta^2``; mean over -1."""
    y_true, y_pred = _prepare(y_true, y_pred)
    delta = as_tensor(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = math_ops.abs(error)
    quadratic = math_ops.square(error) * 0.5
    linear = delta * abs_error - math_ops.square(delta) * 0.5
    return reduce_ops.reduce_mean(
        array_ops.where(math_ops.less_equal(abs_error, delta), quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred) -> Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed without overflow."""
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    return reduce_ops.reduce_mean(x + math_ops.softplus(x * -2.0) - math.log(2.0), axis=-1)


@keras_class("keras.losses")
class MeanSquaredError(LossFunctionWrapper):
    """Mean of squared errors (``keras.losses.MeanSquaredError``)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


@keras_class("keras.losses")
class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors (``keras.losses.MeanAbsoluteError``)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


@keras_class("keras.losses")
class MeanAbsolutePercentageError(LossFunctionWrapper):
    """Mean absolute percentage error (``keras.losses.MeanAbsolutePercentageError``)."""

    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction,
                         dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


@keras_class("keras.losses")
class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """Mean squared logarithmic error (``keras.losses.MeanSquaredLogarithmicError``)."""

    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction,
                         dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


@keras_class("keras.losses")
class CosineSimilarity(LossFunctionWrapper):
    """Negated cosine similarity (``keras.losses.CosineSimilarity``)."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype,
                         axis=axis)

    def get_config(self) -> dict:
        return Loss.get_config(self)  # Keras 3 leaves `axis` out too


@keras_class("keras.losses")
class Huber(LossFunctionWrapper):
    """Huber loss (``keras.losses.Huber``)."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)

    def get_config(self) -> dict:
        return Loss.get_config(self)


@keras_class("keras.losses")
class LogCosh(LossFunctionWrapper):
    """Logarithm of the hyperbolic cosine of the error (``keras.losses.LogCosh``)."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)
