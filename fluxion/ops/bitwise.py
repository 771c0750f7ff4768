"""The ``fluxion.bitwise`` namespace (``tf.bitwise``): bitwise ops on integer tensors.

``bitwise_and`` / ``or`` / ``xor`` are the core's primitives; ``invert``,
``left_shift`` and ``right_shift`` are defined here.  Integer ops carry no gradient.
``right_shift`` of a signed integer is arithmetic (the sign bit is kept), as in TF.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.elementwise import (
    binary_operands,
    bitwise_and,
    bitwise_or,
    bitwise_xor,
)
from fluxion.core.shape_rules import elementwise_rule
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]


def _integer_rule(*avals: Aval) -> Aval:
    for aval in avals:
        if not aval.dtype.is_integer:
            raise TypeError(f"bitwise ops take integer tensors, got {aval.dtype.name}")
    return elementwise_rule(*avals) if len(avals) == 2 else avals[0]


def _clamped(shift):
    """Shift amounts limited to [0, bits - 1], as TF's kernels do (1 << 9 in int8 is -128)."""
    def kernel(x, y):
        return shift(x, np.clip(y, 0, x.dtype.itemsize * 8 - 1).astype(x.dtype))

    return kernel


invert_p = define("invert", np.invert, _integer_rule, doc="Flips every bit (~x).")
left_shift_p = define("left_shift", _clamped(np.left_shift), _integer_rule,
                      doc="x << y, elementwise.")
right_shift_p = define("right_shift", _clamped(np.right_shift), _integer_rule,
                       doc="x >> y, elementwise.")


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
