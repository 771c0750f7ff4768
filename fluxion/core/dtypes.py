"""Data types with TensorFlow's names, and the promotion rule of ``fluxion.*``.

A ``DType`` is a thin, interned wrapper around a NumPy dtype: ``fluxion.float32`` is
the one object for 32-bit floats, so dtype checks are identity checks on the hot path.
``bfloat16`` exists only when the optional ``ml_dtypes`` package is installed, which is
imported when bfloat16 is first used.

Promotion follows TensorFlow, not NumPy: two tensors of different dtypes never mix
silently (see ``binary_result_dtype``); Python scalars adapt to the tensor's dtype.
"""

from __future__ import annotations

import importlib.util

import numpy as np


class DType:
    """A tensor element type, named as in TensorFlow (``fluxion.float32``...)."""

    __slots__ = ("name", "np_dtype", "_kind")

    def __init__(self, name: str, np_dtype):
        self.name = name
        self.np_dtype = np.dtype(np_dtype) if np_dtype is not None else None
        self._kind = self.np_dtype.kind if self.np_dtype is not None else "U"

    # --- classification -------------------------------------------------------
    @property
    def is_floating(self) -> bool:
        return self._kind == "f" or self.name == "bfloat16"

    @property
    def is_complex(self) -> bool:
        return self._kind == "c"

    @property
    def is_integer(self) -> bool:
        return self._kind in "iu"

    @property
    def is_unsigned(self) -> bool:
        return self._kind == "u"

    @property
    def is_quantized(self) -> bool:
        return self.name.startswith(("qint", "quint"))

    @property
    def is_bool(self) -> bool:
        return self._kind == "b"

    @property
    def is_numeric(self) -> bool:
        return self._kind in "iufc" or self.name == "bfloat16"

    @property
    def is_differentiable(self) -> bool:
        """Whether gradients flow through values of this dtype (floats and complex)."""
        return self.is_floating or self.is_complex

    @property
    def base_dtype(self) -> DType:
        return self

    @property
    def as_numpy_dtype(self):
        return self.np_dtype.type

    @property
    def size(self) -> int:
        return self.np_dtype.itemsize

    @property
    def min(self):
        return _limits(self).min

    @property
    def max(self):
        return _limits(self).max

    @property
    def real_dtype(self) -> DType:
        if self.name == "complex64":
            return float32
        if self.name == "complex128":
            return float64
        return self

    def is_compatible_with(self, other) -> bool:
        return as_dtype(other) is self

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: '{self.name}'>"

    def __reduce__(self):
        return (as_dtype, (self.name,))

    def __eq__(self, other) -> bool:
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __hash__(self) -> int:
        return hash(self.name)


def _limits(dtype: DType):
    if dtype.is_floating:
        return np.finfo(dtype.np_dtype)
    if dtype.is_integer:
        return np.iinfo(dtype.np_dtype)
    if dtype.is_bool:
        return _BoolLimits
    raise TypeError(f"dtype {dtype.name} has no min/max")


class _BoolLimits:
    min = False
    max = True


float16 = DType("float16", np.float16)
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
uint32 = DType("uint32", np.uint32)
uint64 = DType("uint64", np.uint64)
bool_ = DType("bool", np.bool_)
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)
# Strings are stored as NumPy object arrays of ``bytes``, as TensorFlow returns them.
string = DType("string", np.object_)
string._kind = "S"

half = float16
double = float64

_ALL = [float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32,
        uint64, bool_, complex64, complex128, string]

_NP_DTYPE_SLOT = DType.__dict__["np_dtype"]


class _DeferredDType(DType):
    """A dtype whose NumPy type comes from an optional package, imported on first use.

    ``ml_dtypes`` (bfloat16) takes longer to import than the rest of ``import fluxion``
    together, and most programs never use bfloat16; the ``DType`` exists from the start
    (``tf.bfloat16``, dtype checks by identity), its NumPy type when first asked for.
    """

    __slots__ = ("_load",)

    def __init__(self, name: str, load):
        self.name, self._kind, self._load = name, "f", load
        _NP_DTYPE_SLOT.__set__(self, None)

    @property
    def np_dtype(self):
        value = _NP_DTYPE_SLOT.__get__(self)
        if value is None:
            value = np.dtype(self._load())
            _NP_DTYPE_SLOT.__set__(self, value)
            _BY_NP[value] = self
        return value


