"""Regression metrics: running means of the regression losses, ``RootMeanSquaredError``,
``CosineSimilarity``, ``LogCoshError`` and ``R2Score`` (Keras 3)."""

from __future__ import annotations

from fluxion.keras.losses.loss import as_tensor, squeeze_or_expand_to_same_rank
from fluxion.keras.losses.regression import (
    l2_normalize,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from fluxion.keras.metrics.metric import Metric
from fluxion.keras.metrics.reduction import Mean, MeanMetricWrapper
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, creation_ops, math_ops, reduce_ops


class _PlainConfig(MeanMetricWrapper):
    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@keras_class("keras.metrics")
class MeanSquaredError(_PlainConfig):
    """The running mean of squared errors (``keras.metrics.MeanSquaredError``)."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=mean_squared_error, name=name, dtype=dtype)


@keras_class("keras.metrics")
class MeanAbsoluteError(_PlainConfig):
    """The running mean of absolute errors (``keras.metrics.MeanAbsoluteError``)."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name, dtype=dtype)


@keras_class("keras.metrics")
class MeanAbsolutePercentageError(_PlainConfig):
    """The running mean absolute percentage error."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name, dtype=dtype)


@keras_class("keras.metrics")
class MeanSquaredLogarithmicError(_PlainConfig):
    """The running mean squared logarithmic error."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name, dtype=dtype)


def cosine_similarity(y_true, y_pred, axis=-1):
    """The cosine similarity of ``y_true`` and ``y_pred`` along ``axis`` (not negated)."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return reduce_ops.reduce_sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis),
                                 axis=axis)


@keras_class("keras.metrics")
class CosineSimilarity(_PlainConfig):
    """The running mean cosine similarity (``keras.metrics.CosineSimilarity``)."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name, dtype=dtype, axis=axis)


@keras_class("keras.metrics")
class LogCoshError(_PlainConfig):
    """The running mean of ``log(cosh(error))`` (``keras.metrics.LogCoshError``)."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(log_cosh, name, dtype=dtype)


@keras_class("keras.metrics")
class RootMeanSquaredError(Mean):
    """``sqrt`` of the running mean squared error (``keras.metrics.RootMeanSquaredError``).

    >>> float(RootMeanSquaredError()([[0.0, 1.0]], [[2.0, 1.0]]))  # sqrt((4 + 0) / 2)
    1.4142135381698608
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = as_tensor(y_true, self.dtype)
        y_pred = as_tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(math_ops.square(y_pred - y_true),
                                    sample_weight=sample_weight)

    def result(self):
        return math_ops.sqrt(super().result())


@keras_class("keras.metrics")
class R2Score(Metric):
    """The coefficient of determination, per output or aggregated (``keras.metrics.R2Score``).

    Args:
      class_aggregation: ``"uniform_average"`` (default), ``"variance_weighted_average"``
        or None (one score per output).
      num_regressors: for the adjusted R2 score; 0 gives the plain score.
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of "
                             f"{valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), initializer="zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, output_dim), "
                             f"with output_dim fully defined (not None). Received input "
                             f"shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        num_classes = y_pred_shape[-1]
        self.squared_sum = self.add_variable((num_classes,), "zeros", name="squared_sum")
        self.sum = self.add_variable((num_classes,), "zeros", name="sum")
        self.total_mse = self.add_variable((num_classes,), "zeros", name="residual")
        self.count = self.add_variable((num_classes,), "zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = as_tensor(y_true, self.dtype)
        y_pred = as_tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        sample_weight = as_tensor(1.0 if sample_weight is None else sample_weight, self.dtype)
        if len(sample_weight.shape) == 1:
            sample_weight = array_ops.expand_dims(sample_weight, 1)
        sample_weight = array_ops.broadcast_to(sample_weight, creation_ops.shape(y_true))
        weighted = y_true * sample_weight
        self.sum.assign_add(reduce_ops.reduce_sum(weighted, axis=0))
        self.squared_sum.assign_add(reduce_ops.reduce_sum(y_true * weighted, axis=0))
        self.total_mse.assign_add(reduce_ops.reduce_sum(
            math_ops.square(y_true - y_pred) * sample_weight, axis=0))
        self.count.assign_add(reduce_ops.reduce_sum(sample_weight, axis=0))
        self.num_samples.assign_add(math_ops.cast(creation_ops.size(y_true), self.dtype))

    def result(self):
        total_sum, count = as_tensor(self.sum), as_tensor(self.count)
        mean = total_sum / count
        total = as_tensor(self.squared_sum) - total_sum * mean
        raw = 1.0 - as_tensor(self.total_mse) / total
        raw = array_ops.where(math_ops.is_inf(raw), creation_ops.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = reduce_ops.reduce_mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = reduce_ops.reduce_sum(total * raw) / reduce_ops.reduce_sum(total)
        else:
            score = raw
        if self.num_regressors != 0:
            # Adjusted R2 where there are more samples than regressors + 1, else the plain
            # score (Keras warns then); a select, so it also works in traced functions.
            n = as_tensor(self.num_samples)
            p = float(self.num_regressors)
            adjusted = 1.0 - (1.0 - score) * (n - 1.0) / math_ops.maximum(n - p - 1.0, 1.0)
            score = array_ops.where(math_ops.greater(n - 1.0, p), adjusted, score)
        return score

    def get_config(self) -> dict:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
