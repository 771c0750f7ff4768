"""Image file codecs through Pillow (imported when first used): PNG, JPEG, BMP, GIF, WebP,
JPEG XL (with the ``pillow-jxl-plugin`` package).

``contents`` are scalar string tensors (bytes), as ``tf.io.read_file`` returns them.
Decoding is a primitive with a NumPy/Pillow kernel whose shape rule leaves height and
width unknown (they live in the file).
"""

from __future__ import annotations

import io

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.image_codec import (
    NATIVE_CHANNELS,
    decode_image_p,
    encode_image_p,
    file_bytes,
    pillow,
)
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["decode_png", "encode_png", "decode_jpeg", "encode_jpeg", "decode_image",
           "decode_bmp", "decode_gif", "decode_jxl", "decode_webp", "decode_and_crop_jpeg",
           "is_jpeg",
           "extract_jpeg_shape", "adjust_jpeg_quality", "random_jpeg_quality",
           "stateless_random_jpeg_quality"]


def _decode(op: str, contents, channels=0, dtype=dtypes.uint8, animated=False, ratio=1,
            crop=None) -> Tensor:
    channels = int(channels or 0)
    if channels not in (0, 1, 2, 3, 4):
        raise op_error(ValueError, op, f"channels must be 0, 1, 2, 3 or 4, got {channels}")
    dtype = dtypes.as_dtype(dtype)
    if dtype not in (dtypes.uint8, dtypes.uint16):
        raise op_error(TypeError, op, f"dtype must be uint8 or uint16, got {dtype.name}")
    contents = convert_to_tensor(contents, dtype=dtypes.string)
    return decode_image_p.bind(contents, channels=channels, dtype=dtype.name, op=op,
                               animated=animated, ratio=int(ratio),
                               crop=None if crop is None else tuple(int(c) for c in crop))


def decode_png(contents, channels=0, dtype=dtypes.uint8, name=None) -> Tensor:
    """A PNG file's pixels ``[H, W, C]`` (uint8, or uint16 for 16-bit precision);
    ``channels=0`` keeps the file's channel count."""
    return _decode("decode_png", contents, channels, dtype)


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True,
                try_recover_truncated=False, acceptable_fraction=1, dct_method="",
                name=None) -> Tensor:
    """A JPEG file's pixels ``[H, W, C]`` uint8; ``ratio`` (1, 2, 4, 8) downscales."""
    return _decode("decode_jpeg", contents, channels, dtypes.uint8, ratio=ratio)


def decode_and_crop_jpeg(contents, crop_window, channels=0, ratio=1, fancy_upscaling=True,
                         try_recover_truncated=False, acceptable_fraction=1, dct_method="",
                         name=None) -> Tensor:
    """``decode_jpeg`` then the window ``crop_window = [top, left, height, width]``."""
    window = np.asarray(crop_window._value if isinstance(crop_window, Tensor)
                        else crop_window).reshape(-1)
    return _decode("decode_and_crop_jpeg", contents, channels, dtypes.uint8, ratio=ratio,
                   crop=window.tolist())


def decode_bmp(contents, channels=0, name=None) -> Tensor:
    """A BMP file's pixels ``[H, W, C]`` uint8."""
    return _decode("decode_bmp", contents, channels)


def decode_webp(contents, channels=0, name=None) -> Tensor:
    """A WebP file's pixels ``[H, W, C]`` uint8."""
    return _decode("decode_webp", contents, channels)


def decode_jxl(contents, channels=0, dtype=dtypes.uint8, name=None) -> Tensor:
    """A JPEG XL file's pixels ``[H, W, C]`` uint8 (``tf.io.decode_jxl``).

    ``channels`` is 0 (the file's), 1, 3 or 4.  Needs Pillow's JPEG XL plugin, the
    optional ``pillow-jxl-plugin`` package.
    """
    try:
        import pillow_jxl  # noqa: F401 - registers the JXL format with Pillow
    except ImportError:
        raise ImportError("decode_jxl needs Pillow's JPEG XL plugin: pip install "
                          "pillow-jxl-plugin (or pip install 'fluxion-ml[image]')") from None
    if int(channels or 0) not in (0, 1, 3, 4):
        raise op_error(ValueError, "decode_jxl", f"channels must be 0, 1, 3 or 4, got "
                                                 f"{channels}")
    if dtypes.as_dtype(dtype) is not dtypes.uint8:
        raise op_error(TypeError, "decode_jxl", f"dtype must be uint8, got "
                                                f"{dtypes.as_dtype(dtype).name}")
    return _decode("decode_jxl", contents, channels)


def decode_gif(contents, name=None) -> Tensor:
    """All frames of a GIF ``[frames, H, W, 3]`` uint8."""
    return _decode("decode_gif", contents, 3, animated=True)


