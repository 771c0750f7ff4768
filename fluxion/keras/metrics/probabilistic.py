"""Running means of the probabilistic and hinge losses: cross-entropies, KL divergence,
Poisson, hinge, squared hinge and categorical hinge (Keras 3 metric classes)."""

from __future__ import annotations

from fluxion.keras.losses.hinge import categorical_hinge, hinge, squared_hinge
from fluxion.keras.losses.probabilistic import (
    binary_crossentropy,
    categorical_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from fluxion.keras.metrics.reduction import MeanMetricWrapper
from fluxion.keras.saving.serialization import keras_class


class _PlainConfig(MeanMetricWrapper):
    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@keras_class("keras.metrics")
class KLDivergence(_PlainConfig):
    """The running mean Kullback-Leibler divergence (``keras.metrics.KLDivergence``)."""

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(fn=kl_divergence, name=name, dtype=dtype)


@keras_class("keras.metrics")
class Poisson(_PlainConfig):
    """The running mean Poisson loss (``keras.metrics.Poisson``)."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(fn=poisson, name=name, dtype=dtype)


@keras_class("keras.metrics")
class BinaryCrossentropy(MeanMetricWrapper):
    """The running mean binary cross-entropy (``keras.metrics.BinaryCrossentropy``)."""

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(binary_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


@keras_class("keras.metrics")
class CategoricalCrossentropy(MeanMetricWrapper):
    """The running mean categorical cross-entropy (``keras.metrics.CategoricalCrossentropy``)."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


@keras_class("keras.metrics")
class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The running mean sparse categorical cross-entropy."""

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}


@keras_class("keras.metrics")
class Hinge(_PlainConfig):
    """The running mean hinge loss (``keras.metrics.Hinge``)."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(fn=hinge, name=name, dtype=dtype)


@keras_class("keras.metrics")
class SquaredHinge(_PlainConfig):
    """The running mean squared hinge loss (``keras.metrics.SquaredHinge``)."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(fn=squared_hinge, name=name, dtype=dtype)


@keras_class("keras.metrics")
class CategoricalHinge(_PlainConfig):
    """The running mean categorical hinge loss (``keras.metrics.CategoricalHinge``)."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(fn=categorical_hinge, name=name, dtype=dtype)
