"""``Permute``: reorders the non-batch axes (``dims`` are 1-based)."""

from __future__ import annotations

from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import transpose


@keras_class("keras.layers")
class Permute(Layer):
    """``Permute((2, 1))`` swaps the two non-batch axes of a 3-D input.

    >>> import numpy as np
    >>> Permute((2, 1))(np.array([[[1.0, 2.0, 3.0]]], "float32")).shape
    TensorShape([1, 3, 1])
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of "
                             "indices in `dims` must be consecutive and start from 1. Received "
                             f"dims={dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs):
        return transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}
