"""``GaussianNoise`` and ``GaussianDropout``: noise regularizers active only while training."""

from __future__ import annotations

import math

from fluxion.core.tensor import shape_tuple
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.regularization.seed_stream import SeedStream, draw_shape
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.random_ops import stateless_normal


def _check_unit_interval(name: str, value) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"Invalid value received for argument `{name}`. Expected a float "
                         f"value between 0 and 1. Received: {name}={value}")


@keras_class("keras.layers")
class GaussianNoise(Layer):
    """Adds ``N(0, stddev)`` noise when ``training`` is truthy.

    >>> import numpy as np
    >>> GaussianNoise(0.1)(np.array([1.0], "float32")).numpy()
    array([1.], dtype=float32)
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_unit_interval("stddev", stddev)
        self.stddev = stddev
        self.seed = seed
        self.seed_generator = SeedStream(seed) if stddev > 0 else None
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            shape = draw_shape(self.name, shape_tuple(inputs), inputs)
            return inputs + stateless_normal(shape, self.seed_generator.next(),
                                             stddev=self.stddev, dtype=inputs.dtype)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


@keras_class("keras.layers")
class GaussianDropout(Layer):
    """Multiplies by ``N(1, sqrt(rate / (1 - rate)))`` noise when ``training`` is truthy.

    >>> import numpy as np
    >>> GaussianDropout(0.2)(np.array([1.0], "float32")).numpy()
    array([1.], dtype=float32)
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_unit_interval("rate", rate)
        self.rate = rate
        self.seed = seed
        self.seed_generator = SeedStream(seed) if rate > 0 else None
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            shape = draw_shape(self.name, shape_tuple(inputs), inputs)
            return inputs * stateless_normal(shape, self.seed_generator.next(),
                                             mean=1.0, stddev=stddev, dtype=inputs.dtype)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
