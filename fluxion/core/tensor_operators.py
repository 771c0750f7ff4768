"""Python operators on ``Tensor`` and ``Variable``: ``+ - * / // % ** @``, comparisons,
``& | ^ ~``, unary ``-`` and ``abs``, and indexing.

They are the core's thin binary functions bound directly as methods, so ``a + b`` is
one Python call into ``add`` and one ``bind``; Python operands adapt to the tensor's
dtype, and tensors of different dtypes raise the dtype-mismatch error.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.errors import DTypeMismatchError, InvalidArgumentError
from fluxion.core.primitives import elementwise as ew
from fluxion.core.primitives.indexing import getitem
from fluxion.core.primitives.linalg import matmul
from fluxion.core.tensor import Tensor
from fluxion.core.variable import Variable


def _reflected(func):
    def reflected(self, other):
        return func(other, self)

    reflected.__name__ = f"r{func.__name__}"
    return reflected


def _logical_or_bitwise(logical, bitwise):
    def apply(x, y):
        x, y = ew.binary_operands(bitwise.__name__, x, y)
        return logical(x, y) if x.dtype.is_bool else bitwise(x, y)

    return apply


def _invert(x):
    tensor = x._read_for_op() if isinstance(x, Variable) else x
    if tensor.dtype.is_bool:
        return ew.logical_not(tensor)
    return ew.sub(ew.neg(tensor), 1)  # two's complement ~x == -x - 1


def _eq(x, y):
    """Elementwise ``==``; like TF, None and shapes that do not broadcast compare False."""
    return _compare(ew.equal, x, y, when_incomparable=False)


def _ne(x, y):
    return _compare(ew.not_equal, x, y, when_incomparable=True)


def _compare(op, x, y, when_incomparable: bool):
    if y is None:
        return when_incomparable
    try:
        return op(x, y)
    except InvalidArgumentError as error:
        if isinstance(error, DTypeMismatchError):
            raise
        return Tensor(np.asarray(when_incomparable))


def _pos(x):
    return x._read_for_op() if isinstance(x, Variable) else x


_and = _logical_or_bitwise(ew.logical_and, ew.bitwise_and)
_or = _logical_or_bitwise(ew.logical_or, ew.bitwise_or)
_xor = _logical_or_bitwise(ew.logical_xor, ew.bitwise_xor)

OPERATORS = {
    "__add__": ew.add, "__radd__": _reflected(ew.add),
    "__sub__": ew.sub, "__rsub__": _reflected(ew.sub),
    "__mul__": ew.mul, "__rmul__": _reflected(ew.mul),
    "__truediv__": ew.div, "__rtruediv__": _reflected(ew.div),
    "__floordiv__": ew.floordiv, "__rfloordiv__": _reflected(ew.floordiv),
    "__mod__": ew.floormod, "__rmod__": _reflected(ew.floormod),
    "__pow__": ew.pow_, "__rpow__": _reflected(ew.pow_),
    "__matmul__": matmul, "__rmatmul__": _reflected(matmul),
    "__lt__": ew.less, "__le__": ew.less_equal,
    "__gt__": ew.greater, "__ge__": ew.greater_equal,
    "__eq__": _eq, "__ne__": _ne,
    "__and__": _and, "__rand__": _reflected(_and),
    "__or__": _or, "__ror__": _reflected(_or),
    "__xor__": _xor, "__rxor__": _reflected(_xor),
    "__neg__": ew.neg, "__abs__": ew.abs_, "__invert__": _invert, "__pos__": _pos,
    "__getitem__": getitem,
}


def install() -> None:
    for name, func in OPERATORS.items():
        setattr(Tensor, name, func)
        setattr(Variable, name, func)


install()
