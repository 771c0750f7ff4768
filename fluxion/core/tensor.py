"""``Tensor``: an immutable value wrapping one backend array, and conversion to it.

A Tensor has a single slot, the array.  Its dtype and shape are read from the array
on demand, so wrapping a kernel's result costs one object allocation.  Operators
(``+``, ``@``, indexing...) are installed by ``fluxion.ops.tensor_methods`` because
they are public ops composed from primitives, which live above this module.

Conversion follows TensorFlow: Python floats become float32 and ints int32, NumPy
arrays keep their dtype and are not copied, and a requested ``dtype`` that would lose
information (``1.5`` as int32) is an error rather than a silent truncation.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor_shape import TensorShape


class Tensor:
    """An immutable multi-dimensional array (``tf.Tensor``)."""

    # _attached: a dict of values that packages above the engine attach to a tensor, by
    # name (Keras keeps a layer output's mask there); the engine never reads it.  Unset
    # for most tensors.  Attached values read as attributes (see __getattr__).
    __slots__ = ("_value", "_attached", "__weakref__")
    # NumPy defers to our reflected operators (np_array + tensor -> Tensor).
    __array_priority__ = 100

    def __init__(self, value):
        self._value = value

    def __getattr__(self, name: str):
        # Only reached when normal lookup fails: an attached value reads as an attribute
        # (``output._keras_mask``, as Keras code reads a mask), else the usual error.
        if name != "_attached":
            attached = getattr(self, "_attached", None)
            if attached is not None and name in attached:
                return attached[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def attach(self, name: str, value) -> None:
        """Attaches ``value`` to this tensor under ``name`` (None detaches it).

        For packages above the engine: Keras attaches a layer output's mask as
        ``_keras_mask``.  The value then reads as the attribute ``name``.
        """
        try:
            attached = self._attached
        except AttributeError:
            if value is None:
                return
            attached = self._attached = {}
        if value is None:
            attached.pop(name, None)
        else:
            attached[name] = value

    # --- metadata -----------------------------------------------------------------
    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def dtype(self) -> dtypes.DType:
        return dtypes.from_numpy(self._value.dtype)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def device(self) -> str:
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    @property
    def name(self) -> str:
        raise AttributeError("Tensor.name is meaningless when eager execution is enabled.")

    # --- conversion to Python and NumPy -----------------------------------------------
    def numpy(self):
        """The value as a NumPy array (a scalar for rank 0); shares memory, do not mutate."""
        value = self._value
        return value[()] if value.ndim == 0 else value

    def __array__(self, dtype=None, copy=None):
        if dtype is None:
            return self._value
        return self._value.astype(dtype, copy=bool(copy))

    def __bool__(self) -> bool:
        if self._value.ndim != 0 and self._value.size != 1:
            raise ValueError(
                f"The truth value of a Tensor of shape {tuple(self._value.shape)} is "
                f"ambiguous; reduce it first with fluxion.reduce_any or fluxion.reduce_all.")
        return bool(self._value)

    def __int__(self) -> int:
        return int(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __complex__(self) -> complex:
        return complex(self._value)

    def __index__(self) -> int:
        if not self.dtype.is_integer or self._value.ndim != 0:
            raise TypeError(f"Only scalar integer tensors can be used as an index, got "
                            f"dtype {self.dtype.name} and shape {self.shape}")
        return int(self._value)

    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError("len() of a scalar (rank-0) Tensor is undefined.")
        return self._value.shape[0]

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar (rank-0) Tensor.")
        return (self[i] for i in range(self._value.shape[0]))

    def __hash__(self):
        raise TypeError("Tensor is unhashable (== compares elementwise). "
                        "Use tensor.ref() as a dictionary key instead.")

    def ref(self) -> TensorRef:
        """A hashable reference to this tensor, for use as a dict key or set member."""
        return TensorRef(self)

    def __copy__(self) -> Tensor:
        return self  # immutable

    def __deepcopy__(self, memo) -> Tensor:
        return Tensor(self._value.copy())

    def __reduce__(self):
        return (_rebuild, (self._value,))

    # --- display ----------------------------------------------------------------------
    def __repr__(self) -> str:
        return (f"<tf.Tensor: shape={_shape_text(self._value.shape)}, "
                f"dtype={self.dtype.name}, numpy={numpy_text(self._value)}>")

    def __str__(self) -> str:
        return (f"tf.Tensor({np.array2string(self._value)}, "
                f"shape={_shape_text(self._value.shape)}, dtype={self.dtype.name})")

    def __format__(self, spec: str) -> str:
        if self._value.ndim == 0:
            return format(self._value[()], spec)
        return format(str(self), spec)


def numpy_text(value: np.ndarray) -> str:
    """The ``numpy=`` part of a TF-style repr: a scalar as Python shows it, else the array."""
    if value.ndim == 0 and value.dtype != object:
        return repr(value[()].item())
    body = repr(value)
    return "\n" + body if "\n" in body else body


def _rebuild(value) -> Tensor:
    return Tensor(value)


def _shape_text(shape: tuple) -> str:
    return f"({shape[0]},)" if len(shape) == 1 else str(tuple(shape))


class TensorRef:
    """Hashable identity reference to a tensor or variable (``tensor.ref()``)."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        return self._obj

    def __repr__(self) -> str:
        name = getattr(self._obj, "name", None) if hasattr(self._obj, "_read_for_op") else None
        return f"<ref {name}>" if name else f"<ref {type(self._obj).__name__}>"

    def __hash__(self) -> int:
        return id(self._obj)

    def __eq__(self, other) -> bool:
        return isinstance(other, TensorRef) and other._obj is self._obj


