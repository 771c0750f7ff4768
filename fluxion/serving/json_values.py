"""JSON values <-> NumPy arrays, by TensorFlow Serving's rules.

Requests may hold ``NaN``, ``Infinity`` and ``-Infinity`` (Python's ``json`` reads
them), binary strings as ``{"b64": "..."}``, and nested lists that must be dense.  Each
leaf must have the JSON type the tensor's dtype calls for (a number for floats, an
integer for ints, ``true``/``false`` for bools, a string or b64 object for strings); a
mismatch is an INVALID_ARGUMENT error worded as TensorFlow Serving words it.

Responses write floats as TensorFlow Serving does: the short ``%g`` form when it reads
back to the same value, else full precision, with ``.0`` added to whole numbers, and
``NaN`` / ``Infinity`` / ``-Infinity`` for the special values.
"""

from __future__ import annotations

import base64
import binascii
import json

import numpy as np

from fluxion.serving.errors import invalid_argument

B64_KEY = "b64"
BYTES_SUFFIX = "_bytes"

# TensorFlow's DataTypeString names for the dtypes whose Fluxion name differs.
_TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}
_FLOAT32_MAX = float(np.finfo(np.float32).max)
_INF = float("inf")
_FLOAT_KINDS = {"float16", "bfloat16", "float32", "float64"}
_INT_RANGES = {
    "int8": (-(2**31), 2**31 - 1), "int16": (-(2**31), 2**31 - 1),
    "int32": (-(2**31), 2**31 - 1), "uint8": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1), "uint32": (0, 2**32 - 1), "uint64": (0, 2**64 - 1),
    "uint16": (0, 2**32 - 1),
}


def tf_type_name(dtype_name: str) -> str:
    """TensorFlow's name of a dtype in messages (``float`` for float32...)."""
    return _TF_TYPE_NAMES.get(dtype_name, dtype_name)


def json_type_name(value) -> str:
    if value is None:
        return "Null"
    if value is True:
        return "True"
    if value is False:
        return "False"
    if isinstance(value, dict):
        return "Object"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, str):
        return "String"
    return "Number"


def json_text(value) -> str:
    """A JSON value as text, for error messages."""
    return json.dumps(value, indent=4, allow_nan=True)


def is_b64_object(value) -> bool:
    """``{"b64": "<string>"}`` and nothing else."""
    return (isinstance(value, dict) and len(value) == 1
            and isinstance(value.get(B64_KEY), str))


def decode_b64(value) -> bytes:
    if not is_b64_object(value):
        raise invalid_argument(f"JSON Value: {json_text(value)} not formatted correctly "
                               "for base64 data")
    text = value[B64_KEY]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        try:  # TF Serving also accepts the URL-safe alphabet and missing padding
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise invalid_argument("Unable to base64 decode") from None


def dense_shape(value) -> list[int]:
    """The shape of a nested list, read along its first elements."""
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return shape


def _type_error(value, dtype_name: str):
    return invalid_argument(f"JSON Value: {json_text(value)} Type: {json_type_name(value)} "
                            f"is not of expected type: {tf_type_name(dtype_name)}")


def _lossy_error(value, target: str):
    return invalid_argument(f"Cannot convert JSON value: {json_text(value)} to {target} "
                            "without loss of precision.")


def _check_leaf(value, dtype_name: str):
    """Raises the TF Serving error for one leaf of the wrong JSON type."""
    kind = type(value)
    if dtype_name in _FLOAT_KINDS:
        if kind is bool or kind not in (int, float):
            raise _type_error(value, dtype_name)
        if dtype_name != "float64":
            limit = 2**24 - 1
            if kind is int and abs(value) > limit:
                raise _lossy_error(value, "float")
            if kind is float and abs(value) > _FLOAT32_MAX and abs(value) != float("inf"):
                raise _lossy_error(value, "float")
        elif kind is int and abs(value) > 2**53 - 1:
            raise _lossy_error(value, "double")
    elif dtype_name == "bool":
        if kind is not bool:
            raise _type_error(value, dtype_name)
    elif dtype_name == "string":
        if kind is dict:
            decode_b64(value)
        elif kind is not str:
            raise _type_error(value, dtype_name)
    elif dtype_name in _INT_RANGES:
        low, high = _INT_RANGES[dtype_name]
        if kind is not int or not low <= value <= high:
            raise _type_error(value, dtype_name)
    else:
        raise invalid_argument(f"Conversion of JSON Value: {json_text(value)} to type: "
                               f"{tf_type_name(dtype_name)} is not supported")


_ALLOWED_LEAF_TYPES = {"bool": {bool}, "string": {str}}


def _check_leaves(values: list, dtype_name: str) -> None:
    """Checks a list of leaves quickly; the slow per-leaf check finds the culprit."""
    types = set(map(type, values))
    if dtype_name in _FLOAT_KINDS:
        fine = types <= {int, float}
        if fine and values and dtype_name != "float64":
            # Below 2**24 every int and float fits a float32; NaN, inf and larger values
            # (rare) take the exact per-leaf check.
            largest = max(map(abs, values))
            fine = largest <= 2**24 - 1
    elif dtype_name in _INT_RANGES:
        low, high = _INT_RANGES[dtype_name]
        fine = types <= {int} and (not values or low <= min(values) and max(values) <= high)
    else:
        fine = types <= _ALLOWED_LEAF_TYPES.get(dtype_name, set())
    if not fine:
        for value in values:
            _check_leaf(value, dtype_name)


