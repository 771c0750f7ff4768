"""Geometric warps of ``keras.ops.image``: affine and perspective transforms,
``map_coordinates`` (SciPy's, orders 0 and 1), ``scale_and_translate`` (JAX's, with
antialiasing kernels) and ``elastic_transform``.

Sample points are computed with Fluxion ops and pixels read with ``take``, so each
warp is differentiable in the images.
"""

from __future__ import annotations

import itertools

import numpy as np

from fluxion.keras.ops import (
    core_ops,
    linalg,
    numpy_creation,
    numpy_math,
    numpy_products,
    numpy_shape,
)
from fluxion.keras.ops.image_layout import as_channels_last, from_channels_last


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Applies projective transforms ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (one, or one per
    image) mapping each output ``(x, y)`` to the input point it reads.

    ``fill_mode`` is ``constant``, ``reflect``, ``wrap`` or ``nearest``; ``interpolation``
    is ``bilinear`` or ``nearest``."""
    from fluxion.keras.layers.preprocessing import image_ops

    images, channels_first = as_channels_last(images, data_format, "affine_transform")
    transform = core_ops.convert_to_tensor(transform)
    if len(transform.shape) not in (1, 2) or tuple(transform.shape)[-1] != 8:
        raise ValueError(f"Invalid transform shape: expected [8] or [batch, 8]. Received: "
                         f"transform.shape={tuple(transform.shape)}")
    unbatched = len(images.shape) == 3
    if unbatched:
        images = numpy_shape.expand_dims(images, 0)
    if len(transform.shape) == 1:
        transform = numpy_shape.expand_dims(transform, 0)
    floats = images if images.dtype.is_floating else core_ops.cast(images, "float32")
    out = image_ops.affine_transform(floats, transform, interpolation, fill_mode,
                                     float(fill_value))
    if out.dtype != images.dtype:
        rounded = numpy_math.round(out) if not images.dtype.is_floating else out
        out = core_ops.cast(rounded, images.dtype)
    if unbatched:
        out = numpy_shape.squeeze(out, 0)
    return from_channels_last(out, channels_first)


def _homography(start_points, end_points):
    """``[B, 8]`` transforms mapping each output point (``end``) to its input (``start``):
    the 8x8 linear system of the four point pairs, solved per image."""
    start = core_ops.cast(core_ops.convert_to_tensor(start_points), "float32")
    end = core_ops.cast(core_ops.convert_to_tensor(end_points), "float32")
    if len(start.shape) == 2:
        start, end = numpy_shape.expand_dims(start, 0), numpy_shape.expand_dims(end, 0)
    rows = []
    for index in range(4):
        x, y = end[:, index, 0], end[:, index, 1]
        u, v = start[:, index, 0], start[:, index, 1]
        zero, one = numpy_creation.zeros_like(x), numpy_creation.ones_like(x)
        rows.append(numpy_shape.stack([x, y, one, zero, zero, zero, -u * x, -u * y], axis=-1))
        rows.append(numpy_shape.stack([zero, zero, zero, x, y, one, -v * x, -v * y], axis=-1))
    matrix = numpy_shape.stack(rows, axis=1)  # [B, 8, 8]
    targets = numpy_shape.reshape(start, (-1, 8, 1))
    return numpy_shape.reshape(linalg.solve(matrix, targets), (-1, 8))


def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warps images so that the four ``start_points`` (``[4, 2]`` or ``[B, 4, 2]``, as
    ``(x, y)``) move to ``end_points``; outside reads give ``fill_value``."""
    transform = _homography(start_points, end_points)
    images = core_ops.convert_to_tensor(images)
    if len(images.shape) == 3 and tuple(transform.shape)[0] == 1:
        transform = transform[0]
    return affine_transform(images, transform, interpolation, "constant", fill_value,
                            data_format)


