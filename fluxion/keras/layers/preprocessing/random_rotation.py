"""``RandomRotation``: rotates images by a random angle while training."""

from __future__ import annotations

import math

from fluxion.keras.layers.preprocessing.affine_base import AffineImageLayer
from fluxion.keras.layers.preprocessing.random_draws import uniform_per_image
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, creation_ops, math_ops


@keras_class("keras.layers")
class RandomRotation(AffineImageLayer):
    """Rotates by an angle drawn from ``factor * 2 pi`` (``keras.layers.RandomRotation``);
    ``factor=0.1`` means up to 36 degrees either way, ``(a, b)`` a range.  Pixels from
    outside the image come from ``fill_mode`` (``reflect`` by default).

    >>> import numpy as np
    >>> RandomRotation(0.1)(np.ones((1, 4, 4, 1), "float32"), training=False).shape
    TensorShape([1, 4, 4, 1])
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self._init_affine(fill_mode, interpolation, seed, fill_value)

    def get_random_transformation(self, data, training=True, seed=None):

        if not training:
            return None
        height, width = self._image_size(data)
        angle = uniform_per_image(self, data, (), self.factor[0] * 360.0,
                                  self.factor[1] * 360.0, seed) * (math.pi / 180.0)
        cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
        cos, sin = math_ops.cos(angle), math_ops.sin(angle)
        zeros = creation_ops.zeros_like(angle)
        # Rotation about the image centre, as Keras's affine matrix with no shear or scale.
        matrix = array_ops.stack([cos, -sin, cx - cx * cos + cy * sin,
                           sin, cos, cy - cx * sin - cy * cos, zeros, zeros], axis=1)
        return {"angle": angle, "rotation_matrix": matrix, "image_height": height,
                "image_width": width}

    def _matrix(self, transformation):
        return transformation["rotation_matrix"]

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": list(self.factor)}
