"""The interpolation matrices behind ``tf.image.resize``.

Resizing is separable: an image ``[H, W]`` becomes ``Wy @ image @ Wx^T`` with one
``[out, in]`` weight matrix per axis.  This module builds those matrices with NumPy (they
depend only on sizes and the method); ``resize_ops`` applies them with ``einsum``, so
resizing is differentiable with no gradient code of its own.

Two families, as in TensorFlow 2:

- the direct samplers with half-pixel centres: ``nearest``, ``bilinear``, ``bicubic``
  (Keys, a = -0.5, clamped edges) and ``area`` (box overlap);
- ``scale_and_translate`` kernels (``lanczos3/5``, ``gaussian``, ``mitchellcubic``, and
  bilinear/bicubic with ``antialias``): each output pixel weighs the input pixels whose
  centres fall within the kernel's radius (widened by the scale when downsampling with
  antialiasing), weights normalised to sum to one.
"""

from __future__ import annotations

import functools
import math

import numpy as np


def _scale(in_size: int, out_size: int) -> float:
    return in_size / out_size


def nearest_weights(in_size: int, out_size: int) -> np.ndarray:
    """Nearest neighbour with half-pixel centres: source ``floor((o + 0.5) * scale)``."""
    scale = _scale(in_size, out_size)
    source = np.minimum(np.floor((np.arange(out_size) + 0.5) * scale), in_size - 1)
    weights = np.zeros((out_size, in_size))
    weights[np.arange(out_size), source.astype(np.int64)] = 1.0
    return weights


def bilinear_weights(in_size: int, out_size: int) -> np.ndarray:
    """Linear interpolation between the two nearest centres; edges clamp."""
    scale = _scale(in_size, out_size)
    position = (np.arange(out_size) + 0.5) * scale - 0.5
    floor = np.floor(position)
    lerp = position - floor
    lower = np.clip(floor, 0, in_size - 1).astype(np.int64)
    upper = np.clip(np.ceil(position), 0, in_size - 1).astype(np.int64)
    weights = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    np.add.at(weights, (rows, lower), 1.0 - lerp)
    np.add.at(weights, (rows, upper), lerp)
    return weights


def keys_cubic(x: np.ndarray, a: float = -0.5) -> np.ndarray:
    """Keys' cubic convolution kernel (radius 2)."""
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x <= 1, near, np.where(x < 2, far, 0.0))


def bicubic_weights(in_size: int, out_size: int) -> np.ndarray:
    """Keys cubic (a = -0.5) over the 4 nearest centres."""
    scale = _scale(in_size, out_size)
    position = (np.arange(out_size) + 0.5) * scale - 0.5
    floor = np.floor(position)
    # TF reads the coefficients from a 1024-entry table: the fraction is quantised.
    frac = np.rint((position - floor).astype(np.float32) * 1024) / 1024
    weights = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    for offset in (-1, 0, 1, 2):
        index = floor + offset
        inside = (index >= 0) & (index < in_size)
        np.add.at(weights, (rows[inside], index[inside].astype(np.int64)),
                  keys_cubic(frac - offset)[inside])
    # Taps outside the image get no weight; the rest are renormalised to sum to one.
    return weights / weights.sum(axis=1, keepdims=True)


def area_weights(in_size: int, out_size: int) -> np.ndarray:
    """The mean over each output pixel's box ``[o, o + 1) * scale`` in the input."""
    scale = _scale(in_size, out_size)
    weights = np.zeros((out_size, in_size))
    for o in range(out_size):
        start, end = o * scale, (o + 1) * scale
        for i in range(int(math.floor(start)), int(math.ceil(end))):
            overlap = min(end, i + 1) - max(start, i)
            if overlap > 0:
                weights[o, min(i, in_size - 1)] += overlap / scale
    return weights


def _lanczos(radius: float):
    def kernel(x):
        x = np.abs(x)
        safe = np.where(x < 1e-3, 1.0, x)
        value = radius * np.sin(np.pi * safe) * np.sin(np.pi * safe / radius) / \
            (np.pi * np.pi * safe * safe)
        return np.where(x > radius, 0.0, np.where(x < 1e-3, 1.0, value))
    return kernel, radius


def _gaussian(x):
    x = np.abs(x)
    sigma = 0.5
    return np.where(x >= 1.5, 0.0, np.exp(-x * x / (2 * sigma * sigma)))


def _triangle(x):
    return np.maximum(0.0, 1.0 - np.abs(x))


def _box(x):
    x = np.abs(x)
    return np.where(x < 0.5, 1.0, np.where(x == 0.5, 0.5, 0.0))


def _mitchell(x):
    b = c = 1.0 / 3.0
    x = np.abs(x)
    near = ((12 - 9 * b - 6 * c) * x ** 3 + (-18 + 12 * b + 6 * c) * x ** 2 + (6 - 2 * b)) / 6
    far = ((-b - 6 * c) * x ** 3 + (6 * b + 30 * c) * x ** 2 + (-12 * b - 48 * c) * x
           + (8 * b + 24 * c)) / 6
    return np.where(x < 1, near, np.where(x < 2, far, 0.0))


KERNELS = {
    "lanczos3": _lanczos(3.0),
    "lanczos5": _lanczos(5.0),
    "gaussian": (_gaussian, 1.5),
    "mitchellcubic": (_mitchell, 2.0),
    "bilinear": (_triangle, 1.0),
    "bicubic": (keys_cubic, 2.0),
    "area": (_box, 0.5),
}


def kernel_weights(in_size: int, out_size: int, kernel_name: str, antialias: bool,
                   scale: float | None = None, translation: float = 0.0) -> np.ndarray:
    """``scale_and_translate``'s weights: output pixel ``o`` samples the input at
    ``(o + 0.5 - translation) / scale``; the kernel widens by ``1 / scale`` when
    ``antialias`` and downsampling."""
    kernel, radius = KERNELS[kernel_name]
    # Spans are computed in float32 as TensorFlow does: a centre exactly on the kernel's
    # edge then lands on the same side.
    f32 = np.float32
    scale = f32(out_size) / f32(in_size) if scale is None else f32(scale)
    inv_scale = f32(1.0) / scale
    kernel_scale = max(inv_scale, f32(1.0)) if antialias else f32(1.0)
    reach = f32(radius) * kernel_scale
    weights = np.zeros((out_size, in_size))
    for o in range(out_size):
        sample = (f32(o) + f32(0.5)) * inv_scale - f32(translation) * inv_scale
        start = int(np.clip(np.ceil(sample - reach - f32(0.5)), 0, in_size - 1))
        stop = int(np.clip(np.floor(sample + reach - f32(0.5)), 0, in_size - 1)) + 1
        sources = np.arange(start, stop)
        values = kernel(((sources + f32(0.5) - sample) / kernel_scale).astype(np.float64))
        total = values.sum()
        if abs(total) >= 1000 * np.finfo(np.float32).tiny:
            values = values / total
        weights[o, start:stop] = values
    return weights


@functools.lru_cache(maxsize=256)
def resize_weights(in_size: int, out_size: int, method: str, antialias: bool) -> np.ndarray:
    """The ``[out_size, in_size]`` float64 matrix of ``method`` (cached)."""
    if method == "nearest":
        return nearest_weights(in_size, out_size)
    if method == "area":
        return area_weights(in_size, out_size)
    if method in ("bilinear", "bicubic") and not antialias:
        return (bilinear_weights if method == "bilinear" else bicubic_weights)(
            in_size, out_size)
    return kernel_weights(in_size, out_size, method, antialias)
