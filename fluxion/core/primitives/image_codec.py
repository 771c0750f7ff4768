"""Image file primitives: ``decode_image`` (PNG, JPEG, BMP, GIF, WebP bytes to pixels)
and ``encode_image`` (pixels to PNG or JPEG bytes), through Pillow.

Pillow is an optional dependency: the kernels import it when they first run, so
``import fluxion`` stays light and a missing Pillow is reported by the op that needs
it.  No gradient, as in TF.
"""

from __future__ import annotations

import io

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, define

_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
NATIVE_CHANNELS = {"1": 1, "L": 1, "I": 1, "I;16": 1, "I;16B": 1, "LA": 2, "RGB": 3,
                    "RGBA": 4, "CMYK": 3, "YCbCr": 3, "P": 3}


def pillow():
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("image encoding and decoding need Pillow: pip install pillow") \
            from None
    return Image


def file_bytes(contents: np.ndarray) -> bytes:
    value = contents.item() if isinstance(contents, np.ndarray) else contents
    return value.encode() if isinstance(value, str) else bytes(value)


def _open(data: bytes, op: str):
    try:
        image = pillow().open(io.BytesIO(data))
        image.load()
    except Exception as error:  # noqa: BLE001 - Pillow raises many kinds
        raise InvalidArgumentError(f"{op}: the contents are not a decodable image "
                                   f"({error})") from None
    return image


def _frame_array(image, channels: int, dtype: str) -> np.ndarray:
    """One Pillow frame as ``[H, W, C]`` of ``dtype`` (uint8 or uint16)."""
    mode = image.mode
    sixteen_bit = mode.startswith("I")
    if sixteen_bit and channels in (0, 1):
        array = np.asarray(image, dtype=np.int64)[..., None]
        array = np.clip(array, 0, 65535).astype(np.uint16)
        return array if dtype == "uint16" else (array >> 8).astype(np.uint8)
    native = NATIVE_CHANNELS.get(mode, 3)
    if mode == "P" and "transparency" in image.info:
        native = 4
    wanted = channels or native
    converted = image.convert(_MODES[wanted])
    array = np.asarray(converted, dtype=np.uint8)
    if array.ndim == 2:
        array = array[..., None]
    return (array.astype(np.uint16) * 257) if dtype == "uint16" else array


def _decode_kernel(contents, *, channels, dtype, op, animated, ratio, crop):
    image = _open(file_bytes(contents), op)
    if ratio > 1:
        image = image.reduce(ratio)
    if animated:
        frames = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frames.append(_frame_array(image, channels or 3, dtype))
        return np.stack(frames)
    array = _frame_array(image, channels, dtype)
    if crop is not None:
        top, left, height, width = crop
        if top < 0 or left < 0 or top + height > array.shape[0] or \
                left + width > array.shape[1]:
            raise InvalidArgumentError(f"decode_and_crop_jpeg: the crop window {list(crop)} "
                                       f"exceeds the image of shape {list(array.shape)}")
        array = array[top:top + height, left:left + width]
    return array


def _decode_rule(contents, *, channels, dtype, op, animated, ratio, crop):
    if contents.dtype is not dtypes.string or len(contents.shape) != 0:
        raise TypeError(f"contents must be a scalar string tensor, got "
                        f"{contents.dtype.name}{list(contents.shape)}")
    channel_dim = channels or None
    if animated:
        return Aval((None, None, None, channels or 3), dtypes.as_dtype(dtype))
    return Aval((None, None, channel_dim), dtypes.as_dtype(dtype))


decode_image_p = define("decode_image", _decode_kernel, _decode_rule, fresh_output=True)


def _encode_kernel(image, *, fmt, options):
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[-1] not in (1, 2, 3, 4):
        raise InvalidArgumentError(f"encode_{fmt.lower()}: image must be [height, width, "
                                   f"channels] with 1-4 channels, got shape "
                                   f"{list(array.shape)}")
    if array.dtype == np.uint16 and array.shape[-1] == 1:
        pil = pillow().fromarray(np.ascontiguousarray(array[..., 0]))  # 16-bit gray: I;16
    else:
        if array.dtype == np.uint16:  # Pillow writes 16-bit colour PNGs only as 8 bits
            array = (array >> 8).astype(np.uint8)
        channels = array.shape[-1]
        pil = pillow().fromarray(array[..., 0] if channels == 1 else array, _MODES[channels])
    buffer = io.BytesIO()
    pil.save(buffer, format=fmt, **dict(options))
    out = np.empty((), dtype=object)
    out[()] = buffer.getvalue()
    return out


encode_image_p = define("encode_image", _encode_kernel,
                        lambda image, fmt, options: Aval((), dtypes.string), fresh_output=True)
