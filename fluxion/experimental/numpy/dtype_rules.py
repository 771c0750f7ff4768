"""The dtypes of ``tf.experimental.numpy``: NumPy's type objects, promotion, and defaults.

TensorFlow's NumPy layer follows NumPy's promotion (``np.result_type``) with one
setting of its own: the *default float type*.  Python floats and functions that make
floats from integers (``sin(int32)``, ``mean(int32)``) give float64, as NumPy does,
unless ``experimental_enable_numpy_behavior(prefer_float32=True)`` asks for float32.

Python scalars, and lists of them, are *weak*: ``add(float32_tensor, 1.0)`` and
``add(float32_tensor, [1.0, 2.0])`` stay float32 (TensorFlow's rule; NumPy 2 has it for
scalars only), while a tensor's or array's own dtype always counts.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes as _dtypes

# NumPy's type objects, as tnp exports them.
bool_ = np.bool_
int8, int16, int32, int64 = np.int8, np.int16, np.int32, np.int64
uint8, uint16, uint32, uint64 = np.uint8, np.uint16, np.uint32, np.uint64
float16, float32, float64 = np.float16, np.float32, np.float64
complex64, complex128 = np.complex64, np.complex128
float_, int_, complex_ = np.float64, np.int64, np.complex128
object_, string_, unicode_ = np.object_, np.bytes_, np.str_
inexact = np.inexact

# Constants.
e, pi, inf = np.e, np.pi, np.inf
newaxis = None

iinfo = np.iinfo
issubdtype = np.issubdtype

_settings = {"prefer_float32": False}


def set_prefer_float32(prefer: bool) -> None:
    """Makes the default float type float32 (True) or float64 (False, NumPy's)."""
    _settings["prefer_float32"] = bool(prefer)


def default_float_type() -> np.dtype:
    """float64, or float32 after ``enable_numpy_behavior(prefer_float32=True)``."""
    return np.dtype(np.float32 if _settings["prefer_float32"] else np.float64)


def finfo(dtype) -> np.finfo:
    """Machine limits of a float dtype (``np.finfo``); accepts Fluxion dtypes too.

    Example: ``finfo("float32").eps`` is ``1.1920929e-07``.
    """
    return np.finfo(numpy_dtype(dtype))


def numpy_dtype(dtype) -> np.dtype:
    """A NumPy dtype from a NumPy type, a string, a Fluxion ``DType`` or a Python type.

    ``float`` means the default float type, as in TensorFlow's NumPy layer.
    """
    if isinstance(dtype, _dtypes.DType):
        return np.dtype(dtype.as_numpy_dtype)
    if dtype is float:
        return default_float_type()
    if dtype is int:
        return np.dtype(np.int64)
    if dtype is complex:
        return np.dtype(np.complex128)
    if dtype is bool:
        return np.dtype(np.bool_)
    if hasattr(dtype, "as_numpy_dtype"):
        return np.dtype(dtype.as_numpy_dtype)
    return np.dtype(dtype)


def _promotion_operand(value):
    """What ``np.result_type`` should see for one argument: a dtype or a weak scalar."""
    if isinstance(value, (bool, int, float, complex)) and not isinstance(value, np.generic):
        return value
    if isinstance(value, (type, str, np.dtype, _dtypes.DType)):
        return numpy_dtype(value)
    dtype = getattr(value, "dtype", None)
    if dtype is not None:
        return numpy_dtype(dtype)
    if isinstance(value, (list, tuple)):
        return _weak_list_operand(value)
    return numpy_dtype(value)


def _python_scalars(value):
    """The Python scalars of a nested list, or None if it holds anything else."""
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            inner = _python_scalars(item)
            if inner is None:
                return None
            items.extend(inner)
        return items
    if isinstance(value, (bool, int, float, complex)) and not isinstance(value, np.generic):
        return [value]
    return None


def _weak_list_operand(value):
    """A nested list of Python scalars is weak, like a Python scalar of its widest kind
    (TF's rule: ``add(float32_tensor, [1.0, 2.0])`` stays float32); other lists count
    with the dtype NumPy gives them."""
    scalars = _python_scalars(value)
    if scalars is None:
        return np.asarray(value).dtype
    if not scalars:
        return default_float_type()
    for kind, weak in ((complex, 0j), (float, 0.0), (int, 0)):
        if any(isinstance(s, kind) and not isinstance(s, bool) for s in scalars):
            return weak
    return False


def result_type(*arrays_and_dtypes) -> np.dtype:
    """The dtype NumPy's promotion gives these arrays, dtypes and (weak) Python scalars.

    Example: ``result_type(int32_tensor, 2.5)`` is float64; ``result_type(1, 2.0)`` too.
    """
    operands = [_promotion_operand(value) for value in arrays_and_dtypes]
    if all(isinstance(op, (bool, int, float, complex)) for op in operands):
        operands = [np.asarray(op).dtype for op in operands]
    dtype = np.result_type(*operands)
    if dtype == np.float64 and _settings["prefer_float32"] and not any(
            isinstance(op, np.dtype) and op == np.float64 for op in operands):
        return np.dtype(np.float32)
    return dtype


def promote_types(type1, type2) -> np.dtype:
    """The smallest dtype both types cast to safely (``np.promote_types``)."""
    return np.promote_types(numpy_dtype(type1), numpy_dtype(type2))


def float_result_type(dtype) -> np.dtype:
    """``dtype`` when it is inexact, else the default float type (``sin(int)``)."""
    dtype = numpy_dtype(dtype)
    return dtype if np.issubdtype(dtype, np.inexact) else default_float_type()
