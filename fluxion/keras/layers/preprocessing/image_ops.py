"""Image resampling for the image preprocessing layers, composed from Fluxion ops.

- ``resize_like_keras``: Keras's ``image.resize`` (the ``Resizing`` layer and
  ``keras.ops.image.resize`` share it), cropping or padding to the aspect ratio first;
- ``resize``: TensorFlow 2's ``tf.image.resize`` (half-pixel centres, no antialiasing)
  for ``bilinear`` and ``nearest``: rows and columns gathered at sample points computed
  from the (static) sizes and blended, so it needs no gradient code.
- ``affine_transform``: ``ImageProjectiveTransformV3``'s sampling, which Keras's
  TensorFlow backend uses for rotation, zoom and translation: each output pixel reads
  the input at the transformed coordinate, mapped inside the image by ``fill_mode``
  (``reflect``, ``wrap``, ``nearest``; ``constant`` reads ``fill_value`` outside), with
  bilinear or nearest sampling.  Coordinates are computed with Fluxion ops and the
  pixels fetched with ``gather``, so the result is differentiable in the image.

Images are channels-last here; the layers transpose channels-first inputs around these.
"""

from __future__ import annotations

import numpy as np

from fluxion.ops import array_ops, clip_ops, creation_ops, math_ops

INTERPOLATIONS = ("bilinear", "nearest")
FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def spatial_size(images, op: str) -> tuple[int, int]:
    """The static (height, width) of channels-last images; unknown sizes are refused."""
    height, width = tuple(images.shape)[-3], tuple(images.shape)[-2]
    if height is None or width is None:
        raise ValueError(f"{op} needs images with a known height and width; got shape "
                         f"{tuple(images.shape)}")
    return int(height), int(width)


def sample_points(in_size: int, out_size: int, interpolation: str):
    """TF2's half-pixel sampling along one axis, in float32 as TensorFlow computes it:
    ``(lower, upper, lerp)`` for bilinear, ``(index, None, None)`` for nearest."""
    scale = np.float32(in_size) / np.float32(out_size)
    centres = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale
    if interpolation == "nearest":
        return np.minimum(np.floor(centres), in_size - 1).astype(np.int32), None, None
    centres = centres - np.float32(0.5)
    floors = np.floor(centres)
    lower = np.maximum(floors, 0).astype(np.int32)
    upper = np.minimum(np.ceil(centres), in_size - 1).astype(np.int32)
    return lower, upper, (centres - floors).astype(np.float32)


