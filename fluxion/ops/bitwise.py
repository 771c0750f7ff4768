"""The ``fluxion.bitwise`` namespace (``tf.bitwise``): bitwise ops on integer tensors.

``bitwise_and`` / ``or`` / ``xor``, ``invert``, ``left_shift`` and ``right_shift`` are
primitives of the core.  Integer ops carry no gradient.
``right_shift`` of a signed integer is arithmetic (the sign bit is kept), as in TF.
"""

from __future__ import annotations

from fluxion.core.primitive import bind
from fluxion.core.primitives.bitwise import invert_p, left_shift_p, right_shift_p
from fluxion.core.primitives.elementwise import (
    binary_operands,
    bitwise_and,
    bitwise_or,
    bitwise_xor,
)
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]


def invert(x, name=None) -> Tensor:
    """Flips all bits of each element (``~x``).

    >>> import fluxion as tf
    >>> tf.bitwise.invert(tf.constant([0, 5], tf.uint8)).numpy()
    array([255, 250], dtype=uint8)
    """
    return bind(invert_p, convert_to_tensor(x))


def left_shift(x, y, name=None) -> Tensor:
    """``x << y`` elementwise, with broadcasting."""
    x, y = binary_operands("left_shift", x, y)
    return bind(left_shift_p, x, y)


def right_shift(x, y, name=None) -> Tensor:
    """``x >> y`` elementwise (arithmetic for signed integers), with broadcasting."""
    x, y = binary_operands("right_shift", x, y)
    return bind(right_shift_p, x, y)