def shape_tuple(tensor) -> tuple:
    """The shape as a plain tuple (entries may be None for traced tensors); cheap."""
    value = getattr(tensor, "_value", None)
    if value is not None:
        return value.shape
    return tuple(tensor.shape)


def wrap(array) -> Tensor:
    """Wraps a kernel result; NumPy scalars become 0-d arrays so every value is an ndarray."""
    if type(array) is not np.ndarray:
        array = np.asarray(array)
    return Tensor(array)


# --- conversion -------------------------------------------------------------------------
_DEFAULT_PY = {float: np.float32, int: np.int32, bool: np.bool_, complex: np.complex128}


# (priority, type, function) entries of register_tensor_conversion_function, sorted.
CONVERSION_FUNCTIONS: list = []


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """Converts ``value`` (Tensor, Variable, NumPy array, nested list, scalar) to a Tensor.

    Args:
      value: what to convert.  NumPy arrays are wrapped without a copy.
      dtype: the required dtype; a value that cannot be represented in it exactly
        (``1.5`` as ``int32``) raises ``TypeError``.
      dtype_hint: a preferred dtype for Python values, used only when it fits.

    Returns:
      A ``Tensor``.

    >>> convert_to_tensor([1.0, 2.0]).dtype
    tf.float32
    """
    if isinstance(value, Tensor):
        if dtype is not None and dtypes.as_dtype(dtype) is not value.dtype:
            raise TypeError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} "
                            f"for a Tensor of dtype {value.dtype.name}; use fluxion.cast.")
        return value
    read = getattr(value, "_read_for_op", None)
    if read is not None:  # a Variable, or anything that reads like one
        return convert_to_tensor(read(), dtype=dtype)
    if CONVERSION_FUNCTIONS:  # user types registered with register_tensor_conversion_function
        for _, base, function in CONVERSION_FUNCTIONS:
            if isinstance(value, base):
                result = function(value, dtype=dtype, name=name, as_ref=False)
                if result is not NotImplemented:
                    return convert_to_tensor(result, dtype=dtype)
    target = dtypes.as_dtype(dtype) if dtype is not None else None
    if isinstance(value, np.ndarray):
        return _from_ndarray(value, target)
    if isinstance(value, np.generic):
        return _from_ndarray(np.asarray(value), target)
    if hasattr(value, "__array__") and not isinstance(value, (list, tuple, str, bytes)):
        # Array-likes (pandas Series, DataFrame columns...) convert as their NumPy arrays,
        # keeping the dtype as TensorFlow does; pandas' string columns become strings.
        array = np.asarray(value)
        if array.dtype != object or all(isinstance(v, (str, bytes))
                                        for v in array.reshape(-1).tolist()):
            if array.dtype == object and array.size:
                array = np.vectorize(_as_bytes, otypes=[object])(array)
            return _from_ndarray(array, target)
    if target is None and dtype_hint is not None:
        try:
            return convert_to_tensor(value, dtype=dtype_hint)
        except (TypeError, ValueError):
            pass
    return _from_python(value, target)


