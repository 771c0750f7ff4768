"""``convert_image_dtype``: images between integer ranges ``[0, MAX]`` and floats in [0, 1]."""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.elementwise import cast
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.ops.clip_ops import clip_by_value

__all__ = ["convert_image_dtype"]


def convert_image_dtype(image, dtype, saturate=False, name=None) -> Tensor:
    """Converts ``image`` to ``dtype``, rescaling between integer and float ranges.

    Integers map ``[0, MAX]`` to floats in ``[0, 1]`` and back (``x * (MAX + 0.5)``,
    truncated); integer-to-integer conversion shifts by the width difference; float to
    float is a cast.  ``saturate`` clips before a narrowing cast.

    >>> convert_image_dtype(tf.constant([0, 255], tf.uint8), tf.float32).numpy()
    array([0., 1.], dtype=float32)
    """
    image = convert_to_tensor(image)
    target = dtypes.as_dtype(dtype)
    source = image.dtype
    for kind in (source, target):
        if not (kind.is_integer or kind.is_floating):
            raise op_error(TypeError, "convert_image_dtype",
                           f"expected integer or floating dtypes, got {kind.name}")
    if source is target:
        return image
    if source.is_integer and target.is_integer:
        in_max, out_max = int(source.max), int(target.max)
        if in_max > out_max:
            scale = (in_max + 1) // (out_max + 1)
            return cast(image // scale, target)
        scale = (out_max + 1) // (in_max + 1)
        return cast(image, target) * scale
    if source.is_floating and target.is_floating:
        return cast(image, target)
    if source.is_integer:  # integer -> float
        return cast(image, target) * float(1.0 / source.max)
    scaled = image * float(target.max + 0.5)  # float -> integer
    if saturate:
        scaled = clip_by_value(scaled, float(target.min), float(target.max))
    return cast(scaled, target)
