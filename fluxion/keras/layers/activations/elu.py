"""``ELU``: ``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""

from __future__ import annotations

from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import where
from fluxion.ops.math_ops import greater
from fluxion.ops.nn_ops import elu


@keras_class("keras.layers")
class ELU(Layer):
    """The exponential linear unit (``keras.layers.ELU``).

    >>> import numpy as np
    >>> ELU(alpha=2.0)(np.array([0.0, 1.0], "float32")).numpy()
    array([0., 1.], dtype=float32)
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        x = elu(inputs)
        if self.alpha == 1.0:
            return x
        return where(greater(inputs, 0.0), x, x * self.alpha)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}
