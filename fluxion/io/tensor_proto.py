"""TensorFlow's ``TensorProto``, built at run time with ``protobuf``, and arrays to and
from it.

A ``TensorProto`` holds a dtype (the ``tensorflow.DataType`` enum), a shape and the
values: numbers as raw little-endian bytes in ``tensor_content`` (or, as TensorFlow
also writes them, in the typed ``*_val`` lists, one value standing for all), strings in
``string_val``.  ``tf.io.serialize_tensor`` is one serialized ``TensorProto``; the
message is declared here with TensorFlow's package, field names and numbers, so the
bytes are TensorFlow's both ways.  ``protobuf`` is an optional dependency.
"""

from __future__ import annotations

import functools

import numpy as np

from fluxion.core.errors import InvalidArgumentError

_EXTRA_HINT = ("tf.io.serialize_tensor and parse_tensor need the `protobuf` package: "
               "pip install 'fluxion-ml[protobuf]' (or pip install protobuf)")

# tensorflow.DataType enum values, by NumPy dtype name ("string": bytes objects).
DATATYPE_ENUM = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
                 "string": 7, "complex64": 8, "int64": 9, "bool": 10, "bfloat16": 14,
                 "uint16": 17, "complex128": 18, "float16": 19, "uint32": 22, "uint64": 23}
DTYPE_NAMES = {number: name for name, number in DATATYPE_ENUM.items()}

# Which typed list holds a dtype's values when tensor_content is empty.
_VALUE_FIELD = {"float32": "float_val", "float64": "double_val", "int32": "int_val",
                "uint8": "int_val", "int16": "int_val", "int8": "int_val",
                "uint16": "int_val", "int64": "int64_val", "bool": "bool_val",
                "float16": "half_val", "complex64": "scomplex_val",
                "complex128": "dcomplex_val", "uint32": "uint32_val", "uint64": "uint64_val"}


def _file_descriptor(descriptor_pb2):
    field = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(name="fluxion/tensor.proto",
                                               package="tensorflow", syntax="proto3")
    rep, opt = field.LABEL_REPEATED, field.LABEL_OPTIONAL
    shape = proto.message_type.add(name="TensorShapeProto")
    shape.field.add(name="dim", number=2, type=field.TYPE_MESSAGE, label=rep,
                    type_name=".tensorflow.TensorShapeProto.Dim")
    shape.field.add(name="unknown_rank", number=3, type=field.TYPE_BOOL, label=opt)
    dim = shape.nested_type.add(name="Dim")
    dim.field.add(name="size", number=1, type=field.TYPE_INT64, label=opt)
    dim.field.add(name="name", number=2, type=field.TYPE_STRING, label=opt)
    tensor = proto.message_type.add(name="TensorProto")
    fields = [("dtype", 1, field.TYPE_INT32, opt),  # enum tensorflow.DataType: a varint
              ("tensor_shape", 2, field.TYPE_MESSAGE, opt),
              ("version_number", 3, field.TYPE_INT32, opt),
              ("tensor_content", 4, field.TYPE_BYTES, opt),
              ("float_val", 5, field.TYPE_FLOAT, rep), ("double_val", 6, field.TYPE_DOUBLE, rep),
              ("int_val", 7, field.TYPE_INT32, rep), ("string_val", 8, field.TYPE_BYTES, rep),
              ("scomplex_val", 9, field.TYPE_FLOAT, rep), ("int64_val", 10, field.TYPE_INT64, rep),
              ("bool_val", 11, field.TYPE_BOOL, rep), ("dcomplex_val", 12, field.TYPE_DOUBLE, rep),
              ("half_val", 13, field.TYPE_INT32, rep), ("uint32_val", 16, field.TYPE_UINT32, rep),
              ("uint64_val", 17, field.TYPE_UINT64, rep)]
    for name, number, kind, label in fields:
        entry = tensor.field.add(name=name, number=number, type=kind, label=label)
        if name == "tensor_shape":
            entry.type_name = ".tensorflow.TensorShapeProto"
        if label == rep and kind != field.TYPE_BYTES:
            entry.options.packed = True
    return proto


@functools.cache
def message_classes() -> dict:
    """``{"TensorProto": class, "TensorShapeProto": class}``, built once."""
    from fluxion.io.proto_messages import message_classes_from

    return message_classes_from(_file_descriptor, ("TensorProto", "TensorShapeProto"),
                                _EXTRA_HINT)


def dtype_name(array: np.ndarray) -> str:
    """The TensorFlow dtype name of ``array`` ("string" for bytes and str)."""
    if array.dtype == object or array.dtype.kind in "SU":
        return "string"
    name = array.dtype.name
    if name not in DATATYPE_ENUM:
        raise TypeError(f"a tensor of dtype {name} cannot be a TensorProto; supported: "
                        f"{', '.join(sorted(DATATYPE_ENUM))}")
    return name


def array_to_proto(array) -> object:
    """A ``TensorProto`` message holding ``array`` (numbers as ``tensor_content``)."""
    array = np.asarray(array)
    name = dtype_name(array)
    proto = message_classes()["TensorProto"](dtype=DATATYPE_ENUM[name])
    proto.tensor_shape.SetInParent()  # a scalar still records its (empty) shape
    for size in array.shape:
        proto.tensor_shape.dim.add(size=int(size))
    if name == "string":
        proto.string_val.extend(item.encode() if isinstance(item, str) else bytes(item)
                                for item in array.reshape(-1))
    elif array.size:
        little = array.astype(array.dtype.newbyteorder("<"), copy=False)
        proto.tensor_content = np.ascontiguousarray(little).tobytes()
    return proto


def proto_to_array(proto) -> np.ndarray:
    """The NumPy array a ``TensorProto`` message holds."""
    name = DTYPE_NAMES.get(proto.dtype)
    if name is None:
        raise InvalidArgumentError(f"TensorProto: unsupported dtype enum {proto.dtype}")
    shape = tuple(int(d.size) for d in proto.tensor_shape.dim)
    count = int(np.prod(shape, dtype=np.int64))
    if name == "string":
        values = np.empty(len(proto.string_val), dtype=object)
        values[:] = list(proto.string_val)
        return _filled(values, shape, count, name)
    dtype = np.dtype(name)
    if proto.tensor_content:
        flat = np.frombuffer(proto.tensor_content, dtype=dtype.newbyteorder("<"))
        return flat.astype(dtype).reshape(shape)
    values = np.asarray(getattr(proto, _VALUE_FIELD[name]))
    if name == "float16":
        values = values.astype(np.uint16).view(np.float16)
    elif dtype.kind == "c":
        values = values.reshape(-1, 2)
        values = values[:, 0] + 1j * values[:, 1]
    return _filled(values.astype(dtype), shape, count, name)


def _filled(values: np.ndarray, shape: tuple, count: int, name: str) -> np.ndarray:
    """The typed values as ``shape``; a shorter list repeats its last value (TF's rule)."""
    if values.size == count:
        return values.reshape(shape)
    if values.size == 0:
        return np.zeros(shape, dtype=values.dtype) if name != "string" else \
            np.full(shape, b"", dtype=object)
    if values.size > count:
        raise InvalidArgumentError(f"TensorProto holds {values.size} values for shape "
                                   f"{list(shape)} ({count} elements)")
    padded = np.concatenate([values, np.repeat(values[-1:], count - values.size)])
    return padded.reshape(shape)
