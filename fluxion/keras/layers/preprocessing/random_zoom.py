"""``RandomZoom``: zooms images in or out by a random factor while training."""

from __future__ import annotations

from fluxion.keras.layers.preprocessing.affine_base import AffineImageLayer, set_range_factor
from fluxion.keras.layers.preprocessing.random_draws import uniform_per_image
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, creation_ops

_MESSAGE = ("The `height_factor` and `width_factor` arguments should be a number (or a list "
            "of two numbers) in the range (-1.0, 1.0]. ")


@keras_class("keras.layers")
class RandomZoom(AffineImageLayer):
    """Zooms by ``1 + factor`` drawn from the factor range (``keras.layers.RandomZoom``):
    a positive factor zooms out, a negative one zooms in; without ``width_factor`` the
    aspect ratio is kept.

    >>> import numpy as np
    >>> RandomZoom(0.2)(np.ones((1, 4, 4, 1), "float32"), training=False).shape
    TensorShape([1, 4, 4, 1])
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = set_range_factor(height_factor, "height_factor",
                                                                _MESSAGE, low_open=True)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = set_range_factor(
                width_factor, "width_factor", _MESSAGE, low_open=True)
        self._init_affine(fill_mode, interpolation, seed, fill_value)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        height_zoom = uniform_per_image(self, data, (1,), 1.0 + self.height_lower,
                                        1.0 + self.height_upper, seed)
        width_zoom = height_zoom if self.width_factor is None else uniform_per_image(
            self, data, (1,), 1.0 + self.width_lower, 1.0 + self.width_upper, seed)
        height, width = self._image_size(data)
        return {"height_zoom": height_zoom, "width_zoom": width_zoom,
                "image_height": height, "image_width": width}

    def _matrix(self, transformation):

        zoom_x = array_ops.reshape(array_ops.cast(transformation["width_zoom"], "float32"), (-1, 1))
        zoom_y = array_ops.reshape(
            array_ops.cast(transformation["height_zoom"], "float32"), (-1, 1)
        )
        height = transformation.get("image_height")
        width = transformation.get("image_width")
        zeros = creation_ops.zeros_like(zoom_x)
        return array_ops.concat(
            [
                zoom_x,
                zeros,
                (width - 1.0) / 2.0 * (1.0 - zoom_x),
                zeros,
                zoom_y,
                (height - 1.0) / 2.0 * (1.0 - zoom_y),
                zeros,
                zeros,
            ],
            axis=1,
        )

    def transform_images(self, images, transformation, training=True):
        if transformation is not None and "image_height" not in transformation:
            height, width = self._image_size(images)
            transformation = {**transformation, "image_height": height, "image_width": width}
        return super().transform_images(images, transformation, training)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }
