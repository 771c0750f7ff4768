"""Confusion-matrix counting at several thresholds, shared by the classification
metrics (true/false positives/negatives, precision, recall, AUC...).

Counts for all thresholds are taken at once by broadcasting: a ``[thresholds, samples]``
(or ``[thresholds, samples, labels]`` for multi-label) comparison, summed over samples.
When the thresholds are evenly spaced over [0, 1] (AUC's default), a prediction is
placed in the bucket ``ceil(p * (T - 1)) - 1`` as Keras does, so values lying exactly on
a threshold count the way Keras counts them.
"""

from __future__ import annotations

import enum

import numpy as np

from fluxion.keras.losses.loss import EPSILON, squeeze_or_expand_to_same_rank
from fluxion.ops import (
    array_ops,
    clip_ops,
    creation_ops,
    math_ops,
    nn_ops,
    reduce_ops,
    sort_ops,
)

NEG_INF = -1e10


class ConfusionMatrix(enum.Enum):
    TRUE_POSITIVES = "tp"
    FALSE_POSITIVES = "fp"
    TRUE_NEGATIVES = "tn"
    FALSE_NEGATIVES = "fn"


def to_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value]


def parse_init_thresholds(thresholds, default_threshold=0.5) -> list:
    """The thresholds as a list, checking that given ones lie in [0, 1]."""
    if thresholds is not None:
        invalid = [t for t in to_list(thresholds) if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return to_list(default_threshold if thresholds is None else thresholds)


def is_evenly_distributed_thresholds(thresholds) -> bool:
    """True when the thresholds are ``i / (n - 1)`` for ``i = 0 .. n - 1`` (n >= 3)."""
    count = len(thresholds)
    if count < 3:
        return False
    even = np.arange(count, dtype=np.float32) / (count - 1)
    return bool(np.allclose(thresholds, even, atol=EPSILON))


def filter_top_k(x, k):
    """Keeps the ``k`` largest entries of the last axis; the others become -1e10."""
    _, indices = sort_ops.top_k(x, k)
    mask = reduce_ops.reduce_sum(array_ops.one_hot(indices, x.shape[-1], dtype=x.dtype),
                                 axis=-2)
    return x * mask + NEG_INF * (1.0 - mask)


def update_confusion_matrix_variables(variables_to_update: dict, y_true, y_pred, thresholds,
                                      top_k=None, class_id=None, sample_weight=None,
                                      multi_label=False, label_weights=None,
                                      thresholds_distributed_evenly=False) -> None:
    """Adds this batch's confusion counts to the given variables.

    Args:
      variables_to_update: ``{ConfusionMatrix.X: variable}``; each variable has shape
        ``[len(thresholds)]`` (or ``[len(thresholds), num_labels]`` when multi-label).
      y_true, y_pred: labels (non-zero is positive) and scores, of the same shape.
      thresholds: Python floats; a prediction is positive when it is above one.
      top_k: only the ``k`` highest scores of a sample may be positive.
      class_id: look only at this class (the last axis).
      sample_weight: weights broadcastable to the samples.
      multi_label: count each label (the last axis) separately.
      label_weights: weights of the labels (not with ``multi_label``).
    """
    if multi_label and label_weights is not None:
        raise ValueError("`label_weights` for multilabel data should be handled outside of "
                         "`update_confusion_matrix_variables` when `multi_label` is True.")
    invalid = [key for key in variables_to_update if not isinstance(key, ConfusionMatrix)]
    if invalid or not variables_to_update:
        raise ValueError(f"Invalid keys: {invalid}. Valid variable key options are: "
                         f"{list(ConfusionMatrix)}")
    dtype = next(iter(variables_to_update.values())).dtype
    y_true = math_ops.cast(y_true, dtype)
    y_pred = math_ops.cast(y_pred, dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = array_ops.expand_dims(math_ops.cast(sample_weight, dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if len(y_pred.shape) == 1:
            raise ValueError(f"When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {y_pred.shape}")
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]

    count = len(thresholds)
    if thresholds_distributed_evenly:
        # Bucket of each prediction; positive at threshold i when its bucket is >= i.
        y_pred = clip_ops.clip_by_value(y_pred, 0.0, 1.0)
        score = math_ops.ceil(y_pred * float(count - 1)) - 1.0
        if thresholds[0] < 0.0 or thresholds[-1] > 1.0:
            score = nn_ops.relu(score)
        cutoffs = np.arange(count, dtype=dtype.np_dtype) - 0.5
    else:
        score = y_pred
        cutoffs = np.asarray(thresholds, dtype=dtype.np_dtype)

    weights = None
    if sample_weight is not None:
        weights = array_ops.broadcast_to(sample_weight, creation_ops.shape(y_pred))
    if label_weights is not None:
        label_weights = array_ops.broadcast_to(
            array_ops.expand_dims(math_ops.cast(label_weights, dtype), 0),
            creation_ops.shape(y_pred))
        weights = label_weights if weights is None else weights * label_weights

    is_positive = math_ops.cast(math_ops.not_equal(y_true, 0.0), dtype)
    if multi_label:
        cutoffs = cutoffs.reshape(-1, 1, 1)
    else:
        score, is_positive = array_ops.reshape(score, [-1]), array_ops.reshape(is_positive, [-1])
        weights = None if weights is None else array_ops.reshape(weights, [-1])
        cutoffs = cutoffs.reshape(-1, 1)
    # [thresholds, samples(, labels)]: 1.0 where the prediction counts as positive.
    predicted = math_ops.cast(math_ops.greater(array_ops.expand_dims(score, 0), cutoffs), dtype)
    true_labels = is_positive if weights is None else is_positive * weights
    false_labels = (1.0 - is_positive) if weights is None else (1.0 - is_positive) * weights

    tp = reduce_ops.reduce_sum(predicted * true_labels, axis=1)
    fp = reduce_ops.reduce_sum(predicted * false_labels, axis=1)
    updates = {ConfusionMatrix.TRUE_POSITIVES: lambda: tp,
               ConfusionMatrix.FALSE_POSITIVES: lambda: fp,
               ConfusionMatrix.TRUE_NEGATIVES:
                   lambda: reduce_ops.reduce_sum(false_labels, axis=0) - fp,
               ConfusionMatrix.FALSE_NEGATIVES:
                   lambda: reduce_ops.reduce_sum(true_labels, axis=0) - tp}
    for key, variable in variables_to_update.items():
        variable.assign_add(updates[key]())
