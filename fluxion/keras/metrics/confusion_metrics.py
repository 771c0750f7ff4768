"""Threshold metrics built on confusion counts: ``TruePositives`` and friends,
``Precision``, ``Recall``, and the constrained ones (``PrecisionAtRecall``,
``RecallAtPrecision``, ``SensitivityAtSpecificity``, ``SpecificityAtSensitivity``)."""

from __future__ import annotations

from fluxion.keras.losses.loss import as_tensor
from fluxion.keras.metrics.confusion_matrix import (
    NEG_INF,
    ConfusionMatrix,
    is_evenly_distributed_thresholds,
    parse_init_thresholds,
    update_confusion_matrix_variables,
)
from fluxion.keras.metrics.metric import Metric
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, math_ops, reduce_ops

TP, FP = ConfusionMatrix.TRUE_POSITIVES, ConfusionMatrix.FALSE_POSITIVES
TN, FN = ConfusionMatrix.TRUE_NEGATIVES, ConfusionMatrix.FALSE_NEGATIVES


def _ratio(a, b):
    """``a / (a + b)``, 0 where both are 0."""
    a, b = as_tensor(a), as_tensor(b)
    return math_ops.divide_no_nan(a, a + b)


class _ThresholdMetric(Metric):
    """Counts ``_counts`` (ConfusionMatrix members) at each of ``self.thresholds``."""

    _counts: tuple = ()

    def _make_counters(self, names) -> None:
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(self.thresholds)
        for name in names:
            setattr(self, name, self.add_variable(shape=(len(self.thresholds),),
                                                  initializer="zeros", name=name))
        self._counters = dict(zip(self._counts, names))

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            {key: getattr(self, name) for key, name in self._counters.items()}, y_true, y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            top_k=getattr(self, "top_k", None), class_id=getattr(self, "class_id", None),
            sample_weight=sample_weight)

    def _single(self, value):
        return value[0] if len(self.thresholds) == 1 else value


class _ConfusionMatrixConditionCount(_ThresholdMetric):
    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_init_thresholds(thresholds, default_threshold=0.5)
        self._make_counters(["accumulator"])

    def result(self):
        return self._single(as_tensor(self.accumulator))

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


@keras_class("keras.metrics")
class TruePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true positives (``keras.metrics.TruePositives``).

    >>> float(TruePositives()([0, 1, 1, 1], [1, 0, 1, 1]))
    2.0
    """

    _counts = (TP,)


@keras_class("keras.metrics")
class FalsePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false positives (``keras.metrics.FalsePositives``)."""

    _counts = (FP,)


@keras_class("keras.metrics")
class TrueNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true negatives (``keras.metrics.TrueNegatives``)."""

    _counts = (TN,)


@keras_class("keras.metrics")
class FalseNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false negatives (``keras.metrics.FalseNegatives``)."""

    _counts = (FN,)


class _PrecisionRecall(_ThresholdMetric):
    _names: tuple = ()

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = parse_init_thresholds(thresholds, default_threshold=default)
        self._make_counters(self._names)

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


@keras_class("keras.metrics")
class Precision(_PrecisionRecall):
    """``true_positives / (true_positives + false_positives)`` (``keras.metrics.Precision``).

    >>> float(Precision()([0, 1, 1, 1], [1, 0, 1, 1]))
    0.6666666865348816
    """

    _counts = (TP, FP)
    _names = ("true_positives", "false_positives")

    def result(self):
        return self._single(_ratio(self.true_positives, self.false_positives))


@keras_class("keras.metrics")
class Recall(_PrecisionRecall):
    """``true_positives / (true_positives + false_negatives)`` (``keras.metrics.Recall``)."""

    _counts = (TP, FN)
    _names = ("true_positives", "false_negatives")

    def result(self):
        return self._single(_ratio(self.true_positives, self.false_negatives))


class SensitivitySpecificityBase(_ThresholdMetric):
    """Counts at ``num_thresholds`` evenly spaced thresholds; subclasses pick a point."""

    _counts = (TP, FP, TN, FN)

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
        self._make_counters(["true_positives", "false_positives", "true_negatives",
                             "false_negatives"])

    def _sensitivities(self):
        return _ratio(self.true_positives, self.false_negatives)

    def _specificities(self):
        return _ratio(self.true_negatives, self.false_positives)

    def _precisions(self):
        return _ratio(self.true_positives, self.false_positives)

    def _find_max_under_constraint(self, constrained, dependent):
        """The largest ``dependent`` among thresholds where ``constrained >= value``."""
        feasible = math_ops.greater_equal(constrained, self.value)
        best = reduce_ops.reduce_max(array_ops.where(feasible, dependent,
                                                     dependent * 0.0))
        return math_ops.maximum(best, 0.0)

    def get_config(self) -> dict:
        return {**super().get_config(), "class_id": self.class_id}


def _check_unit(name: str, value) -> None:
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{name}` must be in the range [0, 1]. Received: "
                         f"{name}={value}")


@keras_class("keras.metrics")
class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall) where specificity is at least ``specificity``."""

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit("specificity", specificity)
        self.specificity = specificity
        self.num_thresholds = num_thresholds
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self):
        return self._find_max_under_constraint(self._specificities(), self._sensitivities())

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "specificity": self.specificity}


@keras_class("keras.metrics")
class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity where sensitivity (recall) is at least ``sensitivity``."""

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit("sensitivity", sensitivity)
        self.sensitivity = sensitivity
        self.num_thresholds = num_thresholds
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self):
        return self._find_max_under_constraint(self._sensitivities(), self._specificities())

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "sensitivity": self.sensitivity}


@keras_class("keras.metrics")
class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision where recall is at least ``recall``."""

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit("recall", recall)
        self.recall = recall
        self.num_thresholds = num_thresholds
        super().__init__(value=recall, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self):
        return self._find_max_under_constraint(self._sensitivities(), self._precisions())

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "recall": self.recall}


@keras_class("keras.metrics")
class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall where precision is at least ``precision``."""

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit("precision", precision)
        self.precision = precision
        self.num_thresholds = num_thresholds
        super().__init__(value=precision, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self):
        return self._find_max_under_constraint(self._precisions(), self._sensitivities())

    def get_config(self) -> dict:
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "precision": self.precision}
