"""``FBetaScore`` and ``F1Score``: the weighted harmonic mean of precision and recall,
per class or averaged (``"micro"``, ``"macro"``, ``"weighted"``), as in Keras 3."""

from __future__ import annotations

from fluxion.keras.losses.loss import EPSILON, as_tensor
from fluxion.keras.metrics.metric import Metric
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, math_ops, reduce_ops


@keras_class("keras.metrics")
class FBetaScore(Metric):
    """``(1 + beta^2) * precision * recall / (beta^2 * precision + recall)``.

    Args:
      average: None (one score per class), ``"micro"`` (pooled counts), ``"macro"``
        (mean of the class scores) or ``"weighted"`` (mean weighted by class support).
      beta: the weight of recall relative to precision (a float > 0).
      threshold: predictions above it are positive; None takes each row's maximum.

    >>> m = FBetaScore(beta=2.0, threshold=0.5, average="micro")
    >>> round(float(m([[1, 0], [0, 1]], [[0.9, 0.2], [0.8, 0.1]])), 4)
    0.5
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"Invalid `average` argument value. Expected one of: {{None, "
                             f"'micro', 'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError(f"Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: "
                             f"beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(f"Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(f"Invalid `threshold` argument value. It should verify 0 < "
                                 f"threshold <= 1. Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"FBetaScore expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: y_pred.shape={y_pred_shape} "
                             f"and y_true.shape={y_true_shape}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(f"FBetaScore expects 2D inputs with shape (batch_size, "
                             f"output_dim), with output_dim fully defined (not None). Received "
                             f"input shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in ("true_positives", "false_positives", "false_negatives",
                     "intermediate_weights"):
            setattr(self, name, self.add_variable(shape=shape, initializer="zeros",
                                                  dtype=self.dtype, name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = as_tensor(y_true, self.dtype)
        y_pred = as_tensor(y_pred, self.dtype)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if self.threshold is None:
            row_max = reduce_ops.reduce_max(y_pred, axis=-1, keepdims=True)
            positive = math_ops.logical_and(math_ops.greater_equal(y_pred, row_max),
                                            math_ops.greater(math_ops.abs(y_pred), 1e-9))
        else:
            positive = math_ops.greater(y_pred, self.threshold)
        y_pred = math_ops.cast(positive, self.dtype)
        if sample_weight is not None:
            sample_weight = array_ops.expand_dims(as_tensor(sample_weight, self.dtype), 1)

        def weighted_sum(value):
            if sample_weight is not None:
                value = value * sample_weight
            return reduce_ops.reduce_sum(value, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(y_pred * y_true))
        self.false_positives.assign_add(weighted_sum(y_pred * (1.0 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1.0 - y_pred) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self):
        tp = as_tensor(self.true_positives)
        precision = tp / (tp + as_tensor(self.false_positives) + EPSILON)
        recall = tp / (tp + as_tensor(self.false_negatives) + EPSILON)
        beta_sq = self.beta ** 2
        f_score = precision * recall / (precision * beta_sq + recall + EPSILON) * (1 + beta_sq)
        if self.average == "weighted":
            weights = as_tensor(self.intermediate_weights)
            weights = weights / (reduce_ops.reduce_sum(weights) + EPSILON)
            return reduce_ops.reduce_sum(f_score * weights)
        if self.average is not None:
            return reduce_ops.reduce_mean(f_score)
        return f_score

    def get_config(self) -> dict:
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


@keras_class("keras.metrics")
class F1Score(FBetaScore):
    """The F1 score: ``FBetaScore`` with ``beta=1`` (``keras.metrics.F1Score``)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
