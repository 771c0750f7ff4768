"""Photometric adjustments: brightness, contrast, saturation, hue, gamma, per-image
standardisation, and their random / stateless random variants.

Integer images are converted to float32 in [0, 1], adjusted, and converted back with
saturation, as TensorFlow does; float images are adjusted in their own dtype.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.elementwise import cast
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.array_ops import stack, unstack
from fluxion.ops.clip_ops import clip_by_value
from fluxion.ops.creation_ops import shape as shape_of
from fluxion.ops.image.color_ops import hsv_to_rgb, rgb_to_hsv
from fluxion.ops.image.dtype_ops import convert_image_dtype
from fluxion.ops.math_ops import floormod, maximum, rsqrt
from fluxion.ops.math_ops import pow as _pow
from fluxion.ops.reduce_ops import reduce_mean, reduce_prod, reduce_std

__all__ = ["adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue",
           "adjust_gamma", "per_image_standardization", "random_brightness",
           "random_contrast", "random_saturation", "random_hue", "stateless_random_brightness",
           "stateless_random_contrast", "stateless_random_saturation",
           "stateless_random_hue"]


def _in_float(image, fn, saturate: bool = True) -> Tensor:
    """Applies ``fn`` to the image as floats and converts back to its dtype."""
    image = convert_to_tensor(image)
    original = image.dtype
    if original.is_floating:
        return fn(image)
    return convert_image_dtype(fn(convert_image_dtype(image, dtypes.float32)), original,
                               saturate=saturate)


def adjust_brightness(image, delta) -> Tensor:
    """Adds ``delta`` to every pixel (in the [0, 1] float scale for integer images)."""
    return _in_float(image, lambda x: x + cast(convert_to_tensor(delta), x.dtype))


def adjust_contrast(images, contrast_factor) -> Tensor:
    """Scales each channel's deviation from its per-image mean by ``contrast_factor``."""
    def contrast(x):
        mean = reduce_mean(x, axis=[-3, -2], keepdims=True)
        return (x - mean) * cast(convert_to_tensor(contrast_factor), x.dtype) + mean
    return _in_float(images, contrast)


def adjust_gamma(image, gamma=1, gain=1) -> Tensor:
    """``gain * image ** gamma`` (on the [0, 1] scale for integer images)."""
    gamma = convert_to_tensor(gamma)
    if gamma._value is not None and float(np.min(gamma._value)) < 0:  # concrete: check now
        raise op_error(ValueError, "adjust_gamma", f"gamma must be non-negative, got {gamma}")
    return _in_float(image, lambda x: cast(convert_to_tensor(gain), x.dtype)
                     * _pow(x, cast(convert_to_tensor(gamma), x.dtype)))


def _hsv_adjust(images, adjust) -> Tensor:
    def apply(x):
        work = cast(x, dtypes.float32) if x.dtype is dtypes.float16 else x
        hue, saturation, value = unstack(rgb_to_hsv(work), axis=-1)
        hue, saturation = adjust(hue, saturation)
        rgb = hsv_to_rgb(stack([hue, saturation, value], axis=-1))
        return cast(rgb, x.dtype)
    return _in_float(images, apply)


def adjust_saturation(image, saturation_factor, name=None) -> Tensor:
    """Multiplies the HSV saturation by ``saturation_factor`` (clipped to [0, 1])."""
    def adjust(hue, saturation):
        factor = cast(convert_to_tensor(saturation_factor), saturation.dtype)
        return hue, clip_by_value(saturation * factor, 0.0, 1.0)
    return _hsv_adjust(image, adjust)


def adjust_hue(image, delta, name=None) -> Tensor:
    """Rotates the HSV hue by ``delta`` (in [-1, 1], a fraction of the colour wheel)."""
    delta = convert_to_tensor(delta)
    if delta._value is not None and not -1.0 <= float(delta._value) <= 1.0:
        raise op_error(ValueError, "adjust_hue", f"delta must be in [-1, 1], got "
                                                 f"{float(delta._value)}")

    def adjust(hue, saturation):
        return floormod(hue + cast(delta, hue.dtype), 1.0), saturation
    return _hsv_adjust(image, adjust)


