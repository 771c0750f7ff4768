"""``tf.image.resize`` and its methods (``ResizeMethod``), ``resize_with_pad``.

The weights come from ``resize_weights`` (one ``[out, in]`` matrix per axis, built with
NumPy); applying them is two ``einsum`` contractions, differentiable for free.
Nearest-neighbour resizing is a ``gather`` instead, so it keeps integer dtypes exact.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.elementwise import cast
from fluxion.core.tensor import Tensor
from fluxion.ops.array_ops import gather
from fluxion.ops.image.image_shapes import batched, static_hw, static_ints, unbatched
from fluxion.ops.image.resize_weights import nearest_weights, resize_weights
from fluxion.ops.linalg_ops import einsum

__all__ = ["ResizeMethod", "resize"]


class ResizeMethod:
    """The names ``tf.image.resize`` accepts for ``method``."""

    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


_METHODS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian",
            "mitchellcubic")


def _target_size(op: str, size, height: int, width: int, preserve_aspect_ratio: bool):
    new_height, new_width = static_ints(op, "size", size, 2)
    if new_height <= 0 or new_width <= 0:
        raise op_error(ValueError, op, f"size must be positive, got {[new_height, new_width]}")
    if preserve_aspect_ratio:
        scale = min(new_height / height, new_width / width)
        new_height = max(1, int(round(height * scale)))
        new_width = max(1, int(round(width * scale)))
    return new_height, new_width


def resize_nearest(images: Tensor, new_height: int, new_width: int) -> Tensor:
    """Nearest-neighbour resizing of a 4-D batch with half-pixel centres; any dtype."""
    height, width = static_hw("resize", images)
    rows = np.argmax(nearest_weights(height, new_height), axis=1).astype(np.int32)
    cols = np.argmax(nearest_weights(width, new_width), axis=1).astype(np.int32)
    return gather(gather(images, rows, axis=1), cols, axis=2)


def resize_float(images: Tensor, new_height: int, new_width: int, method: str,
                 antialias: bool = False) -> Tensor:
    """Resizes a floating 4-D batch in its own dtype by the method's weight matrices."""
    height, width = static_hw("resize", images)
    np_dtype = images.dtype.np_dtype
    if (height, width) != (new_height, new_width) or method == "area" or antialias:
        rows = Tensor(resize_weights(height, new_height, method, antialias).astype(np_dtype))
        cols = Tensor(resize_weights(width, new_width, method, antialias).astype(np_dtype))
        images = einsum("oh,bhwc->bowc", rows, images)
        images = einsum("pw,bowc->bopc", cols, images)
    return images


def resize(images, size, method=ResizeMethod.BILINEAR, preserve_aspect_ratio=False,
           antialias=False, name=None) -> Tensor:
    """Resizes images to ``size = [new_height, new_width]`` as TensorFlow 2 does.

    Args:
      images: ``[H, W, C]`` or ``[B, H, W, C]``.
      size: the new height and width.
      method: a ``ResizeMethod`` name: bilinear, nearest, bicubic, area, lanczos3,
        lanczos5, gaussian, mitchellcubic.
      preserve_aspect_ratio: fit within ``size`` keeping the aspect ratio.
      antialias: widen the filter when downsampling (bilinear, bicubic, lanczos,
        gaussian, mitchellcubic).

    Returns:
      float32 images, except for ``nearest`` which keeps the input dtype.
    """
    method = str(method).lower()
    if method not in _METHODS:
        raise op_error(ValueError, "resize", f"method must be one of {', '.join(_METHODS)}, "
                                             f"got {method!r}")
    images, added = batched("resize", images)
    height, width = static_hw("resize", images)
    new_height, new_width = _target_size("resize", size, height, width,
                                         preserve_aspect_ratio)
    if method == "nearest":
        out = resize_nearest(images, new_height, new_width)
    else:
        if images.dtype is not dtypes.float32:
            images = cast(images, dtypes.float32)
        out = resize_float(images, new_height, new_width, method, bool(antialias))
    return unbatched(out, added)


