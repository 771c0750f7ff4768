"""``keras.ops.image``: image ops of Keras 3 (resizing, patches, cropping, padding,
affine and perspective warps, blurs, edges, SSIM), composed from Fluxion ops.

Images are rank 3 (``H, W, C``) or rank 4 (``B, H, W, C``), channels-last unless
``data_format="channels_first"`` (or the configured image data format) says otherwise.
Everything is built from differentiable ops (gather, slicing, convolution), so gradients
flow to the images.  Colour-space conversions live in ``image_color``; the sampling
kernels (TF2's half-pixel resize, projective sampling) are shared with the image
preprocessing layers.

>>> import numpy as np
>>> from fluxion.keras.ops import image
>>> image.extract_patches(np.zeros((1, 4, 4, 3), "float32"), 2).shape
TensorShape([1, 2, 2, 12])
"""

from __future__ import annotations

import numpy as np

from fluxion.keras.ops import core_ops, numpy_shape
from fluxion.keras.ops.image_color import hsv_to_rgb, rgb_to_grayscale, rgb_to_hsv
from fluxion.keras.ops.image_filters import gaussian_blur, sobel_edges, ssim
from fluxion.keras.ops.image_layout import (
    as_channels_last,
    from_channels_last,
    image_rank,
    pair,
)
from fluxion.keras.ops.image_warp import (
    affine_transform,
    elastic_transform,
    map_coordinates,
    perspective_transform,
    scale_and_translate,
)

__all__ = ["affine_transform", "crop_images", "elastic_transform", "extract_patches",
           "extract_patches_3d", "gaussian_blur", "hsv_to_rgb", "map_coordinates",
           "pad_images", "perspective_transform", "resize", "rgb_to_grayscale", "rgb_to_hsv",
           "scale_and_translate", "sobel_edges", "ssim"]


_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")


def resize(images, size, interpolation="bilinear", antialias=False,
           crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, fill_mode="constant",
           fill_value=0.0, data_format=None):
    """Resizes images to ``size = (height, width)``.

    Args:
      images: rank-3 or rank-4 images.
      size: the output ``(height, width)``.
      interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"``, ``"area"``,
        ``"lanczos3"`` or ``"lanczos5"`` (TF2's ``tf.image.resize``).
      antialias: widen the filter when downsampling.
      crop_to_aspect_ratio: crop the largest centred window of the target's aspect first.
      pad_to_aspect_ratio: pad (with ``fill_value``) to the target's aspect first.
      fill_mode: only ``"constant"``.
      fill_value: the padding value for ``pad_to_aspect_ratio``.
      data_format: ``"channels_last"`` or ``"channels_first"``.

    Returns:
      The resized images, in the input's dtype (integers rounded and saturated).
    """
    from fluxion.keras.layers.preprocessing.image_ops import resize_like_keras

    size = tuple(size)
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers. Received: size={size}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"Invalid value for argument `interpolation`: expected one of "
                         f"{_INTERPOLATIONS}. Received: interpolation={interpolation}")
    if fill_mode != "constant":
        raise ValueError(f"Invalid value for argument `fill_mode`. Only `'constant'` is "
                         f"supported. Received: fill_mode={fill_mode}")
    images, channels_first = as_channels_last(images, data_format, "resize")
    resized = resize_like_keras(images, int(size[0]), int(size[1]), interpolation,
                                crop_to_aspect_ratio, pad_to_aspect_ratio, fill_value,
                                antialias=bool(antialias))
    return from_channels_last(resized, channels_first)


