"""``Flatten``: collapses every non-batch axis into one."""

from __future__ import annotations

import math

from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.reshaping.arguments import standardize_data_format
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import reshape, transpose


@keras_class("keras.layers")
class Flatten(Layer):
    """``(batch, d1, d2, ...)`` -> ``(batch, d1 * d2 * ...)``; ``(batch,)`` -> ``(batch, 1)``.

    With ``data_format="channels_first"`` the channel axis is moved last first, so the
    order of the features matches a channels-last model.

    >>> import numpy as np
    >>> Flatten()(np.array([[[1.0, 2.0], [3.0, 4.0]]], "float32")).shape
    TensorShape([1, 4])
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)
        self.built = True

    def call(self, inputs):
        shape = tuple(inputs.shape)
        rank = len(shape)
        if self.data_format == "channels_first" and rank > 1:
            inputs = transpose(inputs, (0, *range(2, rank), 1))
        flat = self.compute_output_shape(shape)[1]
        if flat is None:
            if shape[0] is None:
                raise ValueError(f'Layer "{self.name}" (Flatten) cannot flatten inputs of shape '
                                 f"{shape}: with an unknown batch size every other dimension "
                                 f"must be known.")
            return reshape(inputs, (shape[0], -1))
        return reshape(inputs, (-1, flat))

    def compute_output_shape(self, input_shape):
        non_batch = tuple(input_shape)[1:]
        if not non_batch:
            flat = 1
        elif any(d is None for d in non_batch):
            flat = None
        else:
            flat = math.prod(non_batch)
        return (input_shape[0], flat)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}
