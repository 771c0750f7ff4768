"""``keras.ops.image``: Keras 3's image ops on Fluxion's ``tf.image`` building blocks.

Images are ``(height, width, channels)`` or batched ``(batch, height, width, channels)``
(``data_format="channels_first"`` puts channels before the spatial axes).  Each op moves
channels last, calls the ``fluxion.ops.image`` op, and moves them back.
"""

from __future__ import annotations

import numpy as np

import fluxion as tf
from fluxion.keras import config
from fluxion.keras.ops.promotion import export, float_tensor, tensor
from fluxion.ops.image import quality_ops, resize_ops, sampling

__all__ = [
    "resize", "affine_transform", "perspective_transform", "map_coordinates",
    "scale_and_translate", "crop_images", "pad_images", "extract_patches", "rgb_to_grayscale",
    "rgb_to_hsv", "hsv_to_rgb", "gaussian_blur", "sobel_edges", "ssim",
]

_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")


def _channels_last(images, data_format):
    """``(images as a 4-D channels-last batch, function restoring the caller's layout)``."""
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Invalid value for argument `data_format`: expected "
                         f"'channels_last' or 'channels_first', received {data_format!r}")
    images = tensor(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"Invalid images rank: expected rank 3 (single image) or rank 4 "
                         f"(batch of images). Received input with shape: "
                         f"images.shape={tuple(images.shape)}")
    single = images.ndim == 3
    if single:
        images = images[None]
    first = data_format == "channels_first"
    if first:
        images = tf.transpose(images, [0, 2, 3, 1])

    def restore(out):
        if first and out.ndim == 4:
            out = tf.transpose(out, [0, 3, 1, 2])
        return out[0] if single else out

    return images, restore


def _pair(value, name: str) -> tuple:
    if isinstance(value, int):
        return value, value
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"`{name}` must be an int or a tuple of 2 ints, received {value}")
    return value


def resize(images, size, interpolation="bilinear", antialias=False,
           crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, fill_mode="constant",
           fill_value=0.0, data_format=None):
    """Resizes images to ``size = (height, width)``; optionally crops or pads to the
    target aspect ratio first.  Integer images come back in their dtype, rounded."""
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"Invalid value for argument `interpolation`: expected one of "
                         f"{_INTERPOLATIONS}. Received: interpolation={interpolation}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can "
                         "be True.")
    if fill_mode != "constant":
        raise ValueError(f"Invalid value for argument `fill_mode`: only 'constant' is "
                         f"supported. Received: fill_mode={fill_mode}")
    target_height, target_width = _pair(size, "size")
    images, restore = _channels_last(images, data_format)
    original = images.dtype
    height, width = images.shape[1], images.shape[2]
    if crop_to_aspect_ratio:
        crop_height = max(min(height, int(width * target_height / target_width)), 1)
        crop_width = max(min(width, int(height * target_width / target_height)), 1)
        top, left = int((height - crop_height) / 2), int((width - crop_width) / 2)
        images = images[:, top:top + crop_height, left:left + crop_width]
    elif pad_to_aspect_ratio:
        pad_height = max(height, int(width * target_height / target_width))
        pad_width = max(width, int(height * target_width / target_height))
        top, left = int((pad_height - height) / 2), int((pad_width - width) / 2)
        images = tf.pad(images, [[0, 0], [top, pad_height - height - top],
                                 [left, pad_width - width - left], [0, 0]],
                        constant_values=tf.cast(fill_value, images.dtype))
    out = resize_ops.resize(images, [target_height, target_width], method=interpolation,
                            antialias=antialias)
    if out.dtype != original:
        if original.is_integer:
            out = tf.round(out)
        out = tf.cast(out, original)
    return restore(out)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Applies projective transforms ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (one, or one per
    image): output pixel (x, y) reads the input at ``((a0 x + a1 y + a2) / k,
    (b0 x + b1 y + b2) / k)`` with ``k = c0 x + c1 y + 1``."""
    if fill_mode not in sampling.FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected of one "
                         f"{sampling.FILL_MODES}. Received: fill_mode={fill_mode}")
    images, restore = _channels_last(images, data_format)
    work = images if images.dtype.is_floating else tf.cast(images, config.floatx())
    out = sampling.projective_transform(work, float_tensor(transform), interpolation,
                                        fill_mode, fill_value)
    return restore(tf.cast(out, images.dtype) if out.dtype != images.dtype else out)


def _homography(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The transform whose output pixel at each end point reads its start point."""
    rows, values = [], []
    for (xs, ys), (xe, ye) in zip(start, end):
        rows.append([xe, ye, 1, 0, 0, 0, -xe * xs, -ye * xs])
        values.append(xs)
        rows.append([0, 0, 0, xe, ye, 1, -xe * ys, -ye * ys])
        values.append(ys)
    return np.linalg.solve(np.asarray(rows, np.float64), np.asarray(values, np.float64))


def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warps images so that the four ``start_points`` ``(x, y)`` land on ``end_points``."""
    start = np.asarray(tensor(start_points).numpy(), np.float64)
    end = np.asarray(tensor(end_points).numpy(), np.float64)
    if start.shape[-2:] != (4, 2) or end.shape != start.shape:
        raise ValueError(f"start_points and end_points must have shape (4, 2) or "
                         f"(batch, 4, 2), received {start.shape} and {end.shape}")
    if start.ndim == 2:
        transform = _homography(start, end)
    else:
        transform = np.stack([_homography(s, e) for s, e in zip(start, end)])
    return affine_transform(images, transform.astype(np.float32), interpolation,
                            "constant", fill_value, data_format)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Samples ``inputs`` at ``coordinates`` (``(inputs.ndim, ...)``), nearest (order 0)
    or linear (order 1), with SciPy's fill modes."""
    return sampling.map_coordinates(tensor(inputs), tensor(coordinates), int(order),
                                    fill_mode, fill_value)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """JAX's ``scale_and_translate``: resampling of ``spatial_dims`` with a scale and a
    translation per axis."""
    return sampling.scale_and_translate(tensor(images), tuple(output_shape), scale,
                                        translation, tuple(spatial_dims), method, antialias)


