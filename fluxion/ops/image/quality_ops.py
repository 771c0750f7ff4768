"""Image quality and edge measures: ``psnr``, ``ssim``, ``ssim_multiscale``,
``total_variation``, ``image_gradients``, ``sobel_edges``.

SSIM's local statistics are a depthwise convolution with a normalised Gaussian window
(VALID padding); everything is composed of Fluxion ops and differentiable.
"""

from __future__ import annotations

import math

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.elementwise import cast
from fluxion.core.primitives.subscript import getitem
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.array_ops import concat, pad, reshape, stack
from fluxion.ops.conv_ops import depthwise_conv2d
from fluxion.ops.image.dtype_ops import convert_image_dtype
from fluxion.ops.math_ops import abs as _abs
from fluxion.ops.math_ops import log
from fluxion.ops.math_ops import pow as _pow
from fluxion.ops.nn_ops import relu
from fluxion.ops.pool_ops import avg_pool2d
from fluxion.ops.reduce_ops import reduce_mean, reduce_prod, reduce_sum

__all__ = ["psnr", "ssim", "ssim_multiscale", "total_variation", "image_gradients",
           "sobel_edges"]

_MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _as_float_pair(op: str, a, b, max_val):
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    if a.dtype is not b.dtype:
        raise op_error(TypeError, op, f"both images must share a dtype, got {a.dtype.name} "
                                      f"and {b.dtype.name}")
    max_val = convert_image_dtype(cast(convert_to_tensor(max_val), a.dtype), dtypes.float32)
    return (convert_image_dtype(a, dtypes.float32), convert_image_dtype(b, dtypes.float32),
            max_val)


def psnr(a, b, max_val, name=None) -> Tensor:
    """Peak signal-to-noise ratio per image: ``10 log10(max_val^2 / mse)``."""
    a, b, max_val = _as_float_pair("psnr", a, b, max_val)
    mse = reduce_mean((a - b) * (a - b), axis=[-3, -2, -1])
    return (20.0 / math.log(10.0)) * log(max_val) - (10.0 / math.log(10.0)) * log(mse)


def gaussian_window(size: int, sigma: float) -> np.ndarray:
    """The normalised 2-D Gaussian window SSIM averages with."""
    coords = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    exponent = -0.5 * coords * coords / (sigma * sigma)
    window = np.exp(exponent[:, None] + exponent[None, :])
    return window / window.sum()


def _local_mean(x: Tensor, window: np.ndarray) -> Tensor:
    """Gaussian-weighted local means of ``[..., H, W, C]`` (VALID), per channel."""
    shape = shape_tuple(x)
    channels = shape[-1]
    flat = reshape(x, [-1] + [d if d is not None else -1 for d in shape[-3:]]) \
        if len(shape) != 4 else x
    kernel = np.tile(window[:, :, None, None], (1, 1, channels, 1))
    out = depthwise_conv2d(flat, Tensor(kernel.astype(x.dtype.np_dtype)), [1, 1, 1, 1],
                           "VALID")
    if len(shape) != 4:
        out = reshape(out, [d if d is not None else -1 for d in shape[:-3]]
                      + list(shape_tuple(out)[1:]))
    return out


def ssim_components(x: Tensor, y: Tensor, max_val, filter_size: int, filter_sigma: float,
                    k1: float, k2: float):
    """Per-channel SSIM and contrast-structure maps of two float images, in their dtype."""
    shape = shape_tuple(x)
    height, width = shape[-3], shape[-2]
    if height is not None and width is not None and min(height, width) < filter_size:
        raise op_error(ValueError, "ssim", f"images must be at least filter_size "
                                           f"({filter_size}) on each side, got {height}x{width}")
    window = gaussian_window(filter_size, filter_sigma)
    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    mean_x, mean_y = _local_mean(x, window), _local_mean(y, window)
    product = mean_x * mean_y * 2.0
    squares = mean_x * mean_x + mean_y * mean_y
    luminance = (product + c1) / (squares + c1)
    cross = _local_mean(x * y, window) * 2.0
    energy = _local_mean(x * x + y * y, window)
    contrast_structure = (cross - product + c2) / (energy - squares + c2)
    return luminance * contrast_structure, contrast_structure


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         return_index_map=False) -> Tensor:
    """Structural similarity per image (``[..., H, W, C]`` -> ``[...]``), in [-1, 1].

    Args:
      img1, img2: images of one dtype (integers are scaled to [0, 1] with ``max_val``).
      max_val: the dynamic range (255 for uint8 images, 1.0 for [0, 1] floats).
      filter_size, filter_sigma: the Gaussian window.
      return_index_map: return the per-pixel SSIM map (averaged over channels) instead.
    """
    x, y, max_val = _as_float_pair("ssim", img1, img2, max_val)
    ssim_map, _ = ssim_components(x, y, max_val, int(filter_size), float(filter_sigma),
                                  float(k1), float(k2))
    if return_index_map:
        return reduce_mean(ssim_map, axis=-1)
    return reduce_mean(ssim_map, axis=[-3, -2, -1])


