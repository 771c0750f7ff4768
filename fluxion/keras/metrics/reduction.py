"""Reduction metrics: ``Sum``, ``Mean`` and ``MeanMetricWrapper`` (the running mean of a
per-sample function such as a loss or an accuracy), with sample weights and masks."""

from __future__ import annotations

from fluxion.keras.losses.loss import (
    apply_mask,
    as_tensor,
    get_keras_mask,
    squeeze_or_expand_to_same_rank,
)
from fluxion.keras.metrics import by_name
from fluxion.keras.metrics.metric import Metric
from fluxion.keras.saving.serialization import keras_class, serialize_keras_object
from fluxion.ops import array_ops, creation_ops, math_ops, reduce_ops


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Weights ``values`` and reduces them to one value per sample (axis 0).

    Returns the per-sample values and the per-sample weights (None when unweighted).
    """
    mask = get_keras_mask(values)
    values = as_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = as_tensor(sample_weight, dtype)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask, dtype=dtype, reduction="sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = len(sample_weight.shape), len(values.shape)
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=list(range(weight_ndim, values_ndim)))
        sample_weight = array_ops.broadcast_to(sample_weight, creation_ops.shape(values))
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, weight_ndim)))
    values_ndim = len(values.shape)
    if values_ndim > 1:
        values = reduce_fn(values, axis=list(range(1, values_ndim)))
    return values, sample_weight


@keras_class("keras.metrics")
class Sum(Metric):
    """The (weighted) sum of the values seen (``keras.metrics.Sum``).

    >>> m = Sum()
    >>> float(m([1.0, 3.0, 5.0]))
    9.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight,
                                                reduce_fn=reduce_ops.reduce_sum,
                                                dtype=self.dtype)
        self.total.assign_add(reduce_ops.reduce_sum(values))

    def reset_state(self):
        self.total.assign(creation_ops.zeros((), dtype=self.total.dtype))

    def result(self):
        return as_tensor(self.total, self.dtype)


@keras_class("keras.metrics")
class Mean(Metric):
    """The (weighted) mean of the values seen (``keras.metrics.Mean``).

    >>> m = Mean()
    >>> float(m([1.0, 3.0, 5.0, 7.0], sample_weight=[1.0, 1.0, 0.0, 0.0]))
    2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(
            values, sample_weight, reduce_fn=reduce_ops.reduce_mean, dtype=self.dtype)
        self.total.assign_add(reduce_ops.reduce_sum(values))
        if sample_weight is not None:
            num_samples = reduce_ops.reduce_sum(sample_weight)
        elif len(values.shape) >= 1:
            num_samples = math_ops.cast(creation_ops.shape(values)[0], self.dtype)
        else:
            num_samples = 1.0
        self.count.assign_add(as_tensor(num_samples, self.dtype))

    def reset_state(self):
        self.total.assign(creation_ops.zeros((), dtype=self.total.dtype))
        self.count.assign(creation_ops.zeros((), dtype=self.count.dtype))

    def result(self):
        return math_ops.divide_no_nan(as_tensor(self.total), as_tensor(self.count, self.dtype))


@keras_class("keras.metrics")
class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)`` (``keras.metrics.MeanMetricWrapper``).

    >>> from fluxion.keras.losses import mean_squared_error
    >>> m = MeanMetricWrapper(mean_squared_error)
    >>> float(m([[0.0, 1.0]], [[1.0, 1.0]]))
    0.5
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = get_keras_mask(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        sample_weight = apply_mask(sample_weight, mask, dtype=self.dtype, reduction="sum")
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = {"fn": serialize_keras_object(self._fn)}
        config.update(serialize_keras_object(self._fn_kwargs))
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "fn" in config:
            config["fn"] = by_name.deserialize(config["fn"])
        return cls(**config)