def resize(images, height: int, width: int, interpolation: str = "bilinear"):
    """Resizes channels-last images (rank 3 or 4) to ``(height, width)``; float output.

    Rows and columns are gathered and blended in TensorFlow's order
    (``top + (bottom - top) * lerp``), so results agree with it to the last bit, which
    matters where integer images are rounded back.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"Invalid value for argument `interpolation`: Fluxion supports "
                         f"{INTERPOLATIONS}. Received: interpolation={interpolation}")
    in_height, in_width = spatial_size(images, "resize")
    if not images.dtype.is_floating:
        images = array_ops.cast(images, "float32")
    h_axis, w_axis = len(images.shape) - 3, len(images.shape) - 2
    y_low, y_high, y_lerp = sample_points(in_height, height, interpolation)
    x_low, x_high, x_lerp = sample_points(in_width, width, interpolation)
    if interpolation == "nearest":
        return array_ops.gather(array_ops.gather(images, y_low, axis=h_axis), x_low, axis=w_axis)
    dtype = images.dtype.np_dtype
    x_lerp = creation_ops.constant(x_lerp.astype(dtype).reshape(-1, 1))
    y_lerp = creation_ops.constant(y_lerp.astype(dtype).reshape(-1, 1, 1))

    def columns(rows):
        left = array_ops.gather(rows, x_low, axis=w_axis)
        return left, array_ops.gather(rows, x_high, axis=w_axis) - left

    top_left, top_step = columns(array_ops.gather(images, y_low, axis=h_axis))
    bottom_left, bottom_step = columns(array_ops.gather(images, y_high, axis=h_axis))
    top = top_left + top_step * x_lerp
    bottom = bottom_left + bottom_step * x_lerp
    return top + (bottom - top) * y_lerp


def resize_like_keras(images, height: int, width: int, interpolation: str = "bilinear",
                      crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                      fill_value: float = 0.0, antialias: bool = False):
    """Keras's TensorFlow-backend ``image.resize`` on channels-last images; integer
    images come back rounded and saturated to their dtype."""

    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                         "`True`.")
    source_dtype = images.dtype
    in_height, in_width = spatial_size(images, "Resizing")
    if crop_to_aspect_ratio:
        images = crop(images, *crop_to_aspect_box(in_height, in_width,
                                                                      height, width))
    elif pad_to_aspect_ratio:
        images = pad_to_aspect(images, height, width, fill_value)
    if antialias or interpolation not in ("bilinear", "nearest"):
        # bicubic, area, lanczos3/5, gaussian, mitchellcubic and antialiasing: tf.image's
        from fluxion.ops.image.resize_ops import resize as tf_image_resize

        resized = tf_image_resize(images, [height, width], method=interpolation,
                                  antialias=antialias)
    else:
        resized = resize(images, height, width, interpolation)
    if resized.dtype is source_dtype:
        return resized
    if source_dtype.is_integer:
        low, high = source_dtype.min, source_dtype.max
        resized = clip_ops.clip_by_value(math_ops.round(resized), float(low), float(high))
    return array_ops.cast(resized, source_dtype)


def crop_to_aspect_box(height: int, width: int, target_height: int, target_width: int):
    """The centred crop ``(top, left, crop_height, crop_width)`` with the target's aspect
    ratio, computed as Keras's ``smart_resize`` does."""
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    return (int(float(height - crop_height) / 2), int(float(width - crop_width) / 2),
            crop_height, crop_width)


def crop(images, top: int, left: int, crop_height: int, crop_width: int):
    """A static crop of channels-last images (rank 3 or 4)."""
    if len(images.shape) == 3:
        return images[top:top + crop_height, left:left + crop_width, :]
    return images[:, top:top + crop_height, left:left + crop_width, :]


def pad_to_aspect(images, target_height: int, target_width: int, fill_value: float):
    """Pads channels-last images with ``fill_value`` (both sides, equally) to the target's
    aspect ratio, as Keras's ``pad_to_aspect_ratio``."""
    height, width = spatial_size(images, "resize")
    pad_height = max(height, int(float(width * target_height) / target_width))
    pad_width = max(width, int(float(height * target_width) / target_height))
    top = int(float(pad_height - height) / 2)
    left = int(float(pad_width - width) / 2)
    lead = [[0, 0]] * (len(images.shape) - 3)
    # Keras pads ``top`` rows above and below (and ``left`` columns on each side).
    paddings = lead + [[top, top], [left, left], [0, 0]]
    if top == 0 and left == 0:
        return images
    return array_ops.pad(images, paddings, constant_values=fill_value)


# --- affine sampling ----------------------------------------------------------------------------
def _map_reflect(coord, size: int):
    if size <= 1:
        return creation_ops.zeros_like(coord)
    span = float(2 * size)
    low = coord + span * math_ops.floor(-coord / span)
    low = array_ops.where(low < -size, low + span, -low - 1)
    high = coord - span * math_ops.floor(coord / span)
    high = array_ops.where(high >= size, span - high - 1, high)
    mapped = array_ops.where(coord < 0, low, array_ops.where(coord > size - 1, high, coord))
    return clip_ops.clip_by_value(mapped, 0.0, float(size - 1))


