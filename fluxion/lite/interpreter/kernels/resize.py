"""RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR (NHWC), with TFLite's coordinate rules
(``AlignCorners``, ``HalfPixelCenters``)."""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.fixed_point import round_half_away
from fluxion.lite.interpreter.kernels.quantization import through_float
from fluxion.lite.interpreter.kernels.registry import kernel


def _scale(size_in: int, size_out: int, align_corners: bool) -> float:
    if align_corners and size_out > 1:
        return np.float32((size_in - 1) / (size_out - 1))
    return np.float32(size_in / size_out)


def _nearest_indices(size_in, size_out, align_corners, half_pixel) -> np.ndarray:
    scale = _scale(size_in, size_out, align_corners)
    offset = np.float32(0.5 if half_pixel else 0.0)
    position = (np.arange(size_out, dtype=np.float32) + offset) * scale
    index = round_half_away(position) if align_corners else np.floor(position)
    index = np.minimum(index.astype(np.int64), size_in - 1)
    return np.maximum(index, 0) if half_pixel else index


@kernel("RESIZE_NEAREST_NEIGHBOR")
def resize_nearest(call):
    x, (height, width) = call.inputs[0], (int(v) for v in call.inputs[1])
    align, half = bool(call.option("AlignCorners", False)), \
        bool(call.option("HalfPixelCenters", False))
    rows = _nearest_indices(x.shape[1], height, align, half)
    columns = _nearest_indices(x.shape[2], width, align, half)
    return x[:, rows][:, :, columns]


def _bilinear_axis(size_in, size_out, align_corners, half_pixel):
    """(lower index, upper index, weight of the upper) of each output position."""
    scale = _scale(size_in, size_out, align_corners)
    positions = np.arange(size_out, dtype=np.float32)
    scaled = (positions + np.float32(0.5)) * scale - np.float32(0.5) if half_pixel \
        else positions * scale
    lower = np.maximum(np.floor(scaled).astype(np.int64), 0)
    upper = np.minimum(np.ceil(scaled).astype(np.int64), size_in - 1)
    return lower, upper, (scaled - lower).astype(np.float32)


def _bilinear(x, height, width, align, half):
    top, bottom, dy = _bilinear_axis(x.shape[1], height, align, half)
    left, right, dx = _bilinear_axis(x.shape[2], width, align, half)
    dy, dx = dy[None, :, None, None], dx[None, None, :, None]
    rows_top, rows_bottom = x[:, top], x[:, bottom]
    return (rows_top[:, :, left] * (1 - dy) * (1 - dx) + rows_bottom[:, :, left] * dy * (1 - dx)
            + rows_top[:, :, right] * (1 - dy) * dx + rows_bottom[:, :, right] * dy * dx)


@kernel("RESIZE_BILINEAR")
def resize_bilinear(call):
    height, width = (int(v) for v in call.inputs[1])
    align, half = bool(call.option("AlignCorners", False)), \
        bool(call.option("HalfPixelCenters", False))
    if call.is_quantized(0):
        return through_float(call, lambda x, _: _bilinear(x, height, width, align, half))
    return _bilinear(call.inputs[0], height, width, align, half).astype(np.float32)
