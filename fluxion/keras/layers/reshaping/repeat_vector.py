"""``RepeatVector``: ``(batch, features)`` -> ``(batch, n, features)``."""

from __future__ import annotations

from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import expand_dims, repeat


@keras_class("keras.layers")
class RepeatVector(Layer):
    """Repeats each 1-D example ``n`` times.

    >>> import numpy as np
    >>> RepeatVector(3)(np.array([[1.0, 2.0]], "float32")).shape
    TensorShape([1, 3, 2])
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"Argument `n` should be a positive integer. Received: n={n}")
        self.n = n
        self.input_spec = InputSpec(ndim=2)
        self.built = True

    def call(self, inputs):
        return repeat(expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}