_MAP_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _fold(index, size: int, fill_mode: str):
    """Integer indices mapped inside ``[0, size)`` by ``fill_mode``, as Keras's TensorFlow
    backend maps them (``mirror``: ``|i| mod 2n`` folded back at ``n``; ``reflect``: the
    same, one lower past the fold). ``constant`` clips; its out-of-range reads are masked
    by the caller."""
    if fill_mode == "wrap":
        return numpy_math.mod(index, size)
    if fill_mode in ("mirror", "reflect"):
        folded = numpy_math.mod(numpy_math.abs(index), 2 * size)
        over = folded >= size
        index = numpy_shape.where(over, 2 * size - folded - (1 if fill_mode == "reflect" else 0),
                                  folded)
    return numpy_math.clip(index, 0, size - 1)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Reads ``inputs`` (any rank N) at ``coordinates`` (``[N, ...]``), SciPy's
    ``map_coordinates`` with ``order`` 0 (nearest) or 1 (linear)."""
    inputs = core_ops.convert_to_tensor(inputs)
    coordinates = core_ops.convert_to_tensor(coordinates)
    rank = len(inputs.shape)
    if tuple(coordinates.shape)[0] != rank:
        raise ValueError(f"First dim of `coordinates` must be the same as the rank of "
                         f"`inputs`. Received inputs with shape: {tuple(inputs.shape)} and "
                         f"coordinate leading dim of {tuple(coordinates.shape)[0]}")
    if order not in (0, 1):
        raise ValueError(f"map_coordinates: `order` must be 0 or 1. Received: order={order}")
    if fill_mode not in _MAP_FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected one of "
                         f"{set(_MAP_FILL_MODES)}. Received: fill_mode={fill_mode}")
    sizes = tuple(inputs.shape)
    if any(s is None for s in sizes):
        raise ValueError(f"map_coordinates needs an input of known shape; got {sizes}")
    coords = core_ops.cast(coordinates, "float32")
    flat = numpy_shape.reshape(inputs, (-1,))
    strides = np.cumprod((1,) + sizes[::-1])[:-1][::-1]
    per_axis = []  # for each axis: [(integer index, weight or None), ...]
    for axis in range(rank):
        c = coords[axis]
        if order == 0:
            per_axis.append([(core_ops.cast(numpy_math.round(c), "int32"), None)])
        else:
            low = numpy_math.floor(c)
            weight = c - low
            low = core_ops.cast(low, "int32")
            per_axis.append([(low, 1.0 - weight), (low + 1, weight)])
    result = None
    for corner in itertools.product(*per_axis):
        flat_index, valid, weight = 0, None, None
        for axis, (index, w) in enumerate(corner):
            inside = (index >= 0) & (index < sizes[axis])
            valid = inside if valid is None else valid & inside
            flat_index = flat_index + _fold(index, sizes[axis], fill_mode) * int(strides[axis])
            if w is not None:
                weight = w if weight is None else weight * w
        values = numpy_shape.take(flat, flat_index)
        if fill_mode == "constant":
            values = numpy_shape.where(valid, values, core_ops.cast(fill_value, values.dtype))
        if weight is not None:
            values = core_ops.cast(values, "float32") * weight
        result = values if result is None else result + values
    if order == 1 and inputs.dtype.is_integer:
        result = numpy_math.round(result)
    return core_ops.cast(result, inputs.dtype)


def _kernel(method: str):
    if method in ("linear", "bilinear", "trilinear", "triangle"):
        return lambda x: np.maximum(0.0, 1.0 - np.abs(x))
    if method in ("cubic", "bicubic", "tricubic"):
        def keys(x):  # Keys' cubic, a = -0.5
            x = np.abs(x)
            return np.where(x <= 1, (1.5 * x - 2.5) * x * x + 1,
                            np.where(x < 2, ((-0.5 * x + 2.5) * x - 4) * x + 2, 0.0))
        return keys
    if method in ("lanczos3", "lanczos5"):
        radius = 3.0 if method == "lanczos3" else 5.0
        return lambda x: np.where(np.abs(x) < radius, np.sinc(x) * np.sinc(x / radius), 0.0)
    raise ValueError(f"scale_and_translate: unknown method {method!r}; expected linear, "
                     f"cubic, lanczos3 or lanczos5.")


def _weight_matrix(in_size, out_size, scale, translation, kernel, antialias):
    """``[in, out]`` resampling weights along one axis."""
    inverse = 1.0 / scale
    stretch = max(inverse, 1.0) if antialias else 1.0
    samples = (np.arange(out_size) + 0.5) * inverse - translation * inverse - 0.5
    distance = np.abs(samples[None, :] - np.arange(in_size)[:, None]) / stretch
    weights = kernel(distance)
    totals = weights.sum(axis=0, keepdims=True)
    weights = np.where(np.abs(totals) > 1000 * np.finfo(np.float32).eps,
                       weights / np.where(totals != 0, totals, 1), 0.0)
    inside = (samples >= -0.5) & (samples <= in_size - 0.5)
    return np.where(inside[None, :], weights, 0.0)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Resamples ``images`` to ``output_shape``: along each of ``spatial_dims`` output
    pixel ``o`` reads the input at ``(o + 0.5 - translation) / scale - 0.5`` through the
    ``method`` kernel (widened when downsampling with ``antialias``). ``scale`` and
    ``translation`` must be concrete."""
    images = core_ops.convert_to_tensor(images)
    scale = np.asarray(scale, dtype=np.float64).reshape(-1)
    translation = np.asarray(translation, dtype=np.float64).reshape(-1)
    kernel = _kernel(method)
    dtype = images.dtype
    out = images if dtype.is_floating else core_ops.cast(images, "float32")
    for position, axis in enumerate(spatial_dims):
        in_size = tuple(out.shape)[axis]
        weights = _weight_matrix(in_size, int(output_shape[axis]), scale[position],
                                 translation[position], kernel, antialias)
        weights = core_ops.convert_to_tensor(weights.astype(out.dtype.np_dtype))
        moved = numpy_shape.moveaxis(out, axis, -1)
        out = numpy_shape.moveaxis(numpy_products.matmul(moved, weights), -1, axis)
    return out if out.dtype == dtype else core_ops.cast(out, dtype)


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """Displaces every pixel by a random field (uniform noise smoothed by a Gaussian of
    ``sigma``, scaled by ``alpha``) and resamples the images there."""
    from fluxion.keras import random
    from fluxion.keras.ops.image_filters import gaussian_blur

    if interpolation not in ("bilinear", "nearest"):
        raise ValueError(f"elastic_transform: interpolation must be 'bilinear' or "
                         f"'nearest'. Received: interpolation={interpolation}")
    images, channels_first = as_channels_last(images, data_format, "elastic_transform")
    unbatched = len(images.shape) == 3
    batch = numpy_shape.expand_dims(images, 0) if unbatched else images
    count, height, width, channels = tuple(batch.shape)
    size = int(2 * round(3 * float(sigma)) + 1)
    noise = random.uniform((2, count, height, width, 1), -1.0, 1.0, seed=seed)
    noise = numpy_shape.reshape(noise, (2 * count, height, width, 1))
    field = numpy_shape.reshape(gaussian_blur(noise, (size, size), (sigma, sigma)),
                                (2, count, height, width)) * float(alpha)
    grid = np.meshgrid(np.arange(count), np.arange(height), np.arange(width),
                       np.arange(channels), indexing="ij")
    coords = [core_ops.convert_to_tensor(g.astype("float32")) for g in grid]
    coords[1] = coords[1] + field[0][..., None]
    coords[2] = coords[2] + field[1][..., None]
    mode = {"reflect": "mirror", "constant": "constant", "nearest": "nearest",
            "wrap": "wrap", "mirror": "mirror"}.get(fill_mode)
    if mode is None:
        raise ValueError(f"elastic_transform: unknown fill_mode {fill_mode!r}")
    out = map_coordinates(batch, numpy_shape.stack(coords), 1 if interpolation == "bilinear" else 0,
                          mode, fill_value)
    if unbatched:
        out = numpy_shape.squeeze(out, 0)
    return from_channels_last(out, channels_first)
