"""``Identity``: returns its inputs unchanged (a placeholder layer)."""

from __future__ import annotations

from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class


@keras_class("keras.layers")
class Identity(Layer):
    """Returns its input (any structure of tensors) as it is, mask included.

    >>> import numpy as np
    >>> Identity()(np.array([1.0, 2.0], "float32")).numpy()
    array([1., 2.], dtype=float32)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
