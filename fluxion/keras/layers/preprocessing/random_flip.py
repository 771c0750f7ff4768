"""``RandomFlip``: flips images left-right and/or up-down at random while training."""

from __future__ import annotations

from fluxion.core.tensor import convert_to_tensor
from fluxion.keras.layers.preprocessing.base_image import BaseImagePreprocessingLayer
from fluxion.keras.layers.preprocessing.random_draws import SeedStream, uniform_per_image
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops

_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


@keras_class("keras.layers")
class RandomFlip(BaseImagePreprocessingLayer):
    """Flips each image with probability 1/2 (``keras.layers.RandomFlip``); with
    ``horizontal_and_vertical`` one draw flips both ways.

    >>> import numpy as np
    >>> x = np.arange(4, dtype="float32").reshape(1, 1, 4, 1)
    >>> RandomFlip("horizontal")(x, training=False).numpy().ravel()
    array([0., 1., 2., 3.], dtype=float32)
    """

    _USE_BASE_FACTOR = False

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if mode not in _MODES:
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode argument "
                             f"{mode}; expected one of {_MODES}")
        self.seed = seed
        self.generator = SeedStream(seed)
        self.mode = mode

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        draws = uniform_per_image(self, data, (1, 1, 1), 0.0, 1.0, seed)
        return {"flips": draws <= 0.5, "input_shape": tuple(data.shape)}

    def transform_images(self, images, transformation, training=True):

        images = array_ops.cast(images, self.compute_dtype)
        if not training or transformation is None:
            return images
        flips = convert_to_tensor(transformation["flips"])
        unbatched = len(images.shape) == 3
        if unbatched:
            images = array_ops.expand_dims(images, 0)
        flips = array_ops.reshape(flips, (-1, 1, 1, 1))
        h_axis, w_axis = self._hw_axes()
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            images = array_ops.where(flips, array_ops.reverse(images, [w_axis + 4]), images)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            images = array_ops.where(flips, array_ops.reverse(images, [h_axis + 4]), images)
        return array_ops.squeeze(images, 0) if unbatched else images

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}