def _from_ndarray(array: np.ndarray, target) -> Tensor:
    if array.dtype.kind in "US":
        array = array.astype(object)
        array[...] = np.vectorize(_as_bytes, otypes=[object])(array) if array.size else array
    if target is None or target.np_dtype == array.dtype:
        if target is None and not dtypes.knows_numpy_dtype(array.dtype):
            raise TypeError(f"Cannot convert an array of dtype {array.dtype} to a Tensor")
        return Tensor(array)
    return Tensor(_cast_checked(array, target))


def _unset_packer(tensors: list) -> Tensor:
    raise RuntimeError("convert_to_tensor packs lists of tensors with tf.stack, which "
                       "fluxion.core.primitives.shape installs; import fluxion.core first")


# Lists holding tensors pack as ``tf.stack``.  ``stack`` is a composite of the shape
# primitives, which are built on ``Tensor``, so the shape family installs it here when it
# is defined (``set_tensor_list_packer``) instead of this module importing it.
_pack_tensor_list = _unset_packer


def set_tensor_list_packer(pack) -> None:
    """Makes ``convert_to_tensor([t1, t2, ...])`` call ``pack(list_of_tensors)``."""
    global _pack_tensor_list
    _pack_tensor_list = pack


def _from_python(value, target) -> Tensor:
    if isinstance(value, (list, tuple)) and _contains_tensors(value):
        return _pack_tensor_list([convert_to_tensor(v, dtype=target) for v in value])
    if isinstance(value, (str, bytes)) or _is_string_list(value):
        if target is not None and target is not dtypes.string:
            raise TypeError(f"Cannot convert {value!r} to a Tensor of dtype {target.name}")
        array = np.asarray(value, dtype=object)
        if array.ndim == 0:
            array = np.asarray(_as_bytes(value), dtype=object)
        else:
            array = np.vectorize(_as_bytes, otypes=[object])(array)
        return Tensor(array)
    try:
        array = np.asarray(value)
    except ValueError as error:
        raise ValueError(f"Cannot convert {_short(value)} to a Tensor: the nested lists "
                         f"must be rectangular ({error})") from None
    if array.dtype == object:
        raise TypeError(f"Cannot convert {_short(value)} (of type {type(value).__name__}) "
                        f"to a Tensor.")
    if (array.dtype.kind == "u" and array.size and int(array.max()) > 2**63 - 1) or (
            array.dtype.kind == "f" and array.size and np.abs(array).max() >= 2**63
            and _holds_int(value)):
        # NumPy keeps Python ints of 2**63 and more as uint64 or float64: TF refuses them
        # (int64 is its widest integer) rather than wrap them into int32.
        raise ValueError(f"Can't convert Python sequence with out-of-range integer to Tensor: "
                         f"{_short(value)} holds an integer outside int64's range.")
    if target is None:
        kind = array.dtype.kind
        default = {"f": np.float32, "i": np.int32, "u": np.int32, "b": np.bool_,
                   "c": np.complex128}.get(kind)
        if kind in "iu" and array.size and (array.max() > 2**31 - 1 or array.min() < -2**31):
            default = np.int64
        if kind == "f" and isinstance(value, (list, tuple)):
            # NumPy floats inside the list keep their precision, as TF keeps them
            default = _numpy_float_dtype(value) or default
        return Tensor(array.astype(default, copy=False))
    return Tensor(_cast_checked(array, target, python_value=value))


