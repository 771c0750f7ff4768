"""Primitive attributes to JSON and back, for a closed set of types only.

A node's attributes are plain data: numbers, strings, booleans, None, tuples, lists
and dicts of them, dtypes, slices, NumPy scalars and arrays, and three references:
a nested graph (``SubGraph``, the branches of ``cond`` and the bodies of ``while``),
a variable (``TensorRef``), an array (kept with the graph's constants, not in the
JSON), a run-time shape check (``ShapeCheck``: a check's name and parameters), and
Fluxion's own ``tf.train.Example`` protobuf classes (by their full name).
Each becomes JSON that names its type:

    3 -> 3                   (1, 2) -> {"tuple": [1, 2]}
    "SAME" -> "SAME"         float32 -> {"dtype": "float32"}
    nan -> {"float": "nan"}  slice(1, None) -> {"slice": [1, null, null]}

Anything else (a Python function, an object) cannot be saved, and saving says which
primitive and attribute hold it.  Decoding accepts only these forms: a JSON object
with an unknown tag, a tag with a payload of the wrong type, or a reference to an
unknown constant, variable or graph is a ``SavedModelError`` naming where it is.
Nothing in a file is ever looked up as Python code.
"""

from __future__ import annotations

import base64
import inspect
import math

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitives.runtime_check import CHECKS, ShapeCheck
from fluxion.core.tensor import TensorRef

MAX_DEPTH = 64  # nesting of attribute values (tuples of tuples...), files included

_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class UnsavableAttribute(TypeError):
    """An attribute value of a type the format does not hold."""


