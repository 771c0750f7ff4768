"""Overlap losses for segmentation: Dice and Tversky (Keras 3), which compare the
soft intersection of ``y_true`` and ``y_pred`` with their sizes."""

from __future__ import annotations

from fluxion.core.tensor import Tensor
from fluxion.keras.losses.loss import EPSILON, Loss, LossFunctionWrapper, as_tensor
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import reduce_ops


def _axes(axis):
    return list(axis) if isinstance(axis, (list, tuple)) else axis


def dice(y_true, y_pred, axis=None) -> Tensor:
    """``1 - 2 |y_true * y_pred| / (|y_true| + |y_pred| + epsilon)``, sums over ``axis``.

    >>> float(dice([[1.0, 0.0]], [[1.0, 0.0]]))  # doctest: +ELLIPSIS
    0.0...
    """
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    axis = _axes(axis)
    intersection = reduce_ops.reduce_sum(y_true * y_pred, axis=axis)
    total = (reduce_ops.reduce_sum(y_true, axis=axis) + reduce_ops.reduce_sum(y_pred, axis=axis)
             + EPSILON)
    return 1.0 - (intersection * 2.0) / total


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None) -> Tensor:
    """``1 - TP / (TP + alpha FP + beta FN + epsilon)`` with soft counts over ``axis``."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    axis = _axes(axis)
    intersection = reduce_ops.reduce_sum(y_true * y_pred, axis=axis)
    fp = reduce_ops.reduce_sum((1.0 - y_pred) * y_true, axis=axis)
    fn = reduce_ops.reduce_sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - intersection / (intersection + fp * alpha + fn * beta + EPSILON)


@keras_class("keras.losses")
class Dice(LossFunctionWrapper):
    """Dice loss (``keras.losses.Dice``)."""

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "axis": self.axis}


@keras_class("keras.losses")
class Tversky(LossFunctionWrapper):
    """Tversky loss (``keras.losses.Tversky``)."""

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         beta=beta, axis=axis)
        self.alpha, self.beta, self.axis = alpha, beta, axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "alpha": self.alpha, "beta": self.beta,
                "axis": self.axis}
