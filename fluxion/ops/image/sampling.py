"""Resampling images at computed coordinates: projective transforms (TensorFlow's
``ImageProjectiveTransformV3``, behind ``keras.ops.image.affine_transform`` and
``perspective_transform``), ``map_coordinates`` (SciPy's / JAX's semantics), and
``scale_and_translate`` (JAX's).

Coordinates are computed with Fluxion ops and pixels read with ``gather_nd``, so the
results are differentiable with respect to the images and work inside ``function``.
"""

from __future__ import annotations

import functools
import itertools
import operator

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.elementwise import cast, floor, select
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.array_ops import broadcast_to, gather_nd, stack, unstack
from fluxion.ops.clip_ops import clip_by_value
from fluxion.ops.creation_ops import range as _range
from fluxion.ops.image.resize_weights import KERNELS, keys_cubic
from fluxion.ops.linalg_ops import einsum
from fluxion.ops.math_ops import abs as _abs
from fluxion.ops.math_ops import floormod, logical_and
from fluxion.ops.math_ops import round as _round

FILL_MODES = ("constant", "nearest", "wrap", "reflect")


def _truncate(x: Tensor) -> Tensor:
    """C's float-to-int conversion (toward zero), kept as float."""
    return cast(cast(x, dtypes.int32), x.dtype)


def _reflect(x: Tensor, size: int) -> Tensor:
    if size <= 1:
        return x * 0.0
    period = float(2 * size)
    low = x + period * _truncate(-x / period)
    low = select(x < -period, low, x)
    low = select(low < -size, low + period, -low - 1.0)
    high = x - period * _truncate(x / period)
    high = select(high >= size, period - high - 1.0, high)
    mapped = select(x < 0, low, select(x > size - 1, high, x))
    return clip_by_value(mapped, 0.0, float(size - 1))


def _wrap(x: Tensor, size: int) -> Tensor:
    if size <= 1:
        return x * 0.0
    span = float(size - 1)
    low = x + size * (_truncate(-x / span) + 1.0)
    high = x - size * _truncate(x / span)
    mapped = select(x < 0, low, select(x > size - 1, high, x))
    return clip_by_value(mapped, 0.0, float(size - 1))


def _map_coordinate(x: Tensor, size: int, mode: str) -> Tensor:
    if mode == "reflect":
        return _reflect(x, size)
    if mode == "wrap":
        return _wrap(x, size)
    if mode == "nearest":
        return clip_by_value(x, 0.0, float(size - 1))
    return x


def _read(images: Tensor, rows: Tensor, cols: Tensor, fill: Tensor) -> Tensor:
    """Pixels at integer-valued float ``rows``/``cols`` ``[B, H', W']``; outside is fill."""
    height, width = shape_tuple(images)[1:3]
    inside = logical_and(logical_and(rows >= 0.0, rows <= height - 1.0),
                         logical_and(cols >= 0.0, cols <= width - 1.0))
    r = cast(clip_by_value(rows, 0.0, height - 1.0), dtypes.int32)
    c = cast(clip_by_value(cols, 0.0, width - 1.0), dtypes.int32)
    pixels = gather_nd(images, stack([r, c], axis=-1), batch_dims=1)
    return select(inside[..., None], pixels, fill)


