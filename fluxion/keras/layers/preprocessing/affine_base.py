"""The shared part of ``RandomRotation``, ``RandomZoom`` and ``RandomTranslation``: a
random affine transformation applied with ``image_ops.affine_transform``."""

from __future__ import annotations

from fluxion.keras.layers.preprocessing import image_ops
from fluxion.keras.layers.preprocessing.base_image import BaseImagePreprocessingLayer
from fluxion.keras.layers.preprocessing.random_draws import SeedStream
from fluxion.ops import array_ops


def check_fill_and_interpolation(fill_mode: str, interpolation: str) -> None:
    if fill_mode not in image_ops.FILL_MODES:
        raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                  f"{image_ops.FILL_MODES}.")
    if interpolation not in image_ops.INTERPOLATIONS:
        raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                  f"{image_ops.INTERPOLATIONS}.")


class AffineImageLayer(BaseImagePreprocessingLayer):
    """Applies ``transformation["matrix"]`` (``[B, 8]``) to images while training."""

    def _init_affine(self, fill_mode, interpolation, seed, fill_value) -> None:
        check_fill_and_interpolation(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        self.seed = seed
        self.generator = SeedStream(seed)

    def _image_size(self, images) -> tuple[int, int]:
        h_axis, w_axis = self._hw_axes()
        height, width = tuple(images.shape)[h_axis], tuple(images.shape)[w_axis]
        if height is None or width is None:
            raise ValueError(f"{type(self).__name__} needs images with a known height and "
                             f"width; got shape {tuple(images.shape)}")
        return int(height), int(width)

    def _matrix(self, transformation):
        raise NotImplementedError

    def transform_images(self, images, transformation, training=True):

        images = array_ops.cast(images, self.compute_dtype)
        if not training or transformation is None:
            return images
        unbatched = len(images.shape) == 3
        if unbatched:
            images = array_ops.expand_dims(images, 0)
        matrix = array_ops.reshape(array_ops.cast(self._matrix(transformation), "float32"), (-1, 8))
        output = image_ops.affine_transform(self._to_channels_last(images), matrix,
                                            self.interpolation, self.fill_mode,
                                            self.fill_value)
        output = self._from_channels_last(output)
        return array_ops.squeeze(output, 0) if unbatched else output

    def get_config(self) -> dict:
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value}


def set_range_factor(factor, name: str, message: str, low_open: bool) -> tuple:
    """A zoom/translation factor as ``(lower, upper)``: a number ``f`` means ``(-f, f)``."""
    def check(value):
        if value > 1.0 or (value <= -1.0 if low_open else value < -1.0):
            raise ValueError(message + f"Received: input_number={value}")

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(message + f"Received: {name}={factor}")
        check(factor[0])
        check(factor[1])
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)):
        check(factor)
        return -abs(factor), abs(factor)
    raise ValueError(message + f"Received: {name}={factor}")
