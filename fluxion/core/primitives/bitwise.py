"""Bit primitives beyond the core's and/or/xor: ``invert``, ``left_shift``, ``right_shift``.

Integer ops carry no gradient.  Shift amounts are limited to ``[0, bits - 1]`` as TF's
kernels do; ``right_shift`` of a signed integer is arithmetic (the sign bit is kept).
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, define
from fluxion.core.shape_rules import elementwise_rule


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
