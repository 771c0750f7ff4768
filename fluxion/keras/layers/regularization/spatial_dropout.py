"""``SpatialDropout1D/2D/3D``: dropout of whole feature maps (channels), not single elements."""

from __future__ import annotations

from fluxion.core.tensor import shape_tuple
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.regularization.dropout import Dropout
from fluxion.keras.layers.reshaping.arguments import standardize_data_format
from fluxion.keras.saving.serialization import keras_class


class BaseSpatialDropout(Dropout):
    """Dropout whose mask is 1 along every spatial axis: one keep/drop per channel."""

    rank = 1

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _noise_shape(self, inputs):
        shape = tuple(shape_tuple(inputs))
        if getattr(self, "data_format", "channels_last") == "channels_first":
            return (shape[0], shape[1]) + (1,) * self.rank
        return (shape[0],) + (1,) * self.rank + (shape[-1],)

    def get_config(self) -> dict:
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


@keras_class("keras.layers")
class SpatialDropout1D(BaseSpatialDropout):
    """Drops whole channels of ``(batch, steps, channels)`` inputs while training.

    >>> import numpy as np
    >>> SpatialDropout1D(0.5)(np.array([[[1.0, 2.0]]], "float32")).shape
    TensorShape([1, 1, 2])
    """

    rank = 1


class _SpatialDropoutND(BaseSpatialDropout):
    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = standardize_data_format(data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


@keras_class("keras.layers")
class SpatialDropout2D(_SpatialDropoutND):
    """Drops whole channels of 4-D inputs (``data_format`` says where channels are)."""

    rank = 2


@keras_class("keras.layers")
class SpatialDropout3D(_SpatialDropoutND):
    """Drops whole channels of 5-D inputs (``data_format`` says where channels are)."""

    rank = 3
