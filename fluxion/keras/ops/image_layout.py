"""Layout helpers shared by ``keras.ops.image``: channels-first inputs are moved to
channels-last around the computation, and size arguments are normalised."""

from __future__ import annotations

from fluxion.keras.ops import core_ops, numpy_shape


def data_format_of(data_format) -> str:
    """``data_format``, or the configured image data format when it is None."""
    if data_format is None:
        from fluxion.keras.config import image_data_format

        data_format = image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"`data_format` must be 'channels_last' or 'channels_first'. "
                         f"Received: data_format={data_format}")
    return data_format


def image_rank(images, op: str) -> int:
    rank = len(images.shape)
    if rank not in (3, 4):
        raise ValueError(f"{op}: invalid images rank: expected rank 3 (single image) or "
                         f"rank 4 (batch of images). Received: images.shape={images.shape}")
    return rank


def as_channels_last(images, data_format, op: str):
    """``(images as a channels-last tensor, whether they were channels-first)``."""
    images = core_ops.convert_to_tensor(images)
    image_rank(images, op)
    channels_first = data_format_of(data_format) == "channels_first"
    if channels_first:
        images = numpy_shape.moveaxis(images, -3, -1)
    return images, channels_first


def from_channels_last(images, channels_first: bool):
    return numpy_shape.moveaxis(images, -1, -3) if channels_first else images


def pair(value, name: str, count: int = 2) -> tuple:
    """An int or a sequence of ``count`` ints, as a tuple of ``count`` ints."""
    if isinstance(value, int):
        return (value,) * count
    value = tuple(int(v) for v in value)
    if len(value) != count:
        raise ValueError(f"`{name}` must be an int or a tuple of {count} ints. "
                         f"Received: {name}={value}")
    return value