def _ml_dtypes_bfloat16():
    import ml_dtypes

    return ml_dtypes.bfloat16


# bfloat16 only through the optional ml_dtypes package (found now, imported when used).
bfloat16 = _DeferredDType("bfloat16", _ml_dtypes_bfloat16) \
    if importlib.util.find_spec("ml_dtypes") is not None else None
if bfloat16 is not None:
    _ALL.append(bfloat16)

# Quantized integers and the handle types exist as names (``as_dtype("qint8")``,
# ``DType.is_quantized``); NumPy arrays never map to them.
qint8 = DType("qint8", np.int8)
quint8 = DType("quint8", np.uint8)
qint16 = DType("qint16", np.int16)
quint16 = DType("quint16", np.uint16)
qint32 = DType("qint32", np.int32)
resource = DType("resource", np.object_)
variant = DType("variant", np.object_)
resource._kind = variant._kind = "V"
QUANTIZED_DTYPES = frozenset({qint8, quint8, qint16, quint16, qint32})

_BY_NAME = {d.name: d for d in _ALL + sorted(QUANTIZED_DTYPES, key=lambda d: d.name)
            + [resource, variant]}
_BY_NAME.update({"half": float16, "double": float64, "float": float32, "int": int32,
                 "bool_": bool_})
_BY_NP = {d.np_dtype: d for d in _ALL if d is not string and not isinstance(d, _DeferredDType)}
_BY_NP[np.dtype(np.object_)] = string
_BY_NP[np.dtype(np.str_)] = string
_BY_NP[np.dtype(np.bytes_)] = string
_BY_PY = {float: float32, int: int32, bool: bool_, complex: complex128, str: string,
          bytes: string}


def as_dtype(value) -> DType:
    """Converts a name, NumPy dtype, Python type or ``DType`` to a ``DType``.

    >>> as_dtype("float32") is float32
    True
    """
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        found = _BY_NAME.get(value)
        if found is not None:
            return found
        if value == "bfloat16":
            raise TypeError("bfloat16 needs the optional 'ml_dtypes' package: "
                            "pip install ml_dtypes")
    if value in _BY_PY:
        return _BY_PY[value]
    dtype_attr = getattr(value, "dtype", None)
    if isinstance(dtype_attr, DType):  # a Tensor or Variable
        return dtype_attr
    try:
        np_dtype = np.dtype(value)
    except TypeError:
        np_dtype = None
    if np_dtype is not None:
        if np_dtype.kind in "US":
            return string
        found = _BY_NP.get(np_dtype)
        if found is not None:
            return found
        if bfloat16 is not None and np_dtype.name == "bfloat16" and \
                bfloat16.np_dtype == np_dtype:  # first use, from an ml_dtypes array
            return bfloat16
    raise _unknown(value)


def knows_numpy_dtype(np_dtype) -> bool:
    """Whether arrays of ``np_dtype`` make tensors (a first bfloat16 array registers it)."""
    if np_dtype in _BY_NP:
        return True
    return bfloat16 is not None and np_dtype.name == "bfloat16" and \
        bfloat16.np_dtype == np_dtype


def _unknown(value) -> TypeError:
    return TypeError(f"Cannot convert {value!r} to a fluxion dtype; expected one of "
                     f"{sorted(d.name for d in _ALL)}")


def from_numpy(np_dtype) -> DType:
    """The ``DType`` of a NumPy dtype; fast path used by every tensor."""
    found = _BY_NP.get(np_dtype)
    if found is None:
        return as_dtype(np_dtype)
    return found


def binary_result_dtype(op_name: str, a: DType, b: DType) -> DType:
    """TensorFlow's rule: both operands must already share one dtype."""
    if a is b:
        return a
    from fluxion.core.errors import DTypeMismatchError, op_error

    raise op_error(
        DTypeMismatchError, op_name,
        f"both inputs must have the same dtype, got {a.name} and {b.name}. Fluxion, like "
        f"TensorFlow, does not promote tensors silently; convert one side first, e.g. "
        f"fluxion.cast(y, fluxion.{a.name}).")
