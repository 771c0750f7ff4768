"""``tf.image.extract_glimpse``: fixed-size windows at per-image offsets, with noise (or
zeros) where a window leaves the image.  As in TensorFlow there is no gradient."""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.image_glimpse import glimpse_p
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.image.image_shapes import static_ints

__all__ = ["extract_glimpse"]


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
