"""``RandomContrast``: scales each image's deviation from its mean by a random factor."""

from __future__ import annotations

from fluxion.core.tensor import convert_to_tensor
from fluxion.keras.layers.preprocessing.base_image import BaseImagePreprocessingLayer
from fluxion.keras.layers.preprocessing.random_draws import SeedStream, uniform_per_image
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, clip_ops, reduce_ops


@keras_class("keras.layers")
class RandomContrast(BaseImagePreprocessingLayer):
    """``(x - mean) * f + mean`` per image and channel, ``f`` drawn from
    ``[1 - lower, 1 + upper]``, clipped to ``value_range``, while training
    (``keras.layers.RandomContrast``).

    >>> import numpy as np
    >>> RandomContrast(0.5)(np.ones((1, 2, 2, 3), "float32"), training=False).shape
    TensorShape([1, 2, 2, 3])
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedStream(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        factor = uniform_per_image(self, data, (1, 1, 1), 1.0 - self.factor[0],
                                   1.0 + self.factor[1], seed, self.compute_dtype)
        return {"contrast_factor": factor if len(data.shape) == 4 else factor[0]}

    def transform_images(self, images, transformation, training=True):

        if not training:
            return images
        images = array_ops.cast(images, self.compute_dtype)
        factor = array_ops.cast(convert_to_tensor(transformation["contrast_factor"]), images.dtype)
        h_axis, w_axis = self._hw_axes()
        mean = reduce_ops.reduce_mean(images, axis=[h_axis, w_axis], keepdims=True)
        output = (images - mean) * factor + mean
        return clip_ops.clip_by_value(output, float(self.value_range[0]),
                                float(self.value_range[1]))

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range), "seed": self.seed}