def decode_image(contents, channels=None, dtype=dtypes.uint8, name=None,
                 expand_animations=True) -> Tensor:
    """Decodes PNG, JPEG, BMP, GIF or WebP by the file's signature.

    GIFs give ``[frames, H, W, 3]`` unless ``expand_animations=False`` (first frame only).
    A float ``dtype`` scales to [0, 1] as ``convert_image_dtype``.
    """
    from fluxion.ops.image.dtype_ops import convert_image_dtype

    contents = convert_to_tensor(contents, dtype=dtypes.string)
    target = dtypes.as_dtype(dtype)
    head = file_bytes(contents._value)[:6] if contents._value is not None else b""
    animated = head.startswith(b"GIF8") and bool(expand_animations)
    raw = dtypes.uint16 if target is dtypes.uint16 else dtypes.uint8
    image = _decode("decode_image", contents, channels or (3 if animated else 0), raw,
                    animated=animated)
    return image if target is raw else convert_image_dtype(image, target)


def encode_png(image, compression=-1, name=None) -> Tensor:
    """PNG bytes (a scalar string tensor) of a uint8 or uint16 image ``[H, W, C]``."""
    image = convert_to_tensor(image)
    if image.dtype not in (dtypes.uint8, dtypes.uint16):
        raise op_error(TypeError, "encode_png", f"expected uint8 or uint16 pixels, got "
                                                f"{image.dtype.name}")
    level = int(compression)
    options = () if level < 0 else (("compress_level", min(level, 9)),)
    return encode_image_p.bind(image, fmt="PNG", options=options)


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False,  # noqa: A002
                chroma_downsampling=True, density_unit="in", x_density=300, y_density=300,
                xmp_metadata="", name=None) -> Tensor:
    """JPEG bytes of a uint8 image ``[H, W, 1 or 3]``."""
    image = convert_to_tensor(image)
    if image.dtype is not dtypes.uint8:
        raise op_error(TypeError, "encode_jpeg", f"expected uint8 pixels, got "
                                                 f"{image.dtype.name}")
    if format == "grayscale" and image.shape[-1] == 3:
        from fluxion.ops.image.color_ops import rgb_to_grayscale

        image = rgb_to_grayscale(image)
    options = (("quality", int(quality)), ("progressive", bool(progressive)),
               ("optimize", bool(optimize_size)),
               ("subsampling", 2 if chroma_downsampling else 0),
               ("dpi", (int(x_density), int(y_density))))
    return encode_image_p.bind(image, fmt="JPEG", options=options)


def is_jpeg(contents, name=None) -> Tensor:
    """Whether ``contents`` starts with the JPEG signature."""
    contents = convert_to_tensor(contents, dtype=dtypes.string)
    return Tensor(np.asarray(file_bytes(contents._value)[:3] == b"\xff\xd8\xff"))


def extract_jpeg_shape(contents, output_type=dtypes.int32, name=None) -> Tensor:
    """``[height, width, channels]`` of a JPEG without decoding its pixels."""
    contents = convert_to_tensor(contents, dtype=dtypes.string)
    image = pillow().open(io.BytesIO(file_bytes(contents._value)))
    channels = NATIVE_CHANNELS.get(image.mode, 3)
    return Tensor(np.asarray([image.height, image.width, channels],
                             dtypes.as_dtype(output_type).np_dtype))


def adjust_jpeg_quality(image, jpeg_quality, dct_method="", name=None) -> Tensor:
    """The image after a JPEG round trip at ``jpeg_quality`` (0-100); float images are
    converted to uint8 and back."""
    from fluxion.ops.image.dtype_ops import convert_image_dtype

    image = convert_to_tensor(image)
    original = image.dtype
    pixels = convert_image_dtype(image, dtypes.uint8, saturate=True)
    channels = pixels.shape[-1]
    decoded = decode_jpeg(encode_jpeg(pixels, quality=int(jpeg_quality)), channels=channels)
    return convert_image_dtype(decoded, original)


def random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed=None) -> Tensor:
    """``adjust_jpeg_quality`` at a quality drawn from ``[min, max)``."""
    from fluxion.ops.random_ops import uniform

    quality = uniform([], int(min_jpeg_quality), int(max_jpeg_quality), dtypes.int32, seed)
    return adjust_jpeg_quality(image, int(quality._value))


def stateless_random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed) -> Tensor:
    """``random_jpeg_quality`` as a pure function of ``seed``."""
    from fluxion.ops.random_ops import stateless_uniform

    quality = stateless_uniform([], seed, int(min_jpeg_quality), int(max_jpeg_quality),
                                dtypes.int32)
    return adjust_jpeg_quality(image, int(quality._value))
