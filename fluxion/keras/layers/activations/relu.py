"""``ReLU``: the rectifier with an optional cap, threshold and negative slope."""

from __future__ import annotations

from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import where
from fluxion.ops.math_ops import greater, minimum
from fluxion.ops.nn_ops import relu


@keras_class("keras.layers")
class ReLU(Layer):
    """``max_value`` above it, ``x`` above ``threshold``, else ``negative_slope * (x - threshold)``.

    >>> import numpy as np
    >>> ReLU(max_value=1.0)(np.array([-1.0, 0.5, 3.0], "float32")).numpy()
    array([0. , 0.5, 1. ], dtype=float32)
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError("max_value of a ReLU layer cannot be a negative value. "
                             f"Received: max_value={max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError("negative_slope of a ReLU layer cannot be None or a negative "
                             f"value. Received: negative_slope={negative_slope}")
        if threshold is None or threshold < 0.0:
            raise ValueError("threshold of a ReLU layer cannot be None or a negative value. "
                             f"Received: threshold={threshold}")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        if self.threshold == 0 and self.negative_slope == 0:
            x = relu(inputs)
        else:
            above = greater(inputs, self.threshold)
            below = (inputs - self.threshold) * self.negative_slope
            x = where(above, inputs, below) if self.negative_slope else \
                where(above, inputs, inputs * 0.0)
        if self.max_value is not None:
            x = minimum(x, self.max_value)
        return x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}