def projective_transform(images: Tensor, transforms, interpolation: str = "bilinear",
                         fill_mode: str = "constant", fill_value=0.0) -> Tensor:
    """Samples ``[B, H, W, C]`` float images through projective transforms ``[B, 8]``
    (or ``[8]``): output pixel (x, y) reads the input at
    ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x + c1 y + 1``."""
    if interpolation not in ("nearest", "bilinear"):
        raise op_error(ValueError, "affine_transform", f"interpolation must be 'nearest' or "
                                                       f"'bilinear', got {interpolation!r}")
    if fill_mode not in FILL_MODES:
        raise op_error(ValueError, "affine_transform", f"fill_mode must be one of "
                                                       f"{FILL_MODES}, got {fill_mode!r}")
    batch, height, width, _ = shape_tuple(images)
    transforms = cast(convert_to_tensor(transforms), images.dtype)
    if transforms.ndim == 1:
        transforms = transforms[None, :]
    if shape_tuple(transforms)[0] == 1 and batch != 1:  # one transform for every image
        transforms = broadcast_to(transforms, [batch, 8])
    a0, a1, a2, b0, b1, b2, c0, c1 = (t[:, None, None] for t in unstack(transforms, axis=1))
    ys = cast(_range(height), images.dtype)[None, :, None]
    xs = cast(_range(width), images.dtype)[None, None, :]
    k = c0 * xs + c1 * ys + 1.0
    in_x = _map_coordinate((a0 * xs + a1 * ys + a2) / k, width, fill_mode)
    in_y = _map_coordinate((b0 * xs + b1 * ys + b2) / k, height, fill_mode)
    fill = cast(convert_to_tensor(fill_value), images.dtype)
    if interpolation == "nearest":
        return _read(images, _round_half_away(in_y), _round_half_away(in_x), fill)
    y0, x0 = floor(in_y), floor(in_x)
    y1, x1 = y0 + 1.0, x0 + 1.0
    wy1, wx1 = (in_y - y0)[..., None], (in_x - x0)[..., None]
    wy0, wx0 = (y1 - in_y)[..., None], (x1 - in_x)[..., None]
    top = wx0 * _read(images, y0, x0, fill) + wx1 * _read(images, y0, x1, fill)
    bottom = wx0 * _read(images, y1, x0, fill) + wx1 * _read(images, y1, x1, fill)
    return wy0 * top + wy1 * bottom


def _round_half_away(x: Tensor) -> Tensor:
    return select(x >= 0.0, floor(x + 0.5), -floor(-x + 0.5))


# --- map_coordinates ---------------------------------------------------------------------
def _fix_index(index: Tensor, size: int, mode: str) -> Tensor:
    if mode == "nearest" or mode == "constant":
        return clip_by_value(index, 0, size - 1)
    if mode == "wrap":
        return floormod(index, size)
    if mode == "mirror":
        if size == 1:
            return index * 0
        span = size - 1
        return _abs(floormod(index + span, 2 * span) - span)
    # reflect: mirror of the doubled index on a grid of 2 * size + 1
    doubled = 2 * index + 1
    span = 2 * size
    return (_abs(floormod(doubled + span, 2 * span) - span) - 1) // 2


def map_coordinates(inputs, coordinates, order: int, fill_mode: str = "constant",
                    fill_value=0.0) -> Tensor:
    """Samples ``inputs`` at ``coordinates`` (``[inputs.ndim, ...]``) with nearest
    (``order=0``) or linear (``order=1``) interpolation; ``fill_mode`` is constant,
    nearest, wrap, mirror or reflect (SciPy's meanings)."""
    inputs = convert_to_tensor(inputs)
    shape = shape_tuple(inputs)
    if order not in (0, 1):
        raise op_error(ValueError, "map_coordinates", f"order must be 0 or 1, got {order}")
    if fill_mode not in ("constant", "nearest", "wrap", "mirror", "reflect"):
        raise op_error(ValueError, "map_coordinates", f"unknown fill_mode {fill_mode!r}")
    work = inputs if inputs.dtype.is_floating else cast(inputs, dtypes.float32)
    coords = cast(convert_to_tensor(coordinates), work.dtype)
    if shape_tuple(coords)[0] != len(shape):
        raise op_error(ValueError, "map_coordinates", f"coordinates must have "
                                                      f"{len(shape)} rows (one per input "
                                                      f"axis), got {shape_tuple(coords)[0]}")
    per_axis = []
    for coordinate, size in zip(unstack(coords, axis=0), shape):
        if order == 0:
            nodes = [(cast(_round(coordinate), dtypes.int32), None)]
        else:
            lower = floor(coordinate)
            upper_weight = coordinate - lower
            index = cast(lower, dtypes.int32)
            nodes = [(index, 1.0 - upper_weight), (index + 1, upper_weight)]
        per_axis.append([(_fix_index(i, size, fill_mode),
                          logical_and(i >= 0, i < size), w) for i, w in nodes])
    fill = cast(convert_to_tensor(fill_value), work.dtype)
    total = None
    for corner in itertools.product(*per_axis):
        indices, valid, weights = zip(*corner)
        value = gather_nd(work, stack(list(indices), axis=-1))
        if fill_mode == "constant":
            value = select(functools.reduce(logical_and, valid), value, fill)
        weights = [w for w in weights if w is not None]
        if weights:
            value = functools.reduce(operator.mul, weights) * value
        total = value if total is None else total + value
    if not inputs.dtype.is_floating:
        return cast(_round(total), inputs.dtype)
    return total


