"""``RandomBrightness``: adds a random offset to each image while training."""

from __future__ import annotations

from fluxion.core.tensor import convert_to_tensor
from fluxion.keras.layers.preprocessing.base_image import BaseImagePreprocessingLayer
from fluxion.keras.layers.preprocessing.random_draws import SeedStream, uniform_per_image
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, clip_ops


@keras_class("keras.layers")
class RandomBrightness(BaseImagePreprocessingLayer):
    """Adds ``delta * (value_range[1] - value_range[0])``, ``delta`` drawn from ``factor``
    (a number ``f`` means ``[-f, f]``), and clips to ``value_range``, while training
    (``keras.layers.RandomBrightness``).

    >>> import numpy as np
    >>> RandomBrightness((0.1, 0.1), value_range=(0, 1))(np.zeros((1, 1, 1, 1), "float32"))
    ... # doctest: +ELLIPSIS
    <tf.Tensor: shape=(1, 1, 1, 1), dtype=float32, numpy=array([[[[0.1...]]]], dtype=float32)>
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor=factor, **kwargs)
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(f"The `value_range` argument should be a list of two numbers. "
                             f"Received: value_range={value_range}")
        self.value_range = sorted(value_range)
        self.seed = seed
        self.generator = SeedStream(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        delta = uniform_per_image(self, data, (1, 1, 1), self.factor[0], self.factor[1], seed)
        delta = delta * float(self.value_range[1] - self.value_range[0])
        return {"rgb_delta": delta if len(data.shape) == 4 else delta[0]}

    def transform_images(self, images, transformation, training=True):

        if not training or transformation is None:
            return images
        images = array_ops.cast(images, self.compute_dtype)
        delta = array_ops.cast(convert_to_tensor(transformation["rgb_delta"]), images.dtype)
        return clip_ops.clip_by_value(images + delta, float(self.value_range[0]),
                                float(self.value_range[1]))

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range), "seed": self.seed}
