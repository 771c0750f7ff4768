"""``extract_patches`` (as gathers, so differentiable) and ``draw_bounding_boxes``."""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.image_boxes import draw_bounding_boxes_p
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.array_ops import gather, pad, reshape, transpose
from fluxion.ops.image.image_shapes import static_ints

__all__ = ["extract_patches", "draw_bounding_boxes"]


def _window_grid(size: int, k: int, stride: int, rate: int, padding: str):
    """``[out, k]`` source indices along one axis, and the (before, after) zero padding."""
    span = (k - 1) * rate + 1
    if padding == "VALID":
        out = max(0, (size - span) // stride + 1)
        before = after = 0
    else:
        out = -(-size // stride)
        total = max(0, (out - 1) * stride + span - size)
        before, after = total // 2, total - total // 2
    grid = stride * np.arange(out)[:, None] + rate * np.arange(k)[None, :]
    return grid.astype(np.int32), before, after


def extract_patches(images, sizes, strides, rates, padding, name=None) -> Tensor:
    """Patches of ``[B, H, W, C]`` images as ``[B, out_h, out_w, kh * kw * C]``.

    Args:
      sizes, strides, rates: ``[1, kh, kw, 1]``, ``[1, sh, sw, 1]``, ``[1, rh, rw, 1]``.
      padding: ``"VALID"`` or ``"SAME"`` (zero padding).
    """
    images = convert_to_tensor(images)
    if images.ndim != 4:
        raise op_error(ValueError, "extract_patches", f"expected 4-D images, got shape "
                                                      f"{list(images.shape)}")
    padding = str(padding).upper()
    if padding not in ("VALID", "SAME"):
        raise op_error(ValueError, "extract_patches", f"padding must be VALID or SAME, got "
                                                      f"{padding!r}")
    _, kh, kw, _ = static_ints("extract_patches", "sizes", sizes, 4)
    _, sh, sw, _ = static_ints("extract_patches", "strides", strides, 4)
    _, rh, rw, _ = static_ints("extract_patches", "rates", rates, 4)
    batch, height, width, channels = shape_tuple(images)
    rows, top, bottom = _window_grid(height, kh, sh, rh, padding)
    cols, left, right = _window_grid(width, kw, sw, rw, padding)
    if top or bottom or left or right:
        images = pad(images, [[0, 0], [top, bottom], [left, right], [0, 0]])
    picked = gather(images, rows, axis=1)             # [B, oh, kh, W, C]
    picked = gather(picked, cols, axis=3)             # [B, oh, kh, ow, kw, C]
    picked = transpose(picked, [0, 1, 3, 2, 4, 5])    # [B, oh, ow, kh, kw, C]
    return reshape(picked, [-1 if batch is None else batch, rows.shape[0], cols.shape[0],
                            kh * kw * channels])


def draw_bounding_boxes(images, boxes, colors, name=None) -> Tensor:
    """Draws the outlines of ``boxes`` ``[B, N, 4]`` (normalised ``[y1, x1, y2, x2]``)
    onto float images ``[B, H, W, C]``, box ``n`` in ``colors[n % len(colors)]`` (RGBA
    rows; the first C entries are used)."""
    images = convert_to_tensor(images)
    if images.ndim != 4:
        raise op_error(ValueError, "draw_bounding_boxes", f"expected 4-D images, got shape "
                                                          f"{list(images.shape)}")
    if not images.dtype.is_floating:
        raise op_error(TypeError, "draw_bounding_boxes", f"expected float images, got "
                                                         f"{images.dtype.name}")
    boxes = convert_to_tensor(boxes, dtype=dtypes.float32)
    colors = convert_to_tensor(np.zeros((0, 4), np.float32) if colors is None else colors,
                               dtype=dtypes.float32)
    return draw_bounding_boxes_p.bind(images, boxes, colors)