def _map_wrap(coord, size: int):
    if size <= 1:
        return creation_ops.zeros_like(coord)
    span = float(size - 1)
    low = coord + size * (math_ops.floor(-coord / span) + 1)
    high = coord - size * math_ops.floor(coord / span)
    mapped = array_ops.where(coord < 0, low, array_ops.where(coord > size - 1, high, coord))
    return clip_ops.clip_by_value(mapped, 0.0, float(size - 1))


def _map_coordinate(coord, size: int, fill_mode: str):
    if fill_mode == "reflect":
        return _map_reflect(coord, size)
    if fill_mode == "wrap":
        return _map_wrap(coord, size)
    if fill_mode == "nearest":
        return clip_ops.clip_by_value(coord, 0.0, float(size - 1))
    return coord  # constant: out-of-range reads give fill_value


def _round_half_away(value):
    return math_ops.sign(value) * math_ops.floor(math_ops.abs(value) + 0.5)


def affine_transform(images, transforms, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0.0):
    """Samples channels-last images ``[B, H, W, C]`` at projectively transformed
    coordinates; ``transforms`` is ``[B, 8]`` (``a0 a1 a2 b0 b1 b2 c0 c1``) mapping output
    ``(x, y)`` to input coordinates."""
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"Invalid value for argument `interpolation`. Expected of one "
                         f"{INTERPOLATIONS}. Received: interpolation={interpolation}")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected of one "
                         f"{FILL_MODES}. Received: fill_mode={fill_mode}")
    height, width = spatial_size(images, "affine_transform")
    dtype = images.dtype
    transforms = array_ops.cast(transforms, "float32")
    ys, xs = np.meshgrid(np.arange(height, dtype=np.float32),
                         np.arange(width, dtype=np.float32), indexing="ij")
    x, y = creation_ops.constant(xs)[None], creation_ops.constant(ys)[None]  # [1, H, W]
    a0, a1, a2, b0, b1, b2, c0, c1 = [array_ops.reshape(t, (-1, 1, 1))
                                      for t in array_ops.unstack(transforms, num=8, axis=1)]
    projection = c0 * x + c1 * y + 1.0
    in_x = _map_coordinate((a0 * x + a1 * y + a2) / projection, width, fill_mode)
    in_y = _map_coordinate((b0 * x + b1 * y + b2) / projection, height, fill_mode)

    batch = creation_ops.shape(images)[0]
    channels = tuple(images.shape)[-1]
    if channels is None:
        channels = creation_ops.shape(images)[-1]
    flat = array_ops.reshape(images, (-1, channels))
    offsets = array_ops.reshape(creation_ops.range(batch) * (height * width), (-1, 1, 1))
    fill = creation_ops.constant(fill_value, dtype)

    def read(row, col):  # pixels at integer-valued float coordinates, fill_value outside
        inside = (row >= 0.0) & (row <= height - 1.0) & (col >= 0.0) & (col <= width - 1.0)
        safe_row = array_ops.cast(clip_ops.clip_by_value(row, 0.0, height - 1.0), "int32")
        safe_col = array_ops.cast(clip_ops.clip_by_value(col, 0.0, width - 1.0), "int32")
        values = array_ops.gather(flat, offsets + safe_row * width + safe_col)
        return array_ops.where(array_ops.expand_dims(inside, -1), values, fill)

    if interpolation == "nearest":
        return read(_round_half_away(in_y), _round_half_away(in_x))
    y0, x0 = math_ops.floor(in_y), math_ops.floor(in_x)
    wy, wx = array_ops.expand_dims(in_y - y0, -1), array_ops.expand_dims(in_x - x0, -1)
    wy, wx = array_ops.cast(wy, dtype), array_ops.cast(wx, dtype)
    top = (1 - wx) * read(y0, x0) + wx * read(y0, x0 + 1)
    bottom = (1 - wx) * read(y0 + 1, x0) + wx * read(y0 + 1, x0 + 1)
    return (1 - wy) * top + wy * bottom
