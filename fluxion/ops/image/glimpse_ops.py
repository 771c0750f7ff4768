"""``tf.image.extract_glimpse``: fixed-size windows at per-image offsets, with noise (or
zeros) where a window leaves the image.  As in TensorFlow there is no gradient."""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitive import Aval, define
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.image.image_shapes import static_ints

__all__ = ["extract_glimpse"]


def _glimpse_kernel(images, offsets, seed, *, size, centered, normalized, noise):
    batch, height, width, channels = images.shape
    rows, cols = size
    rng = np.random.default_rng(np.asarray(seed, np.int64).tolist())
    out = np.zeros((batch, rows, cols, channels), images.dtype)
    for b in range(batch):
        y, x = (float(v) for v in offsets[b])
        if normalized:
            y, x = y * height / 2 if centered else y * height, x * width / 2 if centered \
                else x * width
        if centered:
            y, x = y + height / 2, x + width / 2
            if normalized:  # a normalised centre names the window's middle
                y, x = y - rows / 2, x - cols / 2
        top, left = int(y), int(x)  # truncation toward zero, as TF
        image = images[b]
        if noise == "uniform":
            fill = rng.uniform(image.min(axis=(0, 1)), image.max(axis=(0, 1)),
                               (rows, cols, channels))
        elif noise == "gaussian":
            fill = rng.normal(image.mean(axis=(0, 1)), image.std(axis=(0, 1)),
                              (rows, cols, channels))
        else:
            fill = np.zeros((rows, cols, channels))
        window = fill.astype(images.dtype)
        r0, r1 = max(top, 0), min(top + rows, height)
        c0, c1 = max(left, 0), min(left + cols, width)
        if r0 < r1 and c0 < c1:
            window[r0 - top:r1 - top, c0 - left:c1 - left] = image[r0:r1, c0:c1]
        out[b] = window
    return out


def _glimpse_rule(images: Aval, offsets: Aval, seed: Aval, *, size, centered, normalized,
                  noise) -> Aval:
    if len(images.shape) != 4:
        raise ValueError(f"expected 4-D images, got shape {list(images.shape)}")
    return Aval((images.shape[0], size[0], size[1], images.shape[3]), images.dtype)


glimpse_p = define("extract_glimpse", _glimpse_kernel, _glimpse_rule, fresh_output=True,
                   effect="writes_state")


def extract_glimpse(input, size, offsets, centered=True, normalized=True,  # noqa: A002
                    noise="uniform", name=None) -> Tensor:
    """Windows of ``size = [rows, cols]`` from ``[B, H, W, C]`` images at ``offsets``
    ``[B, 2]`` (y, x).

    Args:
      centered: offsets are relative to the image centre (else to its top-left corner).
      normalized: offsets are fractions of the image size ([-1, 1] when centered).
      noise: what fills pixels outside the image: ``"uniform"`` (between the image's
        per-channel min and max), ``"gaussian"`` (its mean and std) or ``"zero"``.
    """
    images = convert_to_tensor(input)
    if images.ndim != 4:
        raise op_error(ValueError, "extract_glimpse", f"expected 4-D images, got shape "
                                                      f"{list(shape_tuple(images))}")
    if noise not in ("uniform", "gaussian", "zero", ""):
        raise op_error(ValueError, "extract_glimpse", f"noise must be uniform, gaussian or "
                                                      f"zero, got {noise!r}")
    rows, cols = static_ints("extract_glimpse", "size", size, 2)
    offsets = convert_to_tensor(offsets, dtype=dtypes.float32)
    from fluxion.ops.random_ops import uniform

    seed = uniform([2], 0, 2 ** 31 - 1, dtype=dtypes.int32)
    return glimpse_p.bind(images, offsets, seed, size=(rows, cols), centered=bool(centered),
                          normalized=bool(normalized), noise=noise or "uniform")
