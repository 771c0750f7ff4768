"""Flips, rotations and transposition of images, with their random and stateless random
variants (each image of a batch decides independently, as in TensorFlow)."""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.elementwise import select
from fluxion.core.tensor import Tensor
from fluxion.ops.array_ops import reverse
from fluxion.ops.array_ops import transpose as _transpose
from fluxion.ops.image.image_shapes import batched, unbatched

__all__ = ["flip_left_right", "flip_up_down", "rot90", "transpose", "random_flip_left_right",
           "random_flip_up_down", "stateless_random_flip_left_right",
           "stateless_random_flip_up_down"]


def flip_left_right(image) -> Tensor:
    """Mirrors images horizontally (reverses the width axis)."""
    images, added = batched("flip_left_right", image)
    return unbatched(reverse(images, [2]), added)


def flip_up_down(image) -> Tensor:
    """Mirrors images vertically (reverses the height axis)."""
    images, added = batched("flip_up_down", image)
    return unbatched(reverse(images, [1]), added)


def transpose(image, name=None) -> Tensor:
    """Swaps height and width."""
    images, added = batched("transpose", image)
    return unbatched(_transpose(images, [0, 2, 1, 3]), added)


def rot90(image, k=1, name=None) -> Tensor:
    """Rotates images counter-clockwise by ``k`` quarter turns."""
    images, added = batched("rot90", image)
    turns = int(k) % 4
    if turns == 1:
        images = reverse(_transpose(images, [0, 2, 1, 3]), [1])
    elif turns == 2:
        images = reverse(images, [1, 2])
    elif turns == 3:
        images = _transpose(reverse(images, [1]), [0, 2, 1, 3])
    return unbatched(images, added)


def _random_flip(op: str, image, axis: int, draw) -> Tensor:
    images, added = batched(op, image)
    batch = images.shape[0]
    if batch is None:
        raise op_error(ValueError, op, "needs a known batch size")
    coins = draw([batch, 1, 1, 1])
    flipped = reverse(images, [axis])
    return unbatched(select(coins < 0.5, flipped, images), added)


def _stateful(seed):
    from fluxion.ops.random_ops import uniform

    return lambda shape: uniform(shape, dtype=dtypes.float32, seed=seed)


def _stateless(seed):
    from fluxion.ops.random_ops import stateless_uniform

    return lambda shape: stateless_uniform(shape, seed, dtype=dtypes.float32)


def random_flip_left_right(image, seed=None) -> Tensor:
    """Mirrors each image horizontally with probability 1/2."""
    return _random_flip("random_flip_left_right", image, 2, _stateful(seed))


def random_flip_up_down(image, seed=None) -> Tensor:
    """Mirrors each image vertically with probability 1/2."""
    return _random_flip("random_flip_up_down", image, 1, _stateful(seed))


def stateless_random_flip_left_right(image, seed) -> Tensor:
    """``random_flip_left_right`` as a pure function of ``seed`` (shape [2])."""
    return _random_flip("stateless_random_flip_left_right", image, 2, _stateless(seed))


def stateless_random_flip_up_down(image, seed) -> Tensor:
    """``random_flip_up_down`` as a pure function of ``seed`` (shape [2])."""
    return _random_flip("stateless_random_flip_up_down", image, 1, _stateless(seed))
