"""Intersection-over-union metrics for segmentation: ``IoU``, ``MeanIoU``, ``BinaryIoU``,
``OneHotIoU`` and ``OneHotMeanIoU`` (Keras 3), from an accumulated confusion matrix."""

from __future__ import annotations

import warnings

from fluxion.keras.losses.loss import EPSILON, as_tensor
from fluxion.keras.metrics.metric import Metric
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, creation_ops, linalg_ops, math_ops, reduce_ops


def confusion_matrix(labels, predictions, num_classes: int, weights=None, dtype="int64"):
    """``[num_classes, num_classes]`` counts of (label, prediction) pairs, optionally weighted.

    Computed as ``one_hot(labels)^T @ (weights * one_hot(predictions))`` in float64 (exact
    for integer counts), then cast to ``dtype``.
    """
    rows = array_ops.one_hot(math_ops.cast(labels, "int32"), num_classes, dtype="float64")
    cols = array_ops.one_hot(math_ops.cast(predictions, "int32"), num_classes, dtype="float64")
    if weights is not None:
        cols = cols * array_ops.expand_dims(math_ops.cast(weights, "float64"), -1)
    counts = linalg_ops.matmul(rows, cols, transpose_a=True)
    return math_ops.cast(counts, dtype)


class _IoUBase(Metric):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(name="total_confusion_matrix",
                                          shape=(num_classes, num_classes),
                                          initializer="zeros", dtype=self.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.sparse_y_true:
            y_true = reduce_ops.argmax(as_tensor(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = reduce_ops.argmax(as_tensor(y_pred), axis=self.axis)
        y_true = as_tensor(y_true, self.dtype)
        y_pred = as_tensor(y_pred, self.dtype)
        if len(y_pred.shape) > 1:
            y_pred = array_ops.reshape(y_pred, [-1])
        if len(y_true.shape) > 1:
            y_true = array_ops.reshape(y_true, [-1])
        if sample_weight is None:
            sample_weight = 1
        elif "float" in str(getattr(sample_weight, "dtype", "")) and "int" in self.dtype:
            warnings.warn("You are passing weight as `float`, but dtype is `int`. This may "
                          "result in an incorrect weight due to type casting Consider using "
                          "integer weights.", stacklevel=2)
        sample_weight = as_tensor(sample_weight, self.dtype)
        if len(sample_weight.shape) > 1:
            sample_weight = array_ops.reshape(sample_weight, [-1])
        sample_weight = array_ops.broadcast_to(sample_weight, creation_ops.shape(y_true))
        num_classes = as_tensor(self.num_classes, y_true.dtype)
        in_bounds = math_ops.logical_and(
            math_ops.logical_and(math_ops.greater_equal(y_true, 0),
                                 math_ops.less(y_true, num_classes)),
            math_ops.logical_and(math_ops.greater_equal(y_pred, 0),
                                 math_ops.less(y_pred, num_classes)))
        if self.ignore_class is not None:
            in_bounds = math_ops.logical_and(
                in_bounds, math_ops.not_equal(y_true, as_tensor(self.ignore_class,
                                                                y_true.dtype)))
        y_true = array_ops.where(in_bounds, y_true, creation_ops.zeros_like(y_true))
        y_pred = array_ops.where(in_bounds, y_pred, creation_ops.zeros_like(y_pred))
        sample_weight = array_ops.where(in_bounds, sample_weight,
                                        creation_ops.zeros_like(sample_weight))
        self.total_cm.assign_add(confusion_matrix(y_true, y_pred, self.num_classes,
                                                  weights=sample_weight, dtype=self.dtype))

    def reset_state(self):
        self.total_cm.assign(creation_ops.zeros(tuple(self.total_cm.shape),
                                                dtype=self.total_cm.dtype))


@keras_class("keras.metrics")
class IoU(_IoUBase):
    """Mean intersection-over-union of the classes ``target_class_ids``.

    ``IoU = TP / (TP + FP + FN)`` per class, from the confusion matrix accumulated over
    all batches; classes that never occur are left out of the mean.

    >>> m = IoU(num_classes=2, target_class_ids=[0])
    >>> round(float(m([0, 0, 1, 1], [0, 1, 0, 1])), 4)
    0.3333
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, num_classes=num_classes, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis,
                         dtype=dtype)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        cm = as_tensor(self.total_cm, "float32")
        sum_over_row = reduce_ops.reduce_sum(cm, axis=0)
        sum_over_col = reduce_ops.reduce_sum(cm, axis=1)
        eye = creation_ops.eye(self.num_classes, dtype="float32")
        true_positives = reduce_ops.reduce_sum(cm * eye, axis=1)
        denominator = sum_over_row + sum_over_col - true_positives
        ids = as_tensor(self.target_class_ids, "int32")
        true_positives = array_ops.gather(true_positives, ids)
        denominator = array_ops.gather(denominator, ids)
        valid = math_ops.greater(denominator, 1e-9)
        num_valid = reduce_ops.reduce_sum(math_ops.cast(valid, "float32"))
        iou = true_positives / (denominator + EPSILON)
        iou = array_ops.where(valid, iou, creation_ops.zeros_like(iou))
        return reduce_ops.reduce_sum(iou, axis=self.axis) / (num_valid + EPSILON)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


@keras_class("keras.metrics")
class BinaryIoU(IoU):
    """IoU of binary labels against thresholded scores (``keras.metrics.BinaryIoU``)."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = as_tensor(y_true, self.dtype)
        y_pred = as_tensor(y_pred, "float32")
        y_pred = math_ops.cast(math_ops.greater_equal(y_pred, self.threshold), self.dtype)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


@keras_class("keras.metrics")
class MeanIoU(IoU):
    """IoU averaged over all ``num_classes`` classes (``keras.metrics.MeanIoU``)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, num_classes=num_classes,
                         target_class_ids=list(range(num_classes)), axis=axis, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


@keras_class("keras.metrics")
class OneHotIoU(IoU):
    """``IoU`` for one-hot labels (and, by default, per-class score predictions)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids,
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


@keras_class("keras.metrics")
class OneHotMeanIoU(MeanIoU):
    """``MeanIoU`` for one-hot labels (and, by default, per-class score predictions)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, axis=axis, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}