# --- encoding --------------------------------------------------------------------------------
def encode(value, context, depth: int = 0):
    """``value`` as JSON data.  ``context`` stores arrays, numbers variables, encodes graphs:
    ``add_constant(array) -> key``, ``variable_index(variable) -> int``,
    ``encode_graph(graph) -> dict``."""
    if depth > MAX_DEPTH:
        raise UnsavableAttribute(f"nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float) and not isinstance(value, np.floating):
        return value if math.isfinite(value) else {"float": _non_finite_name(value)}
    if isinstance(value, complex):
        return {"complex": [encode(value.real, context), encode(value.imag, context)]}
    if isinstance(value, bytes):
        return {"bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, ShapeCheck):  # a NamedTuple: before plain tuples
        return {"shape_check": {"name": value.name,
                                "params": encode(dict(value.params), context, depth + 1)}}
    if isinstance(value, tuple):
        return {"tuple": [encode(item, context, depth + 1) for item in value]}
    if isinstance(value, list):
        return {"list": [encode(item, context, depth + 1) for item in value]}
    if isinstance(value, dict):
        return {"dict": [[encode(k, context, depth + 1), encode(v, context, depth + 1)]
                         for k, v in value.items()]}
    if isinstance(value, dtypes.DType):
        return {"dtype": value.name}
    if isinstance(value, np.dtype):
        return {"numpy_dtype": _numpy_dtype_name(value)}
    if isinstance(value, slice):
        return {"slice": [encode(part, context, depth + 1)
                          for part in (value.start, value.stop, value.step)]}
    if value is Ellipsis:
        return {"ellipsis": True}
    if isinstance(value, np.generic):
        return {"scalar": {"dtype": _numpy_dtype_name(value.dtype),
                           "value": encode(value.item(), context, depth + 1)}}
    if isinstance(value, np.ndarray):
        return {"array": context.add_constant(value)}
    if isinstance(value, TensorRef):
        target = value.deref()
        if not hasattr(target, "_read_for_op"):
            raise UnsavableAttribute(f"a reference to a {type(target).__name__}, not to a "
                                     f"variable")
        return {"variable": context.variable_index(target)}
    from fluxion.graph.interpreter import SubGraph

    if isinstance(value, SubGraph):
        return {"subgraph": context.encode_graph(value.graph)}
    message_name = _known_message_class_name(value)
    if message_name is not None:
        return {"message_class": message_name}
    raise UnsavableAttribute(f"a Python {type(value).__module__}.{type(value).__qualname__} "
                             f"object ({_short(value)}), which a saved model cannot hold")


def _non_finite_name(value: float) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _numpy_dtype_name(dtype: np.dtype) -> str:
    if dtype.kind == "O":
        return "string"
    return np.dtype(dtype).name


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# Protobuf message classes an attribute may hold (``parse_example``'s record class), by
# full name: Fluxion's own classes, built from its descriptors, found again by name.
_MESSAGE_CLASSES = {"tensorflow.Example": "Example",
                    "tensorflow.SequenceExample": "SequenceExample"}


def _known_message_class_name(value) -> str | None:
    descriptor = getattr(value, "DESCRIPTOR", None)
    name = getattr(descriptor, "full_name", None)
    if not isinstance(value, type) or name not in _MESSAGE_CLASSES:
        return None
    from fluxion.io.example_proto import message_classes

    return name if message_classes().get(_MESSAGE_CLASSES[name]) is value else None


# --- decoding --------------------------------------------------------------------------------
class BadAttribute(ValueError):
    """A JSON attribute that is not one of the encoded forms (the message says why)."""


_NUMPY_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                 "uint64", "float16", "float32", "float64", "complex64", "complex128"}


def decode(data, context, depth: int = 0):
    """The attribute value ``data`` encodes.  ``context`` resolves references:
    ``constant(key) -> array``, ``variable_ref(index) -> TensorRef``,
    ``decode_graph(data) -> Graph``.  Raises ``BadAttribute``."""
    if depth > MAX_DEPTH:
        raise BadAttribute(f"nested more than {MAX_DEPTH} levels deep")
    if data is None or isinstance(data, (bool, str, int)):
        return data
    if isinstance(data, float):
        if not math.isfinite(data):
            raise BadAttribute("a non-finite number written as a bare JSON number")
        return data
    if isinstance(data, list):
        raise BadAttribute("a bare JSON list (lists and tuples are tagged: "
                           "{\"list\": [...]} or {\"tuple\": [...]})")
    if not isinstance(data, dict) or len(data) != 1:
        raise BadAttribute(f"expected a value or a one-key tagged object, got {_short(data)}")
    (tag, payload), = data.items()
    decoder = _DECODERS.get(tag)
    if decoder is None:
        raise BadAttribute(f"unknown attribute tag {tag!r} (known: "
                           f"{', '.join(sorted(_DECODERS))})")
    return decoder(payload, context, depth + 1)


def _expect(payload, kind, tag: str, what: str):
    if not isinstance(payload, kind) or (kind is int and isinstance(payload, bool)):
        raise BadAttribute(f"{{{tag!r}: ...}} must hold {what}, got {_short(payload)}")
    return payload


def _decode_float(payload, context, depth):
    name = _expect(payload, str, "float", "'nan', 'inf' or '-inf'")
    if name not in _NON_FINITE:
        raise BadAttribute(f"{{'float': ...}} must be 'nan', 'inf' or '-inf', got {name!r}")
    return _NON_FINITE[name]


def _decode_complex(payload, context, depth):
    parts = _expect(payload, list, "complex", "[real, imaginary]")
    if len(parts) != 2:
        raise BadAttribute(f"{{'complex': ...}} must hold 2 numbers, got {len(parts)}")
    real, imag = (decode(part, context, depth) for part in parts)
    for part in (real, imag):
        if isinstance(part, bool) or not isinstance(part, (int, float)):
            raise BadAttribute(f"{{'complex': ...}} parts must be numbers, got {part!r}")
    return complex(real, imag)


def _decode_bytes(payload, context, depth):
    text = _expect(payload, str, "bytes", "base64 text")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise BadAttribute("{'bytes': ...} is not valid base64") from None


def _decode_sequence(kind):
    def decoder(payload, context, depth):
        items = _expect(payload, list, kind.__name__, "a JSON list")
        return kind(decode(item, context, depth) for item in items)

    return decoder


def _decode_dict(payload, context, depth):
    pairs = _expect(payload, list, "dict", "a list of [key, value] pairs")
    result = {}
    for pair in pairs:
        if not isinstance(pair, list) or len(pair) != 2:
            raise BadAttribute(f"{{'dict': ...}} entries must be [key, value], got "
                               f"{_short(pair)}")
        key = decode(pair[0], context, depth)
        try:
            result[key] = decode(pair[1], context, depth)
        except TypeError:
            raise BadAttribute(f"dict key {key!r} is not hashable") from None
    return result


def _decode_dtype(payload, context, depth):
    name = _expect(payload, str, "dtype", "a dtype name")
    try:
        return dtypes.as_dtype(name)
    except (TypeError, ValueError):
        raise BadAttribute(f"unknown dtype {name!r}") from None


def _decode_numpy_dtype(payload, context, depth):
    name = _expect(payload, str, "numpy_dtype", "a NumPy dtype name")
    if name == "string":
        return np.dtype(object)
    if name not in _NUMPY_DTYPES:
        raise BadAttribute(f"unknown NumPy dtype {name!r}")
    return np.dtype(name)


def _decode_slice(payload, context, depth):
    parts = _expect(payload, list, "slice", "[start, stop, step]")
    if len(parts) != 3:
        raise BadAttribute(f"{{'slice': ...}} must hold 3 entries, got {len(parts)}")
    values = [decode(part, context, depth) for part in parts]
    for value in values:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise BadAttribute(f"slice bounds must be integers or null, got {value!r}")
    return slice(*values)


def _decode_ellipsis(payload, context, depth):
    if payload is not True:
        raise BadAttribute("{'ellipsis': ...} must hold true")
    return Ellipsis


def _decode_scalar(payload, context, depth):
    if not isinstance(payload, dict) or set(payload) != {"dtype", "value"}:
        raise BadAttribute("{'scalar': ...} must hold {\"dtype\": ..., \"value\": ...}")
    dtype = _decode_numpy_dtype(payload["dtype"], context, depth)
    if dtype.kind == "O":
        raise BadAttribute("a scalar attribute cannot be a string dtype")
    value = decode(payload["value"], context, depth)
    if not isinstance(value, (bool, int, float, complex)):
        raise BadAttribute(f"a {dtype.name} scalar needs a number, got {_short(value)}")
    try:
        return dtype.type(value)
    except (OverflowError, ValueError, TypeError) as error:
        raise BadAttribute(f"{value!r} is not a {dtype.name}: {error}") from None


def _decode_array(payload, context, depth):
    key = _expect(payload, str, "array", "a constant's key")
    return context.constant(key)


def _decode_variable(payload, context, depth):
    index = _expect(payload, int, "variable", "a variable's index")
    return context.variable_ref(index)


def _decode_shape_check(payload, context, depth):
    if not isinstance(payload, dict) or set(payload) != {"name", "params"}:
        raise BadAttribute("{'shape_check': ...} must hold {\"name\": ..., \"params\": ...}")
    name = payload["name"]
    if not isinstance(name, str) or name not in CHECKS:
        raise BadAttribute(f"unknown run-time shape check {name!r} (known: "
                           f"{', '.join(sorted(CHECKS))})")
    params = decode(payload["params"], context, depth)
    if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
        raise BadAttribute("a shape check's params must be a dict with string keys")
    accepted = set(inspect.signature(CHECKS[name]).parameters)
    if set(params) - accepted:
        raise BadAttribute(f"shape check {name!r} takes no parameter(s) "
                           f"{sorted(set(params) - accepted)}")
    return ShapeCheck(name, tuple(sorted(params.items())))


def _decode_message_class(payload, context, depth):
    if payload not in _MESSAGE_CLASSES:
        raise BadAttribute(f"unknown protobuf message class {payload!r} (known: "
                           f"{sorted(_MESSAGE_CLASSES)})")
    from fluxion.io.example_proto import message_classes

    return message_classes()[_MESSAGE_CLASSES[payload]]


def _decode_subgraph(payload, context, depth):
    from fluxion.graph.interpreter import SubGraph

    return SubGraph(context.decode_graph(payload))


_DECODERS = {
    "float": _decode_float, "complex": _decode_complex, "bytes": _decode_bytes,
    "tuple": _decode_sequence(tuple), "list": _decode_sequence(list), "dict": _decode_dict,
    "dtype": _decode_dtype, "numpy_dtype": _decode_numpy_dtype, "slice": _decode_slice,
    "ellipsis": _decode_ellipsis, "scalar": _decode_scalar, "array": _decode_array,
    "variable": _decode_variable, "subgraph": _decode_subgraph,
    "shape_check": _decode_shape_check, "message_class": _decode_message_class,
}
