"""Image files and arrays (``keras.utils.array_to_img``, ``img_to_array``, ``load_img``,
``save_img``): conversions between NumPy arrays and PIL images, as Keras 3 does them;
``smart_resize`` (``keras.preprocessing.image``) resizes without distorting the aspect.

Pillow is imported on first use (``pip install pillow``).
"""

from __future__ import annotations

import io
import os
import pathlib

import numpy as np

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
_COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}


def _pil():
    try:
        from PIL import Image
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("Could not import PIL.Image. The use of `array_to_img`, "
                          "`load_img` and `save_img` requires Pillow: "
                          "`pip install pillow`.") from error
    return Image


def _data_format(data_format):
    if data_format is None:
        from fluxion.keras.config import image_data_format

        data_format = image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Invalid data_format: {data_format}")
    return data_format


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A PIL image from a rank-3 array (``H, W, C`` channels-last by default).

    Args:
      x: the array (NumPy or tensor), with 1, 3 or 4 channels.
      data_format: ``"channels_last"`` or ``"channels_first"``.
      scale: rescale the values to ``[0, 255]`` (min to 0, max to 255).
      dtype: the float dtype used for the arithmetic; by default ``floatx()``.

    Returns:
      A ``PIL.Image.Image`` in mode ``L`` (or ``I`` for int32 data), ``RGB`` or ``RGBA``.
    """
    from fluxion.keras.config import floatx

    image = _pil()
    data_format = _data_format(data_format)
    x = np.asarray(x, dtype=dtype or floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array "
                         f"with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x = x / top
        x = x * 255
    channels = x.shape[2]
    if channels == 4:
        return image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:  # 32-bit signed integer grayscale
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def img_to_array(img, data_format=None, dtype=None):
    """A rank-3 float array (``H, W, C`` by default) from a PIL image."""
    from fluxion.keras.config import floatx

    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or floatx())
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[:, :, None]
    raise ValueError(f"Unsupported image shape: {x.shape}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Saves a rank-3 array as an image file (format from ``file_format`` or the path's
    extension; RGBA images are written as RGB to JPEG)."""
    data_format = _data_format(data_format)
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpg" or file_format == "jpeg"):
        img = img.convert("RGB")
    if file_format is None and isinstance(path, (str, os.PathLike)):
        if str(path).lower().endswith((".jpg", ".jpeg")) and img.mode == "RGBA":
            img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def _center_crop_to_aspect(img, width: int, height: int):
    source_width, source_height = img.size
    crop_height = min(source_height, int(source_width * height / width))
    crop_width = min(source_width, int(source_height * width / height))
    top = (source_height - crop_height) // 2
    left = (source_width - crop_width) // 2
    return img.crop((left, top, left + crop_width, top + crop_height))


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Loads an image file (or file-like / bytes) into a PIL image.

    Args:
      path: a path, a ``pathlib.Path``, a binary file object or ``io.BytesIO``.
      color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
      target_size: ``(height, width)`` to resize to, or None.
      interpolation: ``nearest``, ``bilinear``, ``bicubic``, ``hamming``, ``box`` or
        ``lanczos``.
      keep_aspect_ratio: crop the centre to the target's aspect ratio before resizing.
    """
    image = _pil()
    if color_mode not in _COLOR_MODES:
        raise ValueError(f"color_mode must be 'grayscale', 'rgb', or 'rgba'. Received: "
                         f"color_mode={color_mode}")
    if isinstance(path, io.BytesIO):
        img = image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as handle:
            img = image.open(io.BytesIO(handle.read()))
    elif hasattr(path, "read"):
        img = image.open(io.BytesIO(path.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    mode = _COLOR_MODES[color_mode]
    if color_mode == "grayscale" and img.mode in ("L", "I;16", "I"):
        mode = img.mode
    if img.mode != mode:
        img = img.convert(mode)
    if target_size is not None:
        width, height = int(target_size[1]), int(target_size[0])
        if img.size != (width, height):
            if interpolation not in _INTERPOLATIONS:
                raise ValueError(f"Invalid interpolation method {interpolation!r}: "
                                 f"expected one of {_INTERPOLATIONS}")
            resample = getattr(image.Resampling, interpolation.upper())
            if keep_aspect_ratio:
                img = _center_crop_to_aspect(img, width, height)
            img = img.resize((width, height), resample)
    return img


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last",
                 backend_module=None):
    """Resizes images to ``size`` keeping their aspect ratio: the largest centred window of
    the target's aspect ratio is cropped, then resized.

    Args:
      x: an image ``(H, W, C)`` or a batch ``(N, H, W, C)`` (channels first with
        ``data_format="channels_first"``), array or tensor.
      size: ``(height, width)`` of the result.
      interpolation: as ``keras.ops.image.resize`` (``"bilinear"``, ``"nearest"``...).

    Returns:
      A NumPy array for a NumPy input, else a tensor.

    >>> smart_resize(np.ones((10, 20, 3), "float32"), (5, 5)).shape
    (5, 5, 3)
    """
    from fluxion.keras import ops

    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    is_numpy = isinstance(x, np.ndarray)
    images = ops.convert_to_tensor(x)
    if images.ndim not in (3, 4):
        raise ValueError(f"Expected an image array with shape `(height, width, channels)`, "
                         f"or `(batch_size, height, width, channels)`, but got input with "
                         f"incorrect rank, of shape {tuple(images.shape)}.")
    channels_first = _data_format(data_format) == "channels_first"
    height_axis = images.ndim - (2 if channels_first else 3)
    height, width = int(images.shape[height_axis]), int(images.shape[height_axis + 1])
    target_height, target_width = int(size[0]), int(size[1])
    crop_height = min(height, int(float(width * target_height) / target_width))
    crop_width = min(width, int(float(height * target_width) / target_height))
    top, left = int((height - crop_height) / 2), int((width - crop_width) / 2)
    key = [slice(None)] * images.ndim
    key[height_axis] = slice(top, top + crop_height)
    key[height_axis + 1] = slice(left, left + crop_width)
    cropped = images[tuple(key)]
    resized = ops.image.resize(cropped, (target_height, target_width),
                               interpolation=interpolation, data_format=data_format)
    return np.asarray(resized) if is_numpy else resized
