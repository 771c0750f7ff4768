"""Colour-space conversions of ``keras.ops.image`` (TensorFlow's definitions): RGB to
grayscale, RGB to HSV and back.  The channel axis is last unless ``data_format`` says
channels-first; values are floats in ``[0, 1]`` for HSV."""

from __future__ import annotations

from fluxion.keras.ops import core_ops, numpy_math, numpy_reduce, numpy_shape
from fluxion.keras.ops.image_layout import as_channels_last, from_channels_last

_GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)


def _check_rgb(images, op):
    if tuple(images.shape)[-1] not in (3, None):
        raise ValueError(f"{op} expects 3 channels (RGB); got images of shape "
                         f"{tuple(images.shape)}")


def rgb_to_grayscale(images, data_format=None):
    """Luma ``0.2989 R + 0.5870 G + 0.1140 B``, keeping a channel axis of size 1; integer
    images stay integers (scaled as TensorFlow's ``convert_image_dtype`` does)."""
    images, channels_first = as_channels_last(images, data_format, "rgb_to_grayscale")
    _check_rgb(images, "rgb_to_grayscale")
    dtype = images.dtype
    floats = images if dtype.is_floating else core_ops.cast(images, "float32")
    weights = core_ops.convert_to_tensor(_GRAY_WEIGHTS, dtype=floats.dtype)
    gray = numpy_reduce.sum(floats * weights, axis=-1, keepdims=True)
    if not dtype.is_floating:
        top = float(dtype.max)
        gray = core_ops.cast(numpy_math.floor(gray / top * (top + 0.5)), dtype)
    return from_channels_last(gray, channels_first)


def _float_images(images, op):
    if not images.dtype.is_floating:
        raise ValueError(f"{op} expects float images (values in [0, 1]); got dtype "
                         f"{images.dtype.name}")
    return images


def rgb_to_hsv(images, data_format=None):
    """RGB to HSV (hue, saturation, value), every channel in ``[0, 1]``."""
    images, channels_first = as_channels_last(images, data_format, "rgb_to_hsv")
    _check_rgb(images, "rgb_to_hsv")
    images = _float_images(images, "rgb_to_hsv")
    red, green, blue = images[..., 0], images[..., 1], images[..., 2]
    value = numpy_reduce.max(images, axis=-1)
    spread = value - numpy_reduce.min(images, axis=-1)
    safe_value = numpy_shape.where(value > 0, value, 1.0)
    saturation = numpy_shape.where(value > 0, spread / safe_value, 0.0)
    safe = numpy_shape.where(spread > 0, spread, 1.0)
    hue = numpy_shape.where(value == red, (green - blue) / safe,
                            numpy_shape.where(value == green, 2.0 + (blue - red) / safe,
                                              4.0 + (red - green) / safe))
    hue = hue / 6.0
    hue = numpy_shape.where(hue < 0, hue + 1.0, hue)
    hue = numpy_shape.where(spread > 0, hue, 0.0)
    hsv = numpy_shape.stack([hue, saturation, value], axis=-1)
    return from_channels_last(hsv, channels_first)


def hsv_to_rgb(images, data_format=None):
    """HSV (every channel in ``[0, 1]``) to RGB."""
    images, channels_first = as_channels_last(images, data_format, "hsv_to_rgb")
    _check_rgb(images, "hsv_to_rgb")
    images = _float_images(images, "hsv_to_rgb")
    hue, saturation, value = images[..., 0], images[..., 1], images[..., 2]
    sector = hue * 6.0
    red = numpy_math.clip(numpy_math.abs(sector - 3.0) - 1.0, 0.0, 1.0)
    green = numpy_math.clip(2.0 - numpy_math.abs(sector - 2.0), 0.0, 1.0)
    blue = numpy_math.clip(2.0 - numpy_math.abs(sector - 4.0), 0.0, 1.0)
    pure = numpy_shape.stack([red, green, blue], axis=-1)
    rgb = ((pure - 1.0) * saturation[..., None] + 1.0) * value[..., None]
    return from_channels_last(rgb, channels_first)
