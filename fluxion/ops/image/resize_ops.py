"""``tf.image.resize`` and its methods (``ResizeMethod``), ``resize_with_pad``.

The weights come from ``resize_weights`` (one ``[out, in]`` matrix per axis, built with
NumPy); applying them is two ``einsum`` contractions, differentiable for free.
Nearest-neighbour resizing is a ``gather`` instead, so it keeps integer dtypes exact.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitive import Aval, define
from fluxion.core.primitives.elementwise import cast
from fluxion.core.tensor import Tensor
from fluxion.ops.image.image_shapes import batched, static_hw, static_ints, unbatched
from fluxion.ops.image.resize_weights import nearest_weights, resize_weights

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


# --- the resize primitive pair ------------------------------------------------------------
# Weights depend on the input's height and width, which may only be known when the op runs
# (decoded images inside a traced dataset map), so the kernels build them from the actual
# shapes.  Resizing is linear: its adjoint applies the transposed matrices, and the
# adjoint's adjoint is resizing again, so derivatives of any order follow.
def _matrices(height: int, width: int, size: tuple, method: str, antialias: bool, dtype):
    rows = resize_weights(height, size[0], method, antialias).astype(dtype, copy=False)
    cols = resize_weights(width, size[1], method, antialias).astype(dtype, copy=False)
    return rows, cols


def _resize_kernel(x, *, size, method, antialias):
    height, width = x.shape[1:3]
    if method == "nearest":  # exact for every dtype: pick pixels, no arithmetic
        rows = np.argmax(nearest_weights(height, size[0]), axis=1)
        cols = np.argmax(nearest_weights(width, size[1]), axis=1)
        return x[:, rows][:, :, cols]
    if (height, width) == tuple(size) and method != "area" and not antialias:
        return x.copy()
    rows, cols = _matrices(height, width, size, method, antialias, x.dtype)
    return _apply(rows, cols, x)


def _apply(rows: np.ndarray, cols: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``rows @ x @ cols^T`` over the height and width axes of ``[B, H, W, C]``, as two
    batched BLAS products (several times faster than ``einsum`` here)."""
    batch, height, width, channels = x.shape
    out = np.matmul(rows, x.reshape(batch, height, width * channels))
    out = out.reshape(batch, rows.shape[0], width, channels)
    return np.matmul(cols, out)  # (P, W) @ (B, O, W, C) -> (B, O, P, C)


def _resize_grad_kernel(g, like, *, size, method, antialias):
    height, width = like.shape[1:3]
    if (height, width) == tuple(size) and method not in ("area", "nearest") and \
            not antialias:
        return g.copy()
    rows, cols = _matrices(height, width, size, method, antialias, g.dtype)
    return _apply(np.ascontiguousarray(rows.T), np.ascontiguousarray(cols.T), g)


def _resize_rule(x: Aval, *, size, method, antialias) -> Aval:
    if len(x.shape) != 4:
        raise ValueError(f"expected a 4-D batch of images, got shape {list(x.shape)}")
    return Aval((x.shape[0], size[0], size[1], x.shape[3]), x.dtype)


resize_p = define(
    "resize_image", _resize_kernel, _resize_rule,
    lambda g, xs, out, **attrs: (resize_grad_p.bind(g, xs[0], **attrs),), fresh_output=True)
resize_grad_p = define(
    "resize_image_grad", _resize_grad_kernel,
    lambda g, like, **attrs: Aval(like.shape, g.dtype),
    lambda g, xs, out, **attrs: (resize_p.bind(g, **attrs), None), fresh_output=True,
    shape_only=(1,))


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