def _crop_or_pad_sizes(op, size, before, after, target):
    given = [v is not None for v in (before, after, target)]
    if sum(given) != 2:
        raise ValueError(f"{op}: exactly two of the start, end and target values must be "
                         f"given for each axis, received {before}, {after}, {target}")
    if before is None:
        before = size - after - target if op == "crop_images" else target - size - after
    if target is None:
        target = size - before - after if op == "crop_images" else size + before + after
    if before < 0 or target <= 0:
        raise ValueError(f"{op}: the values {before}, {after}, {target} do not fit an axis "
                         f"of size {size}")
    return int(before), int(target)


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None,
                data_format=None):
    """Crops images given two of (start, end, target size) per spatial axis."""
    images, restore = _channels_last(images, data_format)
    height, width = images.shape[1], images.shape[2]
    top, rows = _crop_or_pad_sizes("crop_images", height, top_cropping, bottom_cropping,
                                   target_height)
    left, cols = _crop_or_pad_sizes("crop_images", width, left_cropping, right_cropping,
                                    target_width)
    return restore(images[:, top:top + rows, left:left + cols])


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Zero-pads images given two of (start, end, target size) per spatial axis."""
    images, restore = _channels_last(images, data_format)
    height, width = images.shape[1], images.shape[2]
    top, rows = _crop_or_pad_sizes("pad_images", height, top_padding, bottom_padding,
                                   target_height)
    left, cols = _crop_or_pad_sizes("pad_images", width, left_padding, right_padding,
                                    target_width)
    return restore(tf.pad(images, [[0, 0], [top, rows - height - top],
                                   [left, cols - width - left], [0, 0]]))


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """Patches ``(batch, rows, cols, size_h * size_w * channels)`` every ``strides``
    (default: ``size``, non-overlapping)."""
    kh, kw = _pair(size, "size")
    sh, sw = _pair(strides if strides is not None else (kh, kw), "strides")
    rh, rw = _pair(dilation_rate, "dilation_rate")
    images, restore = _channels_last(images, data_format)
    out = tf.image.extract_patches(images, [1, kh, kw, 1], [1, sh, sw, 1], [1, rh, rw, 1],
                                   padding.upper())
    return restore(out)


def rgb_to_grayscale(images, data_format=None):
    """Luma ``0.2989 R + 0.5870 G + 0.1140 B`` with a channel axis of 1."""
    images, restore = _channels_last(images, data_format)
    return restore(tf.image.rgb_to_grayscale(float_tensor(images)))


def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] to HSV in [0, 1]."""
    images, restore = _channels_last(images, data_format)
    return restore(tf.image.rgb_to_hsv(float_tensor(images)))


def hsv_to_rgb(images, data_format=None):
    """HSV in [0, 1] to RGB."""
    images, restore = _channels_last(images, data_format)
    return restore(tf.image.hsv_to_rgb(float_tensor(images)))


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blurs with a separable Gaussian of ``kernel_size`` and ``sigma`` (zero padding)."""
    kh, kw = _pair(kernel_size, "kernel_size")
    sigma_h, sigma_w = (float(sigma), float(sigma)) if np.ndim(sigma) == 0 else \
        (float(sigma[0]), float(sigma[1]))
    images, restore = _channels_last(images, data_format)
    images = float_tensor(images)

    def window(size, s):
        x = np.arange(size, dtype=np.float64) - (size - 1) / 2
        values = np.exp(-x * x / (2 * s * s))
        return values / values.sum()

    # Keras builds the (kw, kh) outer product of the second and first axis's windows and
    # reshapes it (no transpose) to (kh, kw); for square kernels that is the usual
    # Gaussian, and doing the same keeps non-square blurs equal to Keras's.
    kernel = np.outer(window(kw, sigma_w), window(kh, sigma_h)).reshape(kh, kw)
    channels = images.shape[-1]
    kernel = np.tile(kernel[:, :, None, None], (1, 1, channels, 1))
    out = tf.nn.depthwise_conv2d(images, tf.constant(kernel.astype(images.dtype.np_dtype)),
                                 [1, 1, 1, 1], "SAME")
    return restore(out)


def sobel_edges(images, data_format=None):
    """Sobel responses ``(..., channels, 2)`` (vertical then horizontal)."""
    images, restore = _channels_last(images, data_format)
    out = quality_ops.sobel_edges(float_tensor(images))
    if (data_format or config.image_data_format()) == "channels_first":
        out = tf.transpose(out, [0, 3, 1, 2, 4])
    return out[0] if restore(images[:1]).ndim == 3 else out


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Structural similarity per image, in [-1, 1]."""
    first, _ = _channels_last(image1, data_format)
    second, _ = _channels_last(image2, data_format)
    return quality_ops.ssim(float_tensor(first), tf.cast(second, float_tensor(first).dtype),
                            max_val, filter_size, filter_sigma, k1, k2)


export(globals(), __all__)
