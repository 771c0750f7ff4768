"""``RandomCrop``: a random ``height x width`` window of images while training."""

from __future__ import annotations

from fluxion.keras.layers.preprocessing import image_ops
from fluxion.keras.layers.preprocessing.base_image import BaseImagePreprocessingLayer
from fluxion.keras.layers.preprocessing.random_draws import SeedStream
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, creation_ops
from fluxion.ops.random_ops import stateless_uniform


@keras_class("keras.layers")
class RandomCrop(BaseImagePreprocessingLayer):
    """Crops one random window, shared by the batch, while training
    (``keras.layers.RandomCrop``).  Images not larger than the target on both sides are
    cropped to the target's aspect ratio and resized; in inference the input passes
    through unchanged, as in Keras 3.

    >>> import numpy as np
    >>> RandomCrop(2, 3, seed=0)(np.ones((1, 4, 5, 3), "float32")).shape
    TensorShape([1, 2, 3, 3])
    """

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(name=name, data_format=data_format, **kwargs)
        self.height = height
        self.width = width
        if seed is None:
            from fluxion.keras.random import make_default_seed

            seed = make_default_seed()
        self.seed = seed
        self.generator = SeedStream(seed)

    def get_random_transformation(self, data, training=True, seed=None):

        images = self._to_channels_last(data)
        in_height, in_width = image_ops.spatial_size(images, "RandomCrop")
        if training and in_height > self.height and in_width > self.width:
            seed = self._seed(seed)
            starts = stateless_uniform((2,), seed, minval=0.0, maxval=1.0)
            limits = creation_ops.constant(
                [in_height - self.height + 1.0, in_width - self.width + 1.0]
            )
            starts = array_ops.cast(starts * limits, "int32")
            return starts[0], starts[1]
        top, left, _, _ = image_ops.crop_to_aspect_box(in_height, in_width, self.height, self.width)
        return top, left

    def transform_images(self, images, transformation, training=True):

        if not training:
            return images
        images = self._to_channels_last(array_ops.cast(images, self.compute_dtype))
        top, left = transformation
        in_height, in_width = image_ops.spatial_size(images, "RandomCrop")
        if isinstance(top, int) and isinstance(left, int):
            crop_height = min(self.height, in_height - top)
            crop_width = min(self.width, in_width - left)
            images = image_ops.crop(images, top, left, crop_height, crop_width)
        else:  # drawn starts (tensors): gather the window's rows and columns
            h_axis = len(images.shape) - 3
            rows = creation_ops.range(self.height) + array_ops.cast(top, "int32")
            cols = creation_ops.range(self.width) + array_ops.cast(left, "int32")
            images = array_ops.gather(
                array_ops.gather(images, rows, axis=h_axis), cols, axis=h_axis + 1
            )
        height, width = image_ops.spatial_size(images, "RandomCrop")
        if (height, width) != (self.height, self.width):
            images = array_ops.cast(
                image_ops.resize(images, self.height, self.width), self.compute_dtype
            )
        return self._from_channels_last(images)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h_axis, w_axis = self._hw_axes()
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "seed": self.seed,
        }
