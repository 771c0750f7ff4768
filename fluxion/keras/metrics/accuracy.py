"""Accuracy metrics: exact, binary (thresholded), categorical, sparse categorical and
top-k — each a per-sample function (1.0 for a hit, 0.0 for a miss) and a running-mean
metric class, as in Keras 3."""

from __future__ import annotations

from fluxion.core.tensor import Tensor
from fluxion.keras.losses.loss import as_tensor, squeeze_or_expand_to_same_rank
from fluxion.keras.metrics.reduction import MeanMetricWrapper
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, creation_ops, math_ops, reduce_ops, sort_ops

FLOATX = "float32"


def _hits(a, b) -> Tensor:
    return math_ops.cast(math_ops.equal(a, b), FLOATX)


def accuracy(y_true, y_pred) -> Tensor:
    """1.0 where ``y_true == y_pred`` exactly."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _hits(y_true, y_pred)


def binary_accuracy(y_true, y_pred, threshold=0.5) -> Tensor:
    """1.0 where ``(y_pred > threshold) == y_true``.

    >>> binary_accuracy([[1.0], [0.0]], [[0.9], [0.7]]).numpy()
    array([[1.],
           [0.]], dtype=float32)
    """
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = math_ops.cast(math_ops.greater(y_pred, as_tensor(threshold, y_pred.dtype)),
                              y_true.dtype)
    return _hits(y_true, predicted)


def _argmax_hits(y_true, y_pred) -> Tensor:
    """Hits of ``argmax(y_pred)`` against class ids ``y_true`` (float, any rank)."""
    original_shape = creation_ops.shape(y_true)
    reshape = False
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = array_ops.squeeze(y_true, -1)
        reshape = True
    predicted = math_ops.cast(reduce_ops.argmax(y_pred, axis=-1), y_true.dtype)
    matches = _hits(y_true, predicted)
    if reshape:
        matches = array_ops.reshape(matches, original_shape)
    return matches


def categorical_accuracy(y_true, y_pred) -> Tensor:
    """1.0 where ``argmax(y_true) == argmax(y_pred)`` (one-hot labels)."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true)
    if y_true.dtype.is_bool:  # bool one-hot labels: argmax wants numbers
        y_true = math_ops.cast(y_true, y_pred.dtype)
    y_true = math_ops.cast(reduce_ops.argmax(y_true, axis=-1), y_pred.dtype)
    return _argmax_hits(y_true, y_pred)


def sparse_categorical_accuracy(y_true, y_pred) -> Tensor:
    """1.0 where the integer label ``y_true`` equals ``argmax(y_pred)``.

    >>> sparse_categorical_accuracy([2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]]).numpy()
    array([0., 1.], dtype=float32)
    """
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    matches = _argmax_hits(y_true, y_pred)
    if len(matches.shape) > 1 and matches.shape[-1] == 1:
        matches = array_ops.squeeze(matches, -1)
    return matches


def _in_top_k(labels, y_pred, k) -> Tensor:
    """Hits of integer ``labels`` among the ``k`` largest ``y_pred`` (any leading rank)."""
    original_shape = creation_ops.shape(labels)
    flat_labels = labels
    if len(y_pred.shape) > 2:
        y_pred = array_ops.reshape(y_pred, [-1, y_pred.shape[-1]])
    reshape = len(labels.shape) > 1
    if reshape:
        flat_labels = array_ops.reshape(labels, [-1])
    matches = math_ops.cast(sort_ops.in_top_k(math_ops.cast(flat_labels, "int32"), y_pred, k),
                            FLOATX)
    return array_ops.reshape(matches, original_shape) if reshape else matches


def top_k_categorical_accuracy(y_true, y_pred, k=5) -> Tensor:
    """1.0 where the one-hot label's class is among the top ``k`` predictions."""
    y_pred = as_tensor(y_pred)
    y_true = reduce_ops.argmax(as_tensor(y_true, y_pred.dtype), axis=-1)
    return _in_top_k(y_true, y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False) -> Tensor:
    """1.0 where the integer label is among the top ``k`` predictions.

    With ``from_sorted_ids=True``, ``y_pred`` holds class ids sorted by score.
    """
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype if from_sorted_ids else "int32")
    if not from_sorted_ids:
        return _in_top_k(y_true, y_pred, k)
    original_shape = creation_ops.shape(y_true)
    if len(y_pred.shape) > 2:
        y_pred = array_ops.reshape(y_pred, [-1, y_pred.shape[-1]])
    reshape = len(y_true.shape) > 1
    flat = array_ops.reshape(y_true, [-1]) if reshape else y_true
    matches = reduce_ops.reduce_any(
        math_ops.equal(array_ops.expand_dims(flat, 1), y_pred[:, :k]), axis=1)
    matches = math_ops.cast(matches, FLOATX)
    return array_ops.reshape(matches, original_shape) if reshape else matches


@keras_class("keras.metrics")
class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels (``keras.metrics.Accuracy``)."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@keras_class("keras.metrics")
class BinaryAccuracy(MeanMetricWrapper):
    """How often thresholded predictions match binary labels (``keras.metrics.BinaryAccuracy``).

    >>> float(BinaryAccuracy()([[1.0], [1.0], [0.0], [0.0]], [[0.98], [1.0], [0.0], [0.6]]))
    0.75
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


@keras_class("keras.metrics")
class CategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax`` of predictions matches one-hot labels."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@keras_class("keras.metrics")
class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax`` of predictions matches integer labels."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@keras_class("keras.metrics")
class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label is among the top ``k`` predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


@keras_class("keras.metrics")
class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the top ``k`` predictions."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
