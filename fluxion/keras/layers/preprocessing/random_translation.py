"""``RandomTranslation``: shifts images by a random fraction of their size while training."""

from __future__ import annotations

from fluxion.keras.layers.preprocessing.affine_base import AffineImageLayer, set_range_factor
from fluxion.keras.layers.preprocessing.random_draws import uniform_per_image
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, creation_ops

_MESSAGE = ("The `factor` argument should be a number (or a list of two numbers) in the range "
            "[-1.0, 1.0]. ")


@keras_class("keras.layers")
class RandomTranslation(AffineImageLayer):
    """Shifts by ``factor * size`` drawn from each factor range
    (``keras.layers.RandomTranslation``); positive height factors shift down, positive
    width factors right.

    >>> import numpy as np
    >>> RandomTranslation(0.1, 0.1)(np.ones((1, 4, 4, 1), "float32"), training=False).shape
    TensorShape([1, 4, 4, 1])
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = set_range_factor(height_factor, "height_factor",
                                                                _MESSAGE, low_open=False)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = set_range_factor(width_factor, "width_factor",
                                                              _MESSAGE, low_open=False)
        self._init_affine(fill_mode, interpolation, seed, fill_value)

    def get_random_transformation(self, data, training=True, seed=None):

        if not training:
            return None
        height, width = self._image_size(data)
        shift_y = uniform_per_image(self, data, (1,), self.height_lower, self.height_upper,
                                    seed) * float(height)
        shift_x = uniform_per_image(self, data, (1,), self.width_lower, self.width_upper,
                                    seed) * float(width)
        return {"translations": array_ops.concat([shift_x, shift_y], axis=1)}

    def _matrix(self, transformation):

        shifts = array_ops.cast(transformation["translations"], "float32")
        shift_x, shift_y = shifts[:, 0:1], shifts[:, 1:2]
        ones, zeros = creation_ops.ones_like(shift_x), creation_ops.zeros_like(shift_x)
        return array_ops.concat(
            [ones, zeros, -shift_x, zeros, ones, -shift_y, zeros, zeros], axis=1
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }
