"""Colour-space conversions: grayscale, HSV, YUV, YIQ.

The linear spaces (YUV, YIQ, grayscale) are one ``tensordot`` with a 3x3 matrix; HSV is
composed of max/min/select, so every conversion is differentiable.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.elementwise import select
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.array_ops import stack, tile, unstack
from fluxion.ops.clip_ops import clip_by_value
from fluxion.ops.image.dtype_ops import convert_image_dtype
from fluxion.ops.linalg_ops import tensordot
from fluxion.ops.math_ops import abs as _abs
from fluxion.ops.math_ops import divide_no_nan, floormod, maximum, minimum

__all__ = ["rgb_to_grayscale", "grayscale_to_rgb", "rgb_to_hsv", "hsv_to_rgb", "rgb_to_yuv",
           "yuv_to_rgb", "rgb_to_yiq", "yiq_to_rgb"]

_GRAY = np.array([0.2989, 0.5870, 0.1140])
_RGB_TO_YUV = np.array([[0.299, -0.14714119, 0.61497538],
                        [0.587, -0.28886916, -0.51496512],
                        [0.114, 0.43601035, -0.10001026]])
_RGB_TO_YIQ = np.array([[0.299, 0.59590059, 0.2115],
                        [0.587, -0.27455667, -0.52273617],
                        [0.114, -0.32134392, 0.31119955]])


def _channels(op: str, images, count: int = 3) -> Tensor:
    images = convert_to_tensor(images)
    shape = shape_tuple(images)
    if not shape or shape[-1] not in (count, None):
        raise op_error(ValueError, op, f"expected {count} channels in the last axis, got "
                                       f"shape {list(shape)}")
    return images


def _float(op: str, images) -> Tensor:
    images = _channels(op, images)
    if not images.dtype.is_floating:
        raise op_error(TypeError, op, f"expected floating images, got {images.dtype.name}; "
                                      f"use tf.image.convert_image_dtype first")
    return images


def rgb_to_grayscale(images, name=None) -> Tensor:
    """Luma ``0.2989 R + 0.5870 G + 0.1140 B``, keeping a channel axis of 1 and the dtype."""
    images = _channels("rgb_to_grayscale", images)
    original = images.dtype
    floats = convert_image_dtype(images, dtypes.float32) if not original.is_floating \
        else images
    gray = tensordot(floats, Tensor(_GRAY.astype(floats.dtype.np_dtype)), [[-1], [0]])
    return convert_image_dtype(gray[..., None], original)


def grayscale_to_rgb(images, name=None) -> Tensor:
    """Repeats the single channel three times."""
    images = _channels("grayscale_to_rgb", images, 1)
    return tile(images, [1] * (images.ndim - 1) + [3])


def _linear(op: str, images, matrix: np.ndarray) -> Tensor:
    images = _float(op, images)
    return tensordot(images, Tensor(matrix.astype(images.dtype.np_dtype)), [[-1], [0]])


def rgb_to_yuv(images) -> Tensor:
    """RGB in [0, 1] to YUV (Y in [0, 1], U and V centred on 0)."""
    return _linear("rgb_to_yuv", images, _RGB_TO_YUV)


def yuv_to_rgb(images) -> Tensor:
    """The inverse of ``rgb_to_yuv``."""
    return _linear("yuv_to_rgb", images, np.linalg.inv(_RGB_TO_YUV))


def rgb_to_yiq(images) -> Tensor:
    """RGB in [0, 1] to YIQ."""
    return _linear("rgb_to_yiq", images, _RGB_TO_YIQ)


def yiq_to_rgb(images) -> Tensor:
    """The inverse of ``rgb_to_yiq``."""
    return _linear("yiq_to_rgb", images, np.linalg.inv(_RGB_TO_YIQ))


def rgb_to_hsv(images, name=None) -> Tensor:
    """RGB in [0, 1] to hue, saturation, value, each in [0, 1]."""
    images = _float("rgb_to_hsv", images)
    red, green, blue = unstack(images, axis=-1)
    value = maximum(maximum(red, green), blue)
    smallest = minimum(minimum(red, green), blue)
    spread = value - smallest
    saturation = divide_no_nan(spread, value)
    safe = select(spread > 0, spread, spread * 0 + 1)
    hue_red = (green - blue) / safe
    hue_green = (blue - red) / safe + 2.0
    hue_blue = (red - green) / safe + 4.0
    hue = select(value == red, hue_red, select(value == green, hue_green, hue_blue))
    hue = select(spread > 0, floormod(hue / 6.0, 1.0), hue * 0)
    return stack([hue, saturation, value], axis=-1)


def hsv_to_rgb(images, name=None) -> Tensor:
    """Hue, saturation, value in [0, 1] back to RGB."""
    images = _float("hsv_to_rgb", images)
    hue, saturation, value = unstack(images, axis=-1)
    sixths = hue * 6.0
    red = clip_by_value(_abs(sixths - 3.0) - 1.0, 0.0, 1.0)
    green = clip_by_value(2.0 - _abs(sixths - 2.0), 0.0, 1.0)
    blue = clip_by_value(2.0 - _abs(sixths - 4.0), 0.0, 1.0)
    rgb = stack([red, green, blue], axis=-1)
    grey = (1.0 - saturation)[..., None]
    return value[..., None] * (grey + saturation[..., None] * rgb)