def _check_dense(value, level: int, shape: list[int], dtype_name: str) -> None:
    rank = len(shape)
    if not isinstance(value, list):
        if level != rank:
            raise invalid_argument(f"JSON Value: {json_text(value)} found at incorrect level: "
                                   f"{level + 1} in the JSON DOM. Expected at level: {rank}")
        _check_leaf(value, dtype_name)
        return
    if level >= rank:
        raise invalid_argument(f"Encountered list at unexpected level: {level} "
                               f"expected < {rank}")
    if len(value) != shape[level]:
        raise invalid_argument(f"Encountered list at unexpected size: {len(value)} at level: "
                               f"{level} expected size: {shape[level]}")
    if level == rank - 1:
        if list in set(map(type, value)):
            for v in value:
                _check_dense(v, level + 1, shape, dtype_name)
        _check_leaves(value, dtype_name)
        return
    for v in value:
        _check_dense(v, level + 1, shape, dtype_name)


def checked_shape(value, dtype_name: str) -> list[int]:
    """Checks that ``value`` is a dense nested list of ``dtype_name`` leaves; its shape."""
    shape = dense_shape(value)
    _check_dense(value, 0, shape, dtype_name)
    return shape


def _flatten(value, out: list) -> list:
    if isinstance(value, list):
        for v in value:
            _flatten(v, out)
    else:
        out.append(value)
    return out


def to_array(value, dtype_name: str, np_dtype) -> np.ndarray:
    """An already-checked JSON value as an array of ``np_dtype``."""
    if dtype_name == "string":
        leaves = [decode_b64(v) if isinstance(v, dict) else v.encode("utf-8")
                  for v in _flatten(value, [])]
        array = np.empty(len(leaves), dtype=object)
        array[:] = leaves
        return array.reshape(dense_shape(value))
    return np.array(value, dtype=np_dtype)


def tensor_from_json(value, dtype_name: str, np_dtype) -> np.ndarray:
    """A JSON value (scalar or dense nested list) as an array of ``dtype_name``."""
    checked_shape(value, dtype_name)
    return to_array(value, dtype_name, np_dtype)


# --- responses ------------------------------------------------------------------

def _float_strings(flat: np.ndarray) -> list[str]:
    """TF Serving's text for each float: ``%g`` if it reads back exactly, else full."""
    values = flat.tolist()
    short = list(map("{:g}".format, values))
    with np.errstate(over="ignore", invalid="ignore"):
        back = np.array(list(map(float, short))).astype(flat.dtype, copy=False)
    exact = (back == flat).tolist()
    full_digits = "{:.17g}" if flat.dtype == np.float64 else "{:.9g}"
    out = []
    for text, value, ok in zip(short, values, exact):
        if not ok:
            if value != value:
                out.append("NaN")
                continue
            text = full_digits.format(value)
        if value in (_INF, -_INF):
            out.append("Infinity" if value > 0 else "-Infinity")
            continue
        if "." not in text and "e" not in text:
            text += ".0"
        out.append(text)
    return out


def _leaf_strings(array: np.ndarray, as_b64: bool) -> list[str]:
    flat = array.reshape(-1)
    kind = flat.dtype.kind
    if kind == "f":
        if flat.dtype not in (np.float32, np.float64):
            flat = flat.astype(np.float32)
        return _float_strings(flat)
    if kind == "b":
        return ["true" if v else "false" for v in flat.tolist()]
    if kind in "iu":
        return [str(v) for v in flat.tolist()]
    if kind in "OSU":
        out = []
        for v in flat.tolist():
            raw = v if isinstance(v, bytes) else str(v).encode("utf-8")
            if as_b64:
                out.append('{"b64": "' + base64.b64encode(raw).decode("ascii") + '"}')
            else:
                out.append(json.dumps(raw.decode("utf-8", errors="replace"),
                                      ensure_ascii=False))
        return out
    raise invalid_argument(f"Failed to write JSON value for tensor type: {flat.dtype}")


def _nest(strings: list[str], shape: tuple, start: int = 0) -> tuple[str, int]:
    if not shape:
        return strings[start], start + 1
    if len(shape) == 1:
        end = start + shape[0]
        return "[" + ", ".join(strings[start:end]) + "]", end
    parts = []
    for _ in range(shape[0]):
        text, start = _nest(strings, shape[1:], start)
        parts.append(text)
    return "[" + ", ".join(parts) + "]", start


def array_json(array: np.ndarray, as_b64: bool = False) -> str:
    """The whole array as JSON text (a scalar, or nested lists)."""
    return _nest(_leaf_strings(array, as_b64), array.shape)[0]


def rows_json(array: np.ndarray, as_b64: bool = False) -> list[str]:
    """One JSON text per row (along the first dimension) of ``array``."""
    strings = _leaf_strings(array, as_b64)
    texts, start = [], 0
    for _ in range(array.shape[0]):
        text, start = _nest(strings, array.shape[1:], start)
        texts.append(text)
    return texts
