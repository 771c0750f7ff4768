"""Hinge losses for maximum-margin classification: ``hinge``, ``squared_hinge`` and
``categorical_hinge``, as functions and ``Loss`` classes (Keras 3)."""

from __future__ import annotations

from fluxion.core.tensor import Tensor
from fluxion.keras.losses.loss import Loss, LossFunctionWrapper, as_tensor
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, math_ops, reduce_ops


def convert_binary_labels_to_hinge(y_true) -> Tensor:
    """Maps labels in {0, 1} to {-1, 1}; labels already in {-1, 1} pass unchanged.

    The test looks at the values, so it is a graph op (a select), not Python control flow.
    """
    is_binary = reduce_ops.reduce_all(math_ops.logical_or(math_ops.equal(y_true, 0.0),
                                                          math_ops.equal(y_true, 1.0)))
    return array_ops.where(is_binary, y_true * 2.0 - 1.0, y_true)


def _margins(y_true, y_pred) -> Tensor:
    y_pred = as_tensor(y_pred)
    y_true = convert_binary_labels_to_hinge(as_tensor(y_true, y_pred.dtype))
    return math_ops.maximum(1.0 - y_true * y_pred, 0.0)


def hinge(y_true, y_pred) -> Tensor:
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``; 0/1 labels become -1/1.

    >>> hinge([[1.0, 0.0]], [[0.5, -2.0]]).numpy()
    array([0.25], dtype=float32)
    """
    return reduce_ops.reduce_mean(_margins(y_true, y_pred), axis=-1)


def squared_hinge(y_true, y_pred) -> Tensor:
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``."""
    return reduce_ops.reduce_mean(math_ops.square(_margins(y_true, y_pred)), axis=-1)


def categorical_hinge(y_true, y_pred) -> Tensor:
    """``maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` per sample."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    pos = reduce_ops.reduce_sum(y_true * y_pred, axis=-1)
    neg = reduce_ops.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return math_ops.maximum(neg - pos + 1.0, 0.0)


@keras_class("keras.losses")
class Hinge(LossFunctionWrapper):
    """Hinge loss (``keras.losses.Hinge``)."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


@keras_class("keras.losses")
class SquaredHinge(LossFunctionWrapper):
    """Squared hinge loss (``keras.losses.SquaredHinge``)."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


@keras_class("keras.losses")
class CategoricalHinge(LossFunctionWrapper):
    """Categorical hinge loss (``keras.losses.CategoricalHinge``)."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)