def per_image_standardization(image) -> Tensor:
    """``(x - mean) / max(stddev, 1 / sqrt(N))`` per image over height, width, channels;
    float32 for integer input."""
    image = convert_to_tensor(image)
    if not image.dtype.is_floating:
        image = cast(image, dtypes.float32)
    if image.ndim < 3:
        raise op_error(ValueError, "per_image_standardization",
                       f"expected images [..., height, width, channels], got shape "
                       f"{list(shape_tuple(image))}")
    # The pixel count may only be known at run time (decoded images in a dataset map).
    pixels = reduce_prod(cast(shape_of(image, out_type=dtypes.int32)[-3:], image.dtype))
    mean = reduce_mean(image, axis=[-3, -2, -1], keepdims=True)
    stddev = reduce_std(image, axis=[-3, -2, -1], keepdims=True)
    floor = rsqrt(pixels)
    return (image - mean) / maximum(stddev, floor)


# --- random variants --------------------------------------------------------------------
def _uniform(seed, stateless: bool, low: float, high: float) -> Tensor:
    from fluxion.ops.random_ops import stateless_uniform, uniform

    if stateless:
        return stateless_uniform([], seed, low, high)
    return uniform([], low, high, seed=seed)


def _check_range(op: str, lower: float, upper: float) -> None:
    if upper <= lower or lower < 0:
        raise op_error(ValueError, op, f"expected 0 <= lower < upper, got lower={lower}, "
                                       f"upper={upper}")


def random_brightness(image, max_delta, seed=None) -> Tensor:
    """``adjust_brightness`` by a delta drawn from ``[-max_delta, max_delta)``."""
    if max_delta < 0:
        raise op_error(ValueError, "random_brightness", f"max_delta must be non-negative, "
                                                        f"got {max_delta}")
    return adjust_brightness(image, _uniform(seed, False, -max_delta, max_delta))


def random_contrast(image, lower, upper, seed=None) -> Tensor:
    """``adjust_contrast`` by a factor drawn from ``[lower, upper)``."""
    _check_range("random_contrast", lower, upper)
    return adjust_contrast(image, _uniform(seed, False, lower, upper))


def random_saturation(image, lower, upper, seed=None) -> Tensor:
    """``adjust_saturation`` by a factor drawn from ``[lower, upper)``."""
    _check_range("random_saturation", lower, upper)
    return adjust_saturation(image, _uniform(seed, False, lower, upper))


def random_hue(image, max_delta, seed=None) -> Tensor:
    """``adjust_hue`` by a delta drawn from ``[-max_delta, max_delta)``, max_delta <= 0.5."""
    if not 0 <= max_delta <= 0.5:
        raise op_error(ValueError, "random_hue", f"max_delta must be in [0, 0.5], got "
                                                 f"{max_delta}")
    return adjust_hue(image, _uniform(seed, False, -max_delta, max_delta))


def stateless_random_brightness(image, max_delta, seed) -> Tensor:
    """``random_brightness`` as a pure function of ``seed`` (shape [2])."""
    return adjust_brightness(image, _uniform(seed, True, -max_delta, max_delta))


def stateless_random_contrast(image, lower, upper, seed) -> Tensor:
    """``random_contrast`` as a pure function of ``seed``."""
    _check_range("stateless_random_contrast", lower, upper)
    return adjust_contrast(image, _uniform(seed, True, lower, upper))


def stateless_random_saturation(image, lower, upper, seed=None) -> Tensor:
    """``random_saturation`` as a pure function of ``seed``."""
    _check_range("stateless_random_saturation", lower, upper)
    return adjust_saturation(image, _uniform(seed, True, lower, upper))


def stateless_random_hue(image, max_delta, seed) -> Tensor:
    """``random_hue`` as a pure function of ``seed``."""
    if not 0 <= max_delta <= 0.5:
        raise op_error(ValueError, "stateless_random_hue", f"max_delta must be in [0, 0.5], "
                                                           f"got {max_delta}")
    return adjust_hue(image, _uniform(seed, True, -max_delta, max_delta))