def _halve(images: Tensor) -> Tensor:
    """2x2 average pooling after padding odd sides symmetrically (as TF's MS-SSIM)."""
    shape = shape_tuple(images)
    extra_h, extra_w = shape[-3] % 2, shape[-2] % 2
    if extra_h or extra_w:
        images = pad(images, [[0, 0]] * (len(shape) - 3) + [[0, extra_h], [0, extra_w], [0, 0]],
                     mode="SYMMETRIC")
    flat = reshape(images, [-1] + list(shape_tuple(images)[-3:]))
    pooled = avg_pool2d(flat, 2, 2, "VALID")
    return reshape(pooled, [d if d is not None else -1 for d in shape[:-3]]
                   + list(shape_tuple(pooled)[1:]))


def ssim_multiscale(img1, img2, max_val, power_factors=_MS_SSIM_WEIGHTS, filter_size=11,
                    filter_sigma=1.5, k1=0.01, k2=0.03) -> Tensor:
    """Multi-scale SSIM: contrast-structure at each of ``len(power_factors)`` halvings and
    the full SSIM at the coarsest, combined as a weighted geometric mean."""
    x, y, max_val = _as_float_pair("ssim_multiscale", img1, img2, max_val)
    levels = []
    for scale in range(len(power_factors)):
        if scale:
            x, y = _halve(x), _halve(y)
        ssim_map, cs_map = ssim_components(x, y, max_val, int(filter_size),
                                           float(filter_sigma), float(k1), float(k2))
        last = scale == len(power_factors) - 1
        levels.append(reduce_mean(ssim_map if last else cs_map, axis=[-3, -2]))
    stacked = relu(stack(levels, axis=-1))             # [..., C, scales]
    weights = Tensor(np.asarray(power_factors, stacked.dtype.np_dtype))
    return reduce_mean(reduce_prod(_pow(stacked, weights), axis=-1), axis=-1)


def total_variation(images, name=None) -> Tensor:
    """The sum of absolute differences between neighbouring pixels, per image (or one
    scalar for a single ``[H, W, C]`` image)."""
    images = convert_to_tensor(images)
    if images.ndim == 3:
        dy = getitem(images, (slice(1, None),)) - getitem(images, (slice(None, -1),))
        dx = getitem(images, (slice(None), slice(1, None))) - \
            getitem(images, (slice(None), slice(None, -1)))
        return reduce_sum(_abs(dy)) + reduce_sum(_abs(dx))
    if images.ndim != 4:
        raise op_error(ValueError, "total_variation", f"expected a 3-D or 4-D image tensor, "
                                                      f"got shape {list(images.shape)}")
    dy = images[:, 1:] - images[:, :-1]
    dx = images[:, :, 1:] - images[:, :, :-1]
    return reduce_sum(_abs(dy), axis=[1, 2, 3]) + reduce_sum(_abs(dx), axis=[1, 2, 3])


def image_gradients(image) -> tuple[Tensor, Tensor]:
    """Forward differences ``(dy, dx)`` of ``[B, H, W, C]`` images, zero in the last row
    (for dy) and column (for dx), both of the image's shape."""
    image = convert_to_tensor(image)
    if image.ndim != 4:
        raise op_error(ValueError, "image_gradients", f"expected a 4-D tensor [batch, "
                                                      f"height, width, channels], got shape "
                                                      f"{list(image.shape)}")
    dy = image[:, 1:] - image[:, :-1]
    dx = image[:, :, 1:] - image[:, :, :-1]
    dy = concat([dy, image[:, :1] * 0], axis=1)
    dx = concat([dx, image[:, :, :1] * 0], axis=2)
    return dy, dx


def sobel_edges(image) -> Tensor:
    """Sobel responses ``[B, H, W, C, 2]`` (vertical ``dy`` then horizontal ``dx``),
    with reflected borders."""
    image = convert_to_tensor(image)
    if image.ndim != 4:
        raise op_error(ValueError, "sobel_edges", f"expected a 4-D tensor, got shape "
                                                  f"{list(image.shape)}")
    if not image.dtype.is_floating:
        image = cast(image, dtypes.float32)
    channels = shape_tuple(image)[-1]
    vertical = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64)
    kernels = np.stack([vertical, vertical.T], axis=-1)         # [3, 3, 2]
    kernel = np.tile(kernels[:, :, None, :], (1, 1, channels, 1))  # [3, 3, C, 2]
    padded = pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    out = depthwise_conv2d(padded, Tensor(kernel.astype(image.dtype.np_dtype)),
                           [1, 1, 1, 1], "VALID")
    shape = shape_tuple(out)
    return reshape(out, [-1 if shape[0] is None else shape[0], shape[1], shape[2],
                         channels, 2])
