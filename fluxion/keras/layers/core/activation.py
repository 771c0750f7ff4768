"""``Activation``: applies an activation function by name or callable."""

from __future__ import annotations

from fluxion.keras import activations
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class


@keras_class("keras.layers")
class Activation(Layer):
    """Applies ``activation`` elementwise (``keras.layers.Activation``).

    >>> import numpy as np
    >>> Activation("relu")(np.array([[-1.0, 2.0]], "float32")).numpy()
    array([[0., 2.]], dtype=float32)
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
