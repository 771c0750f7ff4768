"""Python operators on ``Tensor`` and ``Variable``: ``+ - * / // % ** @``, comparisons,
``& | ^ ~``, unary ``-`` and ``abs``, and indexing.

They are the core's thin binary functions bound directly as methods, so ``a + b`` is
one Python call into ``add`` and one ``bind``; Python operands adapt to the tensor's
dtype, and tensors of different dtypes raise the dtype-mismatch error.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.errors import DTypeMismatchError, InvalidArgumentError
from fluxion.core.primitives import elementwise
from fluxion.core.primitives.linalg import matmul
from fluxion.core.primitives.subscript import getitem
from fluxion.core.tensor import Tensor
from fluxion.core.variable import Variable


def _reflected(func):
    def reflected(self, other):
        return func(other, self)

    reflected.__name__ = f"r{func.__name__}"
    return reflected


def _logical_or_bitwise(logical, bitwise):
    def apply(x, y):
        x, y = elementwise.binary_operands(bitwise.__name__, x, y)
        return logical(x, y) if x.dtype.is_bool else bitwise(x, y)

    return apply


def _invert(x):
    tensor = x._read_for_op() if isinstance(x, Variable) else x
    if tensor.dtype.is_bool:
        return elementwise.logical_not(tensor)
    return elementwise.sub(elementwise.neg(tensor), 1)  # two's complement ~x == -x - 1


def _eq(x, y):
    """Elementwise ``==``; like TF, None and shapes that do not broadcast compare False."""
    return _compare(elementwise.equal, x, y, when_incomparable=False)


def _ne(x, y):
    return _compare(elementwise.not_equal, x, y, when_incomparable=True)


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


_and = _logical_or_bitwise(elementwise.logical_and, elementwise.bitwise_and)
_or = _logical_or_bitwise(elementwise.logical_or, elementwise.bitwise_or)
_xor = _logical_or_bitwise(elementwise.logical_xor, elementwise.bitwise_xor)

OPERATORS = {
    "__add__": elementwise.add, "__radd__": _reflected(elementwise.add),
    "__sub__": elementwise.sub, "__rsub__": _reflected(elementwise.sub),
    "__mul__": elementwise.mul, "__rmul__": _reflected(elementwise.mul),
    "__truediv__": elementwise.div, "__rtruediv__": _reflected(elementwise.div),
    "__floordiv__": elementwise.floordiv, "__rfloordiv__": _reflected(elementwise.floordiv),
    "__mod__": elementwise.floormod, "__rmod__": _reflected(elementwise.floormod),
    "__pow__": elementwise.pow_, "__rpow__": _reflected(elementwise.pow_),
    "__matmul__": matmul, "__rmatmul__": _reflected(matmul),
    "__lt__": elementwise.less, "__le__": elementwise.less_equal,
    "__gt__": elementwise.greater, "__ge__": elementwise.greater_equal,
    "__eq__": _eq, "__ne__": _ne,
    "__and__": _and, "__rand__": _reflected(_and),
    "__or__": _or, "__ror__": _reflected(_or),
    "__xor__": _xor, "__rxor__": _reflected(_xor),
    "__neg__": elementwise.neg, "__abs__": elementwise.abs_, "__invert__": _invert, "__pos__": _pos,
    "__getitem__": getitem,
}


def install() -> None:
    for name, func in OPERATORS.items():
        setattr(Tensor, name, func)
        setattr(Variable, name, func)


install()
