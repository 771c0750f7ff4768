"""``Resizing``: resizes images to a fixed size (bilinear or nearest, TF2's half-pixel
sampling), optionally cropping or padding to the target aspect ratio first."""

from __future__ import annotations

from fluxion.keras.layers.preprocessing import image_ops
from fluxion.keras.layers.preprocessing.base_image import BaseImagePreprocessingLayer
from fluxion.keras.saving.serialization import keras_class

_RESIZE_METHODS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")


@keras_class("keras.layers")
class Resizing(BaseImagePreprocessingLayer):
    """Resizes images to ``(height, width)`` (``keras.layers.Resizing``).

    >>> import numpy as np
    >>> Resizing(2, 2)(np.ones((1, 4, 4, 3), "float32")).shape
    TensorShape([1, 2, 2, 3])
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if interpolation not in _RESIZE_METHODS:
            raise ValueError(f"Invalid value for argument `interpolation`: expected one of "
                             f"{_RESIZE_METHODS}. Received: interpolation={interpolation}")
        if fill_mode != "constant":
            raise ValueError(f"Invalid value for argument `fill_mode`. Only `'constant'` is "
                             f"supported. Received: fill_mode={fill_mode}")
        if pad_to_aspect_ratio and crop_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can "
                             "be `True`.")
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def transform_images(self, images, transformation=None, training=True):
        images = self._to_channels_last(images)
        resized = image_ops.resize_like_keras(images, self.height, self.width,
                                              self.interpolation, self.crop_to_aspect_ratio,
                                              self.pad_to_aspect_ratio, self.fill_value,
                                              antialias=self.antialias)
        return self._from_channels_last(resized)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h_axis, w_axis = self._hw_axes()
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}