def _numpy_float_dtype(value):
    """The widest NumPy float dtype among a Python sequence's NumPy items, or None."""
    found = None
    for item in value:
        if isinstance(item, (list, tuple)):
            inner = _numpy_float_dtype(item)
        elif isinstance(item, (np.ndarray, np.generic)) and item.dtype.kind == "f":
            inner = item.dtype
        else:
            continue
        if inner is not None:
            found = inner if found is None else np.promote_types(found, inner)
    return found


def _holds_int(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_holds_int(item) for item in value)
    return isinstance(value, int) and not isinstance(value, bool)


def _cast_checked(array: np.ndarray, target: dtypes.DType, python_value=None) -> np.ndarray:
    """Casts ``array`` to ``target`` if no value changes; else a TypeError as TF gives."""
    shown = python_value if python_value is not None else array
    if target is dtypes.string:
        raise TypeError(f"Cannot convert {_short(shown)} to a string Tensor")
    if target.is_bool and array.dtype.kind != "b":
        raise TypeError(f"Cannot convert {_short(shown)} to a bool Tensor; use "
                        f"fluxion.cast(x, fluxion.bool) to compare with zero explicitly.")
    if array.dtype.kind == "b" and not target.is_bool and python_value is None:
        raise TypeError(f"Cannot convert a bool array to dtype {target.name}; use fluxion.cast")
    with np.errstate(all="ignore"):
        result = array.astype(target.np_dtype)
    if array.size and array.dtype.kind in "fc" and target.is_integer:
        lossy = not np.array_equal(result, array)
    elif array.size and array.dtype.kind in "iu" and (target.is_integer or target.is_bool):
        lossy = not np.array_equal(result.astype(array.dtype), array)
    elif array.dtype.kind == "c" and not target.is_complex:
        lossy = bool(np.any(array.imag))
    else:
        lossy = False
    if lossy:
        raise TypeError(f"Cannot convert {_short(shown)} to a Tensor of dtype {target.name} "
                        f"without changing its value; use fluxion.cast to convert explicitly.")
    return result


def _contains_tensors(value) -> bool:
    for item in value:
        if isinstance(item, Tensor) or hasattr(item, "_read_for_op"):
            return True
        if isinstance(item, (list, tuple)) and _contains_tensors(item):
            return True
    return False


def _is_string_list(value) -> bool:
    while isinstance(value, (list, tuple)) and value:
        value = value[0]
    return isinstance(value, (str, bytes))


def _as_bytes(item):
    return item.encode("utf-8") if isinstance(item, str) else item


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    """Creates a constant tensor from a Python value or NumPy array (``tf.constant``).

    Args:
      value: a scalar, nested list, NumPy array or Tensor.
      dtype: the element type; Python values are cast to it when no value changes.
      shape: optional target shape; a scalar is broadcast to it, a value with the same
        number of elements is reshaped.

    >>> constant([[1, 2], [3, 4]]).shape
    TensorShape([2, 2])
    """
    if isinstance(value, Tensor) or hasattr(value, "_read_for_op"):
        tensor = convert_to_tensor(value)
        if dtype is not None and dtypes.as_dtype(dtype) is not tensor.dtype:
            tensor = Tensor(tensor._value.astype(dtypes.as_dtype(dtype).np_dtype))
    elif dtype is not None and isinstance(value, (np.ndarray, np.generic)):
        tensor = Tensor(np.asarray(value).astype(dtypes.as_dtype(dtype).np_dtype))
    else:
        tensor = convert_to_tensor(value, dtype=dtype)
    if shape is None:
        return tensor
    shape = tuple(TensorShape(shape).as_list())
    array = tensor._value
    if array.shape == shape:
        return tensor
    if array.size == 1:
        return Tensor(np.broadcast_to(array.reshape(()), shape).copy())
    if array.size == int(np.prod(shape)):
        return Tensor(array.reshape(shape))
    raise TypeError(f"Expected a value with {int(np.prod(shape))} elements for shape {shape}, "
                    f"got {array.size} elements of shape {array.shape}")


def is_tensor(value) -> bool:
    """True for Tensors and Variables (``tf.is_tensor``)."""
    return isinstance(value, Tensor) or hasattr(value, "_read_for_op")
