"""``Rescaling``: ``inputs * scale + offset`` (e.g. pixel values to [0, 1] or [-1, 1])."""

from __future__ import annotations

import numpy as np

from fluxion.keras.layers.preprocessing.data_layer import DataLayer
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from fluxion.ops import array_ops, creation_ops


@keras_class("keras.layers")
class Rescaling(DataLayer):
    """Multiplies by ``scale`` and adds ``offset``, in the compute dtype.

    ``scale`` may be a per-channel list (laid along the channel axis of the image format).

    >>> import numpy as np
    >>> Rescaling(1 / 255)(np.array([[0, 255]], "uint8")).numpy()
    array([[0., 1.]], dtype=float32)
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        from fluxion.keras import config

        dtype = self.compute_dtype
        scale = np.asarray(self.scale, dtype)
        if scale.ndim and config.image_data_format() == "channels_first":
            scale = scale.reshape(scale.shape + (1,) * (3 - scale.ndim))
        offset = np.asarray(self.offset, dtype)
        return array_ops.cast(inputs, dtype) * creation_ops.constant(scale) + creation_ops.constant(
            offset
        )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "scale": serialize_keras_object(self.scale),
            "offset": serialize_keras_object(self.offset),
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["scale"] = deserialize_keras_object(config["scale"])
        config["offset"] = deserialize_keras_object(config["offset"])
        return super().from_config(config)
