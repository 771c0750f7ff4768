"""Python lists appended to inside tensor-dependent loops.

``items.append(x)`` in converted code is ``items = ag__.list_append(items, x)``.  On a
Python list that is just ``append``.  A list appended to inside a ``while_loop`` cannot
stay a Python list (its length depends on the loop's run), so the loop turns it into a
``TensorList``: its elements stacked along a new first axis, carried through the loop
as one tensor whose first dimension grows; each append concatenates.  (TF asks for a
``TensorArray`` there; this keeps the plain-Python spelling working.)  After the loop
the variable holds the stacked tensor, so ``tf.stack(items)`` and ``items[i]`` work,
and appending to it again concatenates.
"""

from __future__ import annotations

from fluxion.core.primitive import Aval
from fluxion.core.tensor import Tensor, convert_to_tensor


class TensorList:
    """A list of same-shaped tensors held as one stacked tensor (first axis: the items)."""

    __slots__ = ("stacked", "element_aval")

    def __init__(self, stacked: Tensor | None, element_aval: Aval | None):
        self.stacked = stacked  # None while the element type is unknown (an empty list)
        self.element_aval = element_aval

    @classmethod
    def from_list(cls, items: list, element_aval: Aval | None) -> TensorList:
        from fluxion.core.primitives.shape import stack
        from fluxion.ops.creation_ops import zeros

        if items:
            stacked = stack([convert_to_tensor(item) for item in items])
            aval = Aval(tuple(stacked.shape.as_list()[1:]), stacked.dtype)
            return cls(stacked, aval)
        if element_aval is None:
            return cls(None, None)
        if any(d is None for d in element_aval.shape):
            raise ValueError(
                f"a list appended to in a tensor-dependent loop needs elements of a known "
                f"shape; the loop appends {element_aval.dtype.name}{list(element_aval.shape)}")
        return cls(zeros((0,) + tuple(element_aval.shape), element_aval.dtype),
                   element_aval)

    def append(self, value) -> TensorList:
        from fluxion.core.primitives.shape import concat, expand_dims

        value = convert_to_tensor(value)
        aval = Aval(tuple(value.shape.as_list()), value.dtype)
        if self.stacked is None:  # the trial trace: only learn the element type
            return TensorList(None, aval)
        if value.dtype is not self.element_aval.dtype:
            raise TypeError(f"a list in a tensor-dependent loop holds "
                            f"{self.element_aval.dtype.name} items; cannot append "
                            f"{value.dtype.name}")
        return TensorList(concat([self.stacked, expand_dims(value, 0)], 0), self.element_aval)

    def stack(self) -> Tensor:
        return self.stacked

    def __getitem__(self, index):
        return self.stacked[index]

    def __repr__(self) -> str:
        return f"<TensorList {self.stacked!r}>"


def list_append(target, value):
    """``target.append(value)`` as an expression that returns the (new) list."""
    if isinstance(target, TensorList):
        return target.append(value)
    if isinstance(target, Tensor):  # a list a tensor-dependent loop has stacked
        from fluxion.core.primitives.shape import concat, expand_dims

        return concat([target, expand_dims(convert_to_tensor(value), 0)], 0)
    append = getattr(target, "append", None)
    if append is None:
        raise AttributeError(f"'{type(target).__name__}' object has no attribute 'append'")
    append(value)
    return target
