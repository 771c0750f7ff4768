"""``TensorArray``: a list of same-dtype tensors that loops can write (``tf.TensorArray``).

It is a composite value with two storages:

- a Python *list* of element tensors, while every index used is a concrete number
  (eager code, and Python loops inside a traced function).  Elements may differ in
  their first dimension (``concat`` joins them), and gradients flow through the
  element tensors themselves;
- one stacked *buffer* tensor ``[size, *element_shape]``, once the array crosses a
  traced ``while_loop`` or ``cond`` (its single component) or an index is symbolic.
  ``write`` is ``tensor_scatter_nd_update``, ``read`` is ``gather``, ``stack`` is the
  buffer: all differentiable primitives, so no gradient code lives here.  With
  ``dynamic_size=True`` a write past the end grows the buffer with zeros.

A traced ``while_loop`` whose array does not know its element shape yet (nothing
written, no ``element_shape``) first traces the body once to learn it (``_unsettled``).
Writes return the array to use next, as in TF; eagerly the list storage also
changes in place, so code that drops the result still works.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.composite import CompositeTensor
from fluxion.core.primitives.elementwise import add, cast, maximum, sub
from fluxion.core.primitives.shape import concat, expand_dims, reshape, stack, unstack
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.tensor_shape import TensorShape, as_shape
from fluxion.graph.symbolic import SymbolicTensor
from fluxion.ops.array_ops import gather, tensor_scatter_nd_update
from fluxion.ops.creation_ops import shape as shape_op
from fluxion.ops.creation_ops import zeros
from fluxion.ops.type_specs import TypeSpec

__all__ = ["TensorArray", "TensorArraySpec"]


def _concrete_index(index):
    """``index`` as a Python int, or None when it is a symbolic tensor."""
    if isinstance(index, SymbolicTensor):
        return None
    return int(np.asarray(index))


class TensorArray(CompositeTensor):
    """A list of tensors of one dtype, indexed by position (``tf.TensorArray``).

    Args:
      dtype: the elements' dtype.
      size: the number of elements (a Python int or a scalar int tensor).
      dynamic_size: if True, writing past the end grows the array.
      clear_after_read: accepted for TF compatibility (reads never clear).
      element_shape: the elements' shape, if known in advance.
      infer_shape: if True, every element must have the first written element's shape.

    >>> import fluxion as tf
    >>> ta = tf.TensorArray(tf.float32, size=2)
    >>> ta = ta.write(0, [1.0, 2.0]).write(1, [3.0, 4.0])
    >>> ta.stack().numpy()
    array([[1., 2.],
           [3., 4.]], dtype=float32)
    """

    __slots__ = ("_dtype", "_dynamic_size", "_element_shape", "_infer_shape", "_elements",
                 "_buffer", "_size", "_probe_of")

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        if size is None and not self._dynamic_size:
            raise ValueError("TensorArray: give a size, or dynamic_size=True (then the array "
                             "starts empty and grows as it is written).")
        self._element_shape = TensorShape(None) if element_shape is None \
            else as_shape(element_shape)
        self._infer_shape = bool(infer_shape)
        self._buffer = None
        self._probe_of = None
        size = 0 if size is None else size
        if isinstance(size, SymbolicTensor):
            self._elements, self._size = None, cast(size, dtypes.int32)
        else:
            count = int(np.asarray(size))
            if count < 0:
                raise ValueError(f"TensorArray: size must be >= 0, got {count}")
            self._elements, self._size = [None] * count, None

    # --- the composite protocol ----------------------------------------------------------
    def _copy(self, elements=None, buffer=None, size=None) -> TensorArray:
        other = object.__new__(TensorArray)
        other._dtype, other._dynamic_size = self._dtype, self._dynamic_size
        other._element_shape, other._infer_shape = self._element_shape, self._infer_shape
        other._elements, other._buffer, other._size = elements, buffer, size
        other._probe_of = self._probe_of
        return other

    def _static_key(self):
        return ("TensorArray", self._dtype.name, self._dynamic_size)

    def _to_components(self) -> list:
        if self._probe_of is not None:
            return []
        return [self._as_buffer()]

    def _with_components(self, components: list) -> TensorArray:
        if self._probe_of is not None or not components:
            return self
        (buffer,) = components
        return self._copy(buffer=buffer)

    def _unsettled(self) -> bool:
        """Whether crossing a traced loop needs a probe trace to learn the element shape."""
        return self._buffer is None and not self._element_shape.is_fully_defined() and not (
            self._elements and all(e is not None for e in self._elements))

    def _probe(self) -> TensorArray:
        """A stand-in that records the shape of what a loop body writes into it."""
        probe = self._copy(elements=self._elements, size=self._size)
        probe._probe_of = self
        return probe

    # --- properties ------------------------------------------------------------------------
    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def dynamic_size(self) -> bool:
        return self._dynamic_size

    @property
    def _type_spec(self) -> TensorArraySpec:
        """This array's spec (``tf.type_spec_from_value`` reads it)."""
        return TensorArraySpec.from_value(self)

    @property
    def element_shape(self) -> TensorShape:
        return self._element_shape

    @property
    def flow(self) -> Tensor:
        return self.size()

    @property
    def handle(self):
        return self

    def size(self, name=None) -> Tensor:
        """The number of elements, as a scalar int32 tensor."""
        if self._buffer is not None:
            return shape_op(self._buffer)[0]
        if self._elements is None:
            return self._size
        return convert_to_tensor(len(self._elements), dtype=dtypes.int32)

    # --- writing ---------------------------------------------------------------------------
    def _value(self, value, what: str) -> Tensor:
        value = convert_to_tensor(value, dtype=self._dtype)
        if value.dtype is not self._dtype:
            raise TypeError(f"TensorArray.{what}: the array holds {self._dtype.name}, got "
                            f"{value.dtype.name}")
        return value

    def _merge_shape(self, shape: TensorShape, what: str) -> None:
        if not self._infer_shape:
            return
        if not self._element_shape.is_compatible_with(shape):
            raise ValueError(f"TensorArray.{what}: the array's elements have shape "
                             f"{self._element_shape}, got a value of shape {shape}")
        self._element_shape = self._element_shape.merge_with(shape)
        if self._probe_of is not None:
            self._probe_of._element_shape = self._element_shape

    def write(self, index, value, name=None) -> TensorArray:
        """Writes ``value`` at ``index``; returns the array to use next."""
        value = self._value(value, "write")
        self._merge_shape(value.shape, "write")
        if self._probe_of is not None:
            return self
        position = _concrete_index(index)
        if self._elements is not None and position is not None:
            self._check_position(position, "write")
            if position >= len(self._elements):
                self._elements.extend([None] * (position + 1 - len(self._elements)))
            self._elements[position] = value
            return self
        buffer = self._grown(self._as_buffer(value.shape), index)
        index = reshape(cast(convert_to_tensor(index), dtypes.int32), [1, 1])
        updated = tensor_scatter_nd_update(buffer, index, expand_dims(value, 0))
        return self._copy(buffer=updated)

    def _check_position(self, position: int, what: str) -> None:
        if position < 0 or (position >= len(self._elements) and not self._dynamic_size):
            raise IndexError(f"TensorArray.{what}: index {position} is out of range for an "
                             f"array of size {len(self._elements)} (pass dynamic_size=True "
                             f"to grow it)")

    def _grown(self, buffer: Tensor, index) -> Tensor:
        if not self._dynamic_size:
            return buffer
        length = shape_op(buffer)[0]
        missing = sub(maximum(length, add(cast(convert_to_tensor(index), dtypes.int32), 1)),
                      length)
        rest = shape_op(buffer)[1:]
        return concat([buffer, zeros(concat([reshape(missing, [1]), rest], 0), self._dtype)], 0)

    def unstack(self, value, name=None) -> TensorArray:
        """Fills the array with the slices of ``value`` along its first axis."""
        value = self._value(value, "unstack")
        if value.shape.rank == 0:
            raise ValueError("TensorArray.unstack: the value must have rank >= 1")
        self._merge_shape(value.shape[1:], "unstack")
        if isinstance(value, SymbolicTensor) or value.shape[0] is None:
            return self._copy(buffer=value)
        return self._copy(elements=list(unstack(value, axis=0)) if value.shape[0] else [])

    def scatter(self, indices, value, name=None) -> TensorArray:
        """Writes ``value[i]`` at ``indices[i]`` for each i."""
        value = self._value(value, "scatter")
        self._merge_shape(value.shape[1:], "scatter")
        if self._probe_of is not None:
            return self
        if not isinstance(indices, SymbolicTensor) and not isinstance(value, SymbolicTensor) \
                and self._elements is not None:
            result = self
            for position, item in zip(np.asarray(indices).reshape(-1), unstack(value, axis=0)):
                result = result.write(int(position), item)
            return result
        indices = cast(convert_to_tensor(indices), dtypes.int32)
        buffer = self._as_buffer(value.shape[1:])
        if self._dynamic_size:
            from fluxion.ops.reduce_ops import reduce_max

            buffer = self._grown(buffer, reduce_max(indices))
        return self._copy(buffer=tensor_scatter_nd_update(buffer, reshape(indices, [-1, 1]),
                                                          value))

    def split(self, value, lengths, name=None) -> TensorArray:
        """Splits ``value`` along its first axis into pieces of ``lengths``."""
        value = self._value(value, "split")
        sizes = [int(n) for n in np.asarray(lengths).reshape(-1)]
        if sum(sizes) != value.shape[0]:
            raise ValueError(f"TensorArray.split: lengths sum to {sum(sizes)} but the value "
                             f"has {value.shape[0]} rows")
        pieces, start = [], 0
        for size in sizes:
            pieces.append(value[start:start + size])
            start += size
        return self._copy(elements=pieces)

    # --- reading ---------------------------------------------------------------------------
    def read(self, index, name=None) -> Tensor:
        """The element at ``index``."""
        if self._probe_of is not None:
            return zeros(self._known_shape("read"), self._dtype)
        position = _concrete_index(index)
        if self._elements is not None and position is not None:
            if not 0 <= position < len(self._elements):
                raise IndexError(f"TensorArray.read: index {position} is out of range for an "
                                 f"array of size {len(self._elements)}")
            element = self._elements[position]
            if element is None:
                return zeros(self._known_shape("read", position), self._dtype)
            return element
        return gather(self._as_buffer(), cast(convert_to_tensor(index), dtypes.int32))

    def gather(self, indices, name=None) -> Tensor:
        """The elements at ``indices``, stacked."""
        if self._elements is not None and not isinstance(indices, SymbolicTensor):
            positions = np.asarray(indices).reshape(-1)
            if positions.size == 0:
                return zeros([0, *self._known_shape("gather")], self._dtype)
            return stack([self.read(int(p)) for p in positions])
        return gather(self._as_buffer(), cast(convert_to_tensor(indices), dtypes.int32))

    def stack(self, name=None) -> Tensor:
        """All elements stacked along a new first axis."""
        if self._probe_of is not None:
            return zeros([0, *self._known_shape("stack")], self._dtype)
        return self._as_buffer()

    def concat(self, name=None) -> Tensor:
        """All elements joined along their first axis (their first dims may differ)."""
        if self._elements is not None and all(e is not None for e in self._elements) \
                and self._elements:
            return concat(self._elements, 0)
        buffer = self._as_buffer()
        if buffer.shape.rank is not None and buffer.shape.rank < 2:
            raise ValueError("TensorArray.concat: elements must have rank >= 1")
        return reshape(buffer, [-1, *_dims(buffer)[2:]])

    def identity(self) -> TensorArray:
        return self

    def close(self, name=None) -> None:
        """Accepted for TF compatibility; nothing to release."""

    def grad(self, source, flow=None, name=None):
        raise TypeError("TensorArray.grad is TF 1's internal gradient plumbing; use "
                        "GradientTape on the values read from the array instead.")

    # --- storage ---------------------------------------------------------------------------
    def _known_shape(self, what: str, position=None) -> list:
        if not self._element_shape.is_fully_defined():
            where = "" if position is None else f" (element {position} was never written)"
            raise ValueError(f"TensorArray.{what}: the element shape is unknown{where}; "
                             f"write elements first or pass element_shape=")
        return self._element_shape.as_list()

    def _as_buffer(self, element_shape=None) -> Tensor:
        """The stacked ``[size, *element_shape]`` tensor of this array."""
        if self._buffer is not None:
            return self._buffer
        if element_shape is not None:
            self._merge_shape(as_shape(element_shape), "write")
        if self._elements is None:
            return zeros(concat([reshape(self._size, [1]),
                                 convert_to_tensor(self._known_shape("stack"),
                                                   dtype=dtypes.int32)], 0), self._dtype)
        if not self._elements:
            shape = self._element_shape.as_list() if self._element_shape.is_fully_defined() \
                else [0]  # TF stacks an empty array of unknown shape as [0, 0]
            return zeros([0, *shape], self._dtype)
        if all(e is not None for e in self._elements):
            return stack(self._elements)
        filler = zeros(self._known_shape("stack"), self._dtype)
        return stack([filler if e is None else e for e in self._elements])


def _dims(tensor: Tensor) -> list:
    return [-1 if d is None else d for d in tensor.shape.as_list()]


class TensorArraySpec(TypeSpec):
    """The spec of a ``TensorArray``: element shape, dtype, dynamic size."""

    _fields = ("element_shape", "dtype", "dynamic_size", "infer_shape")

    def __init__(self, element_shape=None, dtype=dtypes.float32, dynamic_size=False,
                 infer_shape=True):
        self.element_shape = as_shape(element_shape) if element_shape is not None \
            else TensorShape(None)
        self.dtype = dtypes.as_dtype(dtype)
        self.dynamic_size = bool(dynamic_size)
        self.infer_shape = bool(infer_shape)

    @property
    def value_type(self):
        return TensorArray

    @classmethod
    def from_value(cls, value) -> TensorArraySpec:
        return cls(value.element_shape, value.dtype, value.dynamic_size)