def _patch_offsets(size: int, stride: int, dilation: int, in_size: int, padding: str):
    """``(out_size, pad_before, pad_after)`` along one axis, as TensorFlow pads."""
    span = (size - 1) * dilation + 1
    if padding == "valid":
        return (in_size - span) // stride + 1, 0, 0
    out = -(-in_size // stride)
    total = max((out - 1) * stride + span - in_size, 0)
    return out, total // 2, total - total // 2


def _extract(images, sizes, strides, dilations, padding, op):
    """Patches of channels-last ``[B, *spatial, C]`` images, flattened in
    ``(*patch position, channel)`` order on the last axis."""
    spatial = tuple(images.shape)[1:-1]
    if any(s is None for s in spatial):
        raise ValueError(f"{op} needs known spatial sizes; got shape {tuple(images.shape)}")
    plans = [_patch_offsets(k, s, d, n, padding)
             for k, s, d, n in zip(sizes, strides, dilations, spatial)]
    if padding == "same":
        images = numpy_shape.pad(images, [[0, 0]] + [[p[1], p[2]] for p in plans] + [[0, 0]])
    pieces = []
    for position in np.ndindex(*sizes):
        index = [slice(None)]
        for offset, (out, _, _), stride, dilation in zip(position, plans, strides, dilations):
            start = offset * dilation
            index.append(slice(start, start + (out - 1) * stride + 1, stride))
        pieces.append(images[tuple(index) + (slice(None),)])
    stacked = numpy_shape.stack(pieces, axis=-2)  # [B, *out, patch positions, C]
    out_shape = tuple(stacked.shape)
    return numpy_shape.reshape(stacked, (-1,) + out_shape[1:-2] + (out_shape[-2] * out_shape[-1],))


def extract_patches(images=None, size=None, strides=None, dilation_rate=1, padding="valid",
                    data_format=None, *, image=None):
    """Extracts ``size`` patches of images into the channel axis.

    Args:
      images: rank-3 or rank-4 images (``image=``, the name earlier Keras 3 releases
        used, is accepted too: keras-io's examples still pass it).
      size: the patch ``(height, width)`` (an int for square patches).
      strides: the step between patches; by default ``size`` (patches do not overlap).
      dilation_rate: the spacing of the pixels within a patch.
      padding: ``"valid"`` or ``"same"``.
      data_format: ``"channels_last"`` or ``"channels_first"``.

    Returns:
      ``[B, out_h, out_w, size_h * size_w * C]`` (channels-last), each patch flattened
      row by row with its channels innermost.
    """
    if image is not None:
        if images is not None:
            raise TypeError("extract_patches: pass the images once, as `images` (or the "
                            "older name `image`), not both")
        images = image
    if images is None or size is None:
        missing = [name for name, value in (("images", images), ("size", size))
                   if value is None]
        raise TypeError(f"extract_patches() missing required argument(s): {missing}")
    sizes = pair(size, "size")
    strides = sizes if strides is None else pair(strides, "strides")
    dilations = pair(dilation_rate, "dilation_rate")
    if padding not in ("valid", "same"):
        raise ValueError(f"`padding` must be 'valid' or 'same'. Received: padding={padding}")
    images, channels_first = as_channels_last(images, data_format, "extract_patches")
    unbatched = image_rank(images, "extract_patches") == 3
    if unbatched:
        images = numpy_shape.expand_dims(images, 0)
    patches = _extract(images, sizes, strides, dilations, padding, "extract_patches")
    if unbatched:
        patches = numpy_shape.squeeze(patches, 0)
    return from_channels_last(patches, channels_first)


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """Extracts 3-D patches of ``[B, D, H, W, C]`` (or unbatched) volumes into the channel
    axis, as ``extract_patches`` does for images."""
    sizes = pair(size, "size", 3)
    strides = sizes if strides is None else pair(strides, "strides", 3)
    dilations = pair(dilation_rate, "dilation_rate", 3)
    volumes = core_ops.convert_to_tensor(volumes)
    rank = len(volumes.shape)
    if rank not in (4, 5):
        raise ValueError(f"Invalid volumes rank: expected rank 4 (single volume) or rank 5 "
                         f"(batch of volumes). Received: volumes.shape={volumes.shape}")
    from fluxion.keras.ops.image_layout import data_format_of

    channels_first = data_format_of(data_format) == "channels_first"
    if channels_first:
        volumes = numpy_shape.moveaxis(volumes, -4, -1)
    if rank == 4:
        volumes = numpy_shape.expand_dims(volumes, 0)
    patches = _extract(volumes, sizes, strides, dilations, padding, "extract_patches_3d")
    if rank == 4:
        patches = numpy_shape.squeeze(patches, 0)
    return numpy_shape.moveaxis(patches, -1, -4) if channels_first else patches


def _edges(images, before, after, target, name, size):
    """Resolves one axis's (before, after) from two of before / after / target."""
    given = [v is not None for v in (before, after, target)]
    if sum(given) == 3:
        raise ValueError(f"Only two of the {name} arguments and the target size may be "
                         f"given; received all three.")
    if before is None and after is None:
        before = after = 0
        if target is not None:
            raise ValueError(f"Give one of the two {name} arguments with the target size.")
    if before is None:
        before = (target - after - size) if name == "padding" else (size - after - target)
    elif after is None:
        after = (target - before - size) if name == "padding" else (size - before - target)
    if before < 0 or after < 0:
        raise ValueError(f"The {name} would be negative ({before}, {after}) for size {size} "
                         f"and target {target}.")
    return int(before), int(after)


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None,
                data_format=None):
    """Crops images: two of (top, bottom, target_height) and two of (left, right,
    target_width) fix the window."""
    images, channels_first = as_channels_last(images, data_format, "crop_images")
    height, width = tuple(images.shape)[-3], tuple(images.shape)[-2]
    top, bottom = _edges(images, top_cropping, bottom_cropping, target_height, "cropping",
                         height)
    left, right = _edges(images, left_cropping, right_cropping, target_width, "cropping",
                         width)
    cropped = images[..., top:height - bottom, left:width - right, :]
    return from_channels_last(cropped, channels_first)


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Zero-pads images: two of (top, bottom, target_height) and two of (left, right,
    target_width) fix the padding."""
    images, channels_first = as_channels_last(images, data_format, "pad_images")
    height, width = tuple(images.shape)[-3], tuple(images.shape)[-2]
    top, bottom = _edges(images, top_padding, bottom_padding, target_height, "padding",
                         height)
    left, right = _edges(images, left_padding, right_padding, target_width, "padding", width)
    lead = [[0, 0]] * (len(images.shape) - 3)
    padded = numpy_shape.pad(images, lead + [[top, bottom], [left, right], [0, 0]])
    return from_channels_last(padded, channels_first)
