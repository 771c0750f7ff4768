"""``AUC``: the area under the ROC or precision-recall curve, approximated by a Riemann
sum over confusion counts at ``num_thresholds`` thresholds (Keras 3's ``keras.metrics.AUC``).

The PR curve with interpolation uses the method of Davis & Goadrich (2006), which
interpolates precision between thresholds instead of averaging it.
"""

from __future__ import annotations

import numpy as np

from fluxion.keras.losses.loss import EPSILON, as_tensor
from fluxion.keras.metrics.confusion_matrix import (
    ConfusionMatrix,
    is_evenly_distributed_thresholds,
    update_confusion_matrix_variables,
)
from fluxion.keras.metrics.metric import Metric
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, creation_ops, math_ops, reduce_ops

_CURVES = {"roc": "ROC", "ROC": "ROC", "pr": "PR", "PR": "PR", "prgain": "PRGAIN",
           "PRGAIN": "PRGAIN"}
_SUMMATIONS = {"interpolation": "interpolation", "Interpolation": "interpolation",
               "majoring": "majoring", "Majoring": "majoring", "minoring": "minoring",
               "Minoring": "minoring"}


def _curve(curve) -> str:
    name = getattr(curve, "value", curve)
    if name not in _CURVES:
        raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                         f'["PR", "ROC", "PRGAIN"]')
    return _CURVES[name]


def _summation(method) -> str:
    name = getattr(method, "value", method)
    if name not in _SUMMATIONS:
        raise ValueError(f'Invalid AUC summation method value: "{method}". Expected values '
                         f'are ["interpolation", "majoring", "minoring"]')
    return _SUMMATIONS[name]


@keras_class("keras.metrics")
class AUC(Metric):
    """Area under the ROC (or PR) curve.

    Args:
      num_thresholds: how many thresholds discretize the curve (default 200).
      curve: ``"ROC"`` (default), ``"PR"`` or ``"PRGAIN"``.
      summation_method: ``"interpolation"`` (default), ``"majoring"`` or ``"minoring"``.
      thresholds: explicit thresholds in [0, 1] (then ``num_thresholds`` is ignored).
      multi_label: compute one AUC per label (the last axis) and average them.
      num_labels: the number of labels when ``multi_label`` (else taken from the data).
      label_weights: weights of the labels in the average (or in the counts).
      from_logits: apply a sigmoid to ``y_pred`` first.

    >>> m = AUC(num_thresholds=3)
    >>> float(m([0, 0, 1, 1], [0.0, 0.5, 0.3, 0.9]))
    0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = np.array([0.0 - EPSILON] + thresholds + [1.0 + EPSILON])
        self.curve = _curve(curve)
        self.summation_method = _summation(summation_method)
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else \
            as_tensor(np.asarray(label_weights), self.dtype)
        self._label_weights_config = None if label_weights is None else \
            [float(w) for w in np.asarray(label_weights).ravel()]
        self._from_logits = from_logits
        self._built = False
        if self.multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list:
        return list(self._thresholds)

    def _build(self, shape) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Found "
                                 f"rank {len(shape)}. Full shape received for `y_pred`: "
                                 f"{shape}")
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        for name in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, name, self.add_variable(shape=variable_shape, initializer="zeros",
                                                  name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = as_tensor(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = math_ops.sigmoid(math_ops.cast(y_pred, "float32")
                                      if not y_pred.dtype.is_floating else y_pred)
        update_confusion_matrix_variables(
            {ConfusionMatrix.TRUE_POSITIVES: self.true_positives,
             ConfusionMatrix.TRUE_NEGATIVES: self.true_negatives,
             ConfusionMatrix.FALSE_POSITIVES: self.false_positives,
             ConfusionMatrix.FALSE_NEGATIVES: self.false_negatives},
            y_true, y_pred, list(self._thresholds),
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def _average_labels(self, per_threshold):
        if not self.multi_label:
            return reduce_ops.reduce_sum(per_threshold)
        by_label = reduce_ops.reduce_sum(per_threshold, axis=0)
        if self.label_weights is None:
            return reduce_ops.reduce_mean(by_label)
        return math_ops.divide_no_nan(reduce_ops.reduce_sum(by_label * self.label_weights),
                                      reduce_ops.reduce_sum(self.label_weights))

    def interpolate_pr_auc(self):
        """The PR-AUC with precision interpolated between thresholds (Davis & Goadrich)."""
        n = self.num_thresholds
        tp, fp, fn = (as_tensor(v) for v in (self.true_positives, self.false_positives,
                                              self.false_negatives))
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        prec_slope = math_ops.divide_no_nan(dtp, math_ops.maximum(dp, 0.0))
        intercept = tp[1:] - prec_slope * p[1:]
        both_positive = math_ops.logical_and(math_ops.greater(p[:n - 1], 0.0),
                                             math_ops.greater(p[1:], 0.0))
        safe_p_ratio = array_ops.where(
            both_positive, math_ops.divide_no_nan(p[:n - 1], math_ops.maximum(p[1:], 0.0)),
            creation_ops.ones_like(p[1:]))
        increment = math_ops.divide_no_nan(
            prec_slope * (dtp + intercept * math_ops.log(safe_p_ratio)),
            math_ops.maximum(tp[1:] + fn[1:], 0.0))
        return self._average_labels(increment)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        n = self.num_thresholds
        tp, fp, tn, fn = (as_tensor(v) for v in (self.true_positives, self.false_positives,
                                                  self.true_negatives, self.false_negatives))
        recall = math_ops.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = math_ops.divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, math_ops.divide_no_nan(tp, tp + fp)
        else:  # PRGAIN
            scaling = math_ops.divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scaling * math_ops.divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling * math_ops.divide_no_nan(fp, tp)
            no_tp = math_ops.equal(tp, 0.0)
            recall_gain = array_ops.where(no_tp, creation_ops.zeros_like(tp), recall_gain)
            precision_gain = array_ops.where(no_tp, creation_ops.ones_like(tp), precision_gain)
            x, y = math_ops.maximum(recall_gain, 0.0), precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = math_ops.minimum(y[:n - 1], y[1:])
        else:
            heights = math_ops.maximum(y[:n - 1], y[1:])
        return self._average_labels((x[:n - 1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels, "label_weights": self._label_weights_config,
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self.thresholds[1:-1]]
        return {**super().get_config(), **config}
