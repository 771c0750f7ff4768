"""Shared checks for image ops: images are ``[H, W, C]`` or ``[B, H, W, C]``."""

from __future__ import annotations

from fluxion.core.errors import op_error
from fluxion.core.primitives.shape import expand_dims, squeeze
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple


def batched(op: str, images, ranks=(3, 4)) -> tuple[Tensor, bool]:
    """``images`` as a 4-D batch, and whether a batch axis was added (to drop later)."""
    images = convert_to_tensor(images)
    rank = images.ndim
    if rank not in ranks:
        raise op_error(ValueError, op, f"expected an image [height, width, channels] or a "
                                       f"batch [batch, height, width, channels], got shape "
                                       f"{list(shape_tuple(images))}")
    if rank == 3:
        return expand_dims(images, 0), True
    return images, False


def unbatched(images: Tensor, added: bool) -> Tensor:
    return squeeze(images, [0]) if added else images


def static_hw(op: str, images: Tensor) -> tuple[int, int]:
    """The known height and width of a 4-D batch."""
    height, width = shape_tuple(images)[1:3]
    if height is None or width is None:
        raise op_error(ValueError, op, f"needs images of known height and width, got shape "
                                       f"{list(shape_tuple(images))}")
    return height, width


def static_ints(op: str, what: str, values, count: int) -> list[int]:
    """``values`` (a list or tensor of ``count`` ints) as Python ints."""
    import numpy as np

    array = np.asarray(values._value if isinstance(values, Tensor) else values).reshape(-1)
    if array.size != count:
        raise op_error(ValueError, op, f"{what} must have {count} entries, got "
                                       f"{array.tolist()}")
    return [int(v) for v in array]
