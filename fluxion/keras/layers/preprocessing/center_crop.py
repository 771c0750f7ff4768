"""``CenterCrop``: the central ``height x width`` window of images (resized when smaller)."""

from __future__ import annotations

from fluxion.keras.layers.preprocessing import image_ops
from fluxion.keras.layers.preprocessing.base_image import BaseImagePreprocessingLayer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops


@keras_class("keras.layers")
class CenterCrop(BaseImagePreprocessingLayer):
    """Crops the centre of images to ``(height, width)`` (``keras.layers.CenterCrop``).

    An image smaller than the target is first cropped to the target's aspect ratio and
    resized (bilinear), as Keras's ``smart_resize``.

    >>> import numpy as np
    >>> CenterCrop(2, 2)(np.ones((1, 4, 5, 3), "float32")).shape
    TensorShape([1, 2, 2, 3])
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = height
        self.width = width

    def transform_images(self, images, transformation=None, training=True):

        images = self._to_channels_last(array_ops.cast(images, self.compute_dtype))
        in_height, in_width = image_ops.spatial_size(images, "CenterCrop")
        if in_height >= self.height and in_width >= self.width:
            top, left = (in_height - self.height) // 2, (in_width - self.width) // 2
            output = image_ops.crop(images, top, left, self.height, self.width)
        else:
            box = image_ops.crop_to_aspect_box(in_height, in_width, self.height, self.width)
            output = image_ops.resize(image_ops.crop(images, *box), self.height, self.width)
        return self._from_channels_last(output)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        if len(shape) not in (3, 4):
            raise ValueError("`input_shape` must be a non-nested tuple or list of rank-1 with "
                             "size 3 (unbatched) or 4 (batched). ")
        h_axis, w_axis = self._hw_axes()
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width}
