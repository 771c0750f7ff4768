"""Filters of ``keras.ops.image``: Gaussian blur, Sobel edges and SSIM, as depthwise
convolutions with constant kernels (so they are differentiable in the images)."""

from __future__ import annotations

import numpy as np

from fluxion.keras.ops import core_ops, nn_conv_ops, numpy_reduce, numpy_shape
from fluxion.keras.ops.image_layout import as_channels_last, from_channels_last, pair


def _gaussian_1d(size: int, sigma: float) -> np.ndarray:
    offsets = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    weights = np.exp(-(offsets ** 2) / (2.0 * float(sigma) ** 2))
    return weights / weights.sum()


def _depthwise(images, kernel_2d: np.ndarray, padding: str):
    """Applies one 2-D kernel to every channel of ``[B, H, W, C]`` images."""
    channels = tuple(images.shape)[-1]
    kernel = np.tile(kernel_2d[:, :, None, None], (1, 1, channels, 1))
    kernel = core_ops.convert_to_tensor(kernel.astype(images.dtype.np_dtype))
    return nn_conv_ops.depthwise_conv(images, kernel, strides=1, padding=padding)


def _batched(images):
    if len(images.shape) == 3:
        return numpy_shape.expand_dims(images, 0), True
    return images, False


def _float(images):
    return images if images.dtype.is_floating else core_ops.cast(images, "float32")


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blurs images with a Gaussian kernel of ``kernel_size`` and ``sigma`` (pairs; zero
    padding, output the input's size)."""
    sizes = pair(kernel_size, "kernel_size")
    sigmas = (float(sigma),) * 2 if isinstance(sigma, (int, float)) else tuple(
        float(s) for s in sigma)
    if len(sigmas) != 2 or min(sigmas) <= 0:
        raise ValueError(f"`sigma` must be a positive number or a pair of them. "
                         f"Received: sigma={sigma}")
    images, channels_first = as_channels_last(images, data_format, "gaussian_blur")
    dtype = images.dtype
    batch, unbatched = _batched(_float(images))
    # As Keras builds it: the outer product of the (size[1], sigma[1]) window with the
    # (size[0], sigma[0]) one, laid out row-major into a (size[0], size[1]) kernel.
    kernel = np.outer(_gaussian_1d(sizes[1], sigmas[1]),
                      _gaussian_1d(sizes[0], sigmas[0])).reshape(sizes)
    blurred = _depthwise(batch, kernel, "same")
    if unbatched:
        blurred = numpy_shape.squeeze(blurred, 0)
    if blurred.dtype != dtype:
        blurred = core_ops.cast(blurred, dtype)
    return from_channels_last(blurred, channels_first)


_SOBEL_Y = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64)


def sobel_edges(images, data_format=None):
    """Sobel gradients of each channel, ``[..., C, 2]`` with ``(dy, dx)`` last
    (reflect padding, as TensorFlow's ``sobel_edges``)."""
    images, channels_first = as_channels_last(images, data_format, "sobel_edges")
    batch, unbatched = _batched(_float(images))
    padded = numpy_shape.pad(batch, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="reflect")
    edges = numpy_shape.stack([_depthwise(padded, _SOBEL_Y, "valid"),
                               _depthwise(padded, _SOBEL_Y.T, "valid")], axis=-1)
    if unbatched:
        edges = numpy_shape.squeeze(edges, 0)
    return numpy_shape.moveaxis(edges, -2, -4) if channels_first else edges


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Structural similarity of two image batches: one value per image, the mean over
    pixels and channels of luminance x contrast-structure, with Gaussian-weighted local
    statistics (``filter_size`` window, no padding)."""
    image1, _ = as_channels_last(image1, data_format, "ssim")
    image2, _ = as_channels_last(image2, data_format, "ssim")
    image1, unbatched = _batched(_float(image1))
    image2, _ = _batched(core_ops.cast(image2, image1.dtype))
    height, width = tuple(image1.shape)[1:3]
    if height is not None and width is not None and min(height, width) < filter_size:
        raise ValueError(f"ssim: the images ({height}x{width}) are smaller than the filter "
                         f"({filter_size}); pass a smaller filter_size.")
    window = _gaussian_1d(filter_size, filter_sigma)
    kernel = np.outer(window, window)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2

    def local_mean(x):
        return _depthwise(x, kernel, "valid")

    mean1, mean2 = local_mean(image1), local_mean(image2)
    mean_product = mean1 * mean2
    luminance = (2.0 * mean_product + c1) / (mean1 * mean1 + mean2 * mean2 + c1)
    cross = local_mean(image1 * image2) - mean_product
    squares = local_mean(image1 * image1 + image2 * image2) - (mean1 * mean1 + mean2 * mean2)
    contrast_structure = (2.0 * cross + c2) / (squares + c2)
    value = numpy_reduce.mean(luminance * contrast_structure, axis=(1, 2, 3))
    return numpy_shape.squeeze(value, 0) if unbatched else value