# --- scale_and_translate ---------------------------------------------------------------------
_JAX_KERNELS = {
    "linear": "bilinear", "bilinear": "bilinear", "trilinear": "bilinear",
    "triangle": "bilinear", "cubic": "bicubic", "bicubic": "bicubic", "tricubic": "bicubic",
    "keyscubic": "bicubic", "lanczos3": "lanczos3", "lanczos5": "lanczos5",
}


def scale_translate_weights(in_size: int, out_size: int, scale: float, translation: float,
                            method: str, antialias: bool) -> np.ndarray:
    """JAX's ``[out, in]`` weights: output ``o`` samples the input at
    ``(o + 0.5 - translation) / scale - 0.5`` (pixel centres at integers)."""
    kernel, _ = KERNELS[_JAX_KERNELS[method]]
    if method in ("cubic", "bicubic", "tricubic", "keyscubic"):
        kernel = keys_cubic
    inv_scale = 1.0 / scale
    kernel_scale = max(inv_scale, 1.0) if antialias else 1.0
    sample = (np.arange(out_size) + 0.5) * inv_scale - translation * inv_scale - 0.5
    distance = np.abs(sample[:, None] - np.arange(in_size)[None, :]) / kernel_scale
    weights = kernel(distance)
    total = weights.sum(axis=1, keepdims=True)
    safe = np.where(total != 0, total, 1.0)
    weights = np.where(np.abs(total) > 1000 * np.finfo(np.float32).eps, weights / safe, 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return np.where(inside[:, None], weights, 0.0)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias: bool = True) -> Tensor:
    """Resamples the ``spatial_dims`` axes of ``images`` to ``output_shape`` with a scale
    and translation per axis (JAX's ``jax.image.scale_and_translate``)."""
    images = convert_to_tensor(images)
    if method not in _JAX_KERNELS:
        raise op_error(ValueError, "scale_and_translate", f"unknown method {method!r}; "
                                                          f"expected one of "
                                                          f"{sorted(_JAX_KERNELS)}")
    work = images if images.dtype.is_floating else cast(images, dtypes.float32)
    scale = np.asarray(scale._value if isinstance(scale, Tensor) else scale, np.float64)
    translation = np.asarray(translation._value if isinstance(translation, Tensor)
                             else translation, np.float64)
    letters = "abcdefghijklmnopqrstuvwxyz"
    shape = shape_tuple(work)
    for i, axis in enumerate(spatial_dims):
        axis = int(axis) % len(shape)
        weights = scale_translate_weights(shape[axis], int(output_shape[axis]),
                                          float(scale.reshape(-1)[i]),
                                          float(translation.reshape(-1)[i]), method,
                                          bool(antialias))
        src = letters[:len(shape)]
        dst = src[:axis] + "Z" + src[axis + 1:]
        work = einsum(f"Z{src[axis]},{src}->{dst}",
                      Tensor(weights.astype(work.dtype.np_dtype)), work)
    return work
