"""``tf.image.resize`` and its methods (``ResizeMethod``), ``resize_with_pad``.

The weights come from ``resize_weights`` (one ``[out, in]`` matrix per axis, built with
NumPy); applying them is two ``einsum`` contractions, differentiable for free.
Nearest-neighbour resizing is a ``gather`` instead, so it keeps integer dtypes exact.
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.elementwise import cast
from fluxion.core.primitives.image_resize import resize_p
from fluxion.core.tensor import Tensor
from fluxion.ops.image.image_shapes import batched, static_hw, static_ints, unbatched

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


def resize_float(images: Tensor, new_height: int, new_width: int, method: str,
                 antialias: bool = False) -> Tensor:
    """Resizes a floating 4-D batch in its own dtype by the method's weight matrices."""
    return resize_p.bind(images, size=(int(new_height), int(new_width)), method=method,
                         antialias=bool(antialias))


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
    if preserve_aspect_ratio:
        height, width = static_hw("resize", images)
    else:
        height = width = None
    new_height, new_width = _target_size("resize", size, height, width,
                                         preserve_aspect_ratio)
    if method == "nearest":
        out = resize_p.bind(images, size=(new_height, new_width), method="nearest",
                            antialias=False)
    else:
        if images.dtype is not dtypes.float32:
            images = cast(images, dtypes.float32)
        out = resize_float(images, new_height, new_width, method, bool(antialias))
    return unbatched(out, added)
