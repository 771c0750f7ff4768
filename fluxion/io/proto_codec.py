"""Any protocol buffer message as tensors: ``tf.io.decode_proto`` and ``encode_proto``.

``decode_proto`` reads the named fields of serialized messages into one tensor per field,
of shape ``batch + [most values any message has]`` (shorter ones padded with the field
type's zero), plus ``sizes``: how many values each message had, per field.
``encode_proto`` does the reverse.  Sub-messages travel as serialized strings; enums
as int32.

The message type is looked up by its full name in ``descriptor_source``: ``'local://'``
means the descriptors linked into this process (protobuf's default pool, then
Fluxion's own ``tensorflow.Example`` family and ``TensorProto``); a file path or
``'bytes://<bytes>'`` gives a serialized ``FileDescriptorSet``.  Needs the optional
``protobuf`` package.
"""

from __future__ import annotations

import functools

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, define
from fluxion.core.tensor import convert_to_tensor

_EXTRA_HINT = ("tf.io.decode_proto and encode_proto need the `protobuf` package: "
               "pip install 'fluxion-ml[protobuf]' (or pip install protobuf)")


@functools.lru_cache(maxsize=32)
def _message_class(message_type: str, descriptor_source: str):
    try:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    except ImportError as error:
        raise ImportError(_EXTRA_HINT) from error
    if descriptor_source == "local://":
        pools = [descriptor_pool.Default()]
        from fluxion.io import example_proto, tensor_proto

        pools += [example_proto.message_classes()["Example"].DESCRIPTOR.file.pool,
                  tensor_proto.message_classes()["TensorProto"].DESCRIPTOR.file.pool]
    else:
        if descriptor_source.startswith("bytes://"):
            data = descriptor_source[len("bytes://"):].encode("latin-1")
        else:
            with open(descriptor_source, "rb") as handle:
                data = handle.read()
        pool = descriptor_pool.DescriptorPool()
        for file_proto in descriptor_pb2.FileDescriptorSet.FromString(data).file:
            pool.Add(file_proto)
        pools = [pool]
    for pool in pools:
        try:
            descriptor = pool.FindMessageTypeByName(message_type)
        except KeyError:
            continue
        return message_factory.GetMessageClass(descriptor)
    raise InvalidArgumentError(f"decode_proto/encode_proto: message type {message_type!r} "
                               f"is not in descriptor_source {descriptor_source!r}")


def _field_dtype(field) -> str:
    """The tensor dtype a field's values take."""
    from google.protobuf.descriptor import FieldDescriptor as F  # noqa: N817

    return {F.TYPE_DOUBLE: "float64", F.TYPE_FLOAT: "float32", F.TYPE_INT64: "int64",
            F.TYPE_UINT64: "uint64", F.TYPE_INT32: "int32", F.TYPE_FIXED64: "uint64",
            F.TYPE_FIXED32: "uint32", F.TYPE_BOOL: "bool", F.TYPE_STRING: "string",
            F.TYPE_BYTES: "string", F.TYPE_UINT32: "uint32", F.TYPE_ENUM: "int32",
            F.TYPE_SFIXED32: "int32", F.TYPE_SFIXED64: "int64", F.TYPE_SINT32: "int32",
            F.TYPE_SINT64: "int64", F.TYPE_MESSAGE: "string",
            F.TYPE_GROUP: "string"}[field.type]


def decode_proto(bytes, message_type: str, field_names, output_types,  # noqa: A002
                 descriptor_source: str = "local://", message_format: str = "binary",
                 sanitize: bool = False, name=None):
    """The fields ``field_names`` of serialized ``message_type`` messages, as tensors.

    Returns:
      ``(sizes, values)``: ``sizes`` int32 of shape ``batch + [len(field_names)]``; for
      each field a tensor of shape ``batch + [most values]`` of its ``output_types``.
    """
    if message_format != "binary":
        raise ValueError(f"decode_proto: message_format must be 'binary', got "
                         f"{message_format!r}")
    names, types = tuple(field_names), tuple(dtypes.as_dtype(t).name for t in output_types)
    if len(names) != len(types):
        raise ValueError(f"decode_proto: {len(names)} field_names but {len(types)} "
                         "output_types; give one type per field")
    cls = _message_class(message_type, descriptor_source)
    for field, wanted in zip(message_fields(cls, names), types):
        if _field_dtype(field) != wanted and not (_field_dtype(field) != "string" and
                                                  wanted != "string"):
            raise TypeError(f"decode_proto: field {field.name} holds {_field_dtype(field)}, "
                            f"output_types asks for {wanted}")
    tensor = convert_to_tensor(bytes, dtype=dtypes.string)
    sizes, *values = decode_proto_p.bind(tensor, message_type=message_type, field_names=names,
                                         output_types=types,
                                         descriptor_source=descriptor_source)
    return sizes, values


def encode_proto(sizes, values, field_names, message_type: str,
                 descriptor_source: str = "local://", name=None):
    """Serialized ``message_type`` messages with ``sizes[..., i]`` values of field ``i``
    taken from ``values[i]`` (shape ``batch + [at least the largest size]``)."""
    cls = _message_class(message_type, descriptor_source)
    fields = message_fields(cls, list(field_names))
    sizes = np.asarray(sizes)
    arrays = [np.asarray(v.numpy() if hasattr(v, "numpy") else v) for v in values]
    if len(arrays) != len(fields):
        raise ValueError(f"encode_proto: {len(fields)} field_names but {len(arrays)} values")
    batch = sizes.shape[:-1]
    out = np.empty(int(np.prod(batch, dtype=np.int64)), dtype=object)
    flat_sizes = sizes.reshape(-1, len(fields))
    flat_values = [a.reshape(len(out), -1) for a in arrays]
    for row in range(len(out)):
        message = cls()
        for column, field in enumerate(fields):
            items = flat_values[column][row][:flat_sizes[row, column]]
            _set_field(message, field, items)
        out[row] = message.SerializeToString()
    return convert_to_tensor(out.reshape(batch), dtype=dtypes.string)


def _set_field(message, field, items) -> None:
    repeated = is_repeated_field(field)
    if not repeated and len(items) > 1:
        raise InvalidArgumentError(f"encode_proto: field {field.name} is not repeated but "
                                   f"got {len(items)} values")
    if field.message_type is not None:
        for item in items:
            target = getattr(message, field.name).add() if repeated \
                else getattr(message, field.name)
            target.MergeFromString(bytes(item))
        return
    if field.type == field.TYPE_STRING:
        items = [i.decode() if isinstance(i, bytes) else str(i) for i in items]
    else:
        items = [i.item() if hasattr(i, "item") else i for i in items]
    if repeated:
        getattr(message, field.name).extend(items)
    elif items:
        setattr(message, field.name, items[0])


def message_fields(cls, field_names):
    by_name = cls.DESCRIPTOR.fields_by_name
    missing = [n for n in field_names if n not in by_name]
    if missing:
        raise InvalidArgumentError(f"message {cls.DESCRIPTOR.full_name} has no field(s) "
                                   f"{missing}; it has {sorted(by_name)}")
    return [by_name[n] for n in field_names]


def is_repeated_field(field) -> bool:
    if hasattr(field, "is_repeated"):  # protobuf >= 5.29 drops `label`
        return bool(field.is_repeated)
    return field.label == field.LABEL_REPEATED


def _field_values(message, field) -> list:
    value = getattr(message, field.name)
    repeated = is_repeated_field(field)
    if not repeated:
        if field.message_type is not None:
            return [value.SerializeToString()] if message.HasField(field.name) else []
        if field.has_presence and not message.HasField(field.name):
            return []
        if not field.has_presence and value == field.default_value:
            return []  # proto3: a default value is not on the wire
        value = [value]
    if field.message_type is not None:
        return [item.SerializeToString() for item in value]
    return [item.encode() if isinstance(item, str) else item for item in value]


def _decode_kernel(serialized: np.ndarray, *, message_type, field_names, output_types,
                   descriptor_source):
    cls = _message_class(message_type, descriptor_source)
    fields = message_fields(cls, field_names)
    records = serialized.reshape(-1)
    per_field = [[] for _ in fields]
    for index, record in enumerate(records):
        record = record.encode() if isinstance(record, str) else bytes(record)
        try:
            message = cls.FromString(record)
        except Exception as error:  # noqa: BLE001 - protobuf's DecodeError
            raise InvalidArgumentError(f"decode_proto: record {index} is not a serialized "
                                       f"{message_type} ({error})") from None
        for column, field in enumerate(fields):
            per_field[column].append(_field_values(message, field))
    sizes = np.array([[len(v) for v in column] for column in per_field], np.int32).T
    sizes = sizes.reshape(serialized.shape + (len(fields),))
    values = []
    for column, dtype in zip(per_field, output_types):
        longest = max((len(v) for v in column), default=0)
        zero = b"" if dtype == "string" else 0
        out = np.full((len(column), longest), zero,
                      dtype=object if dtype == "string" else np.dtype(dtype))
        for row, items in enumerate(column):
            out[row, :len(items)] = items
        values.append(out.reshape(serialized.shape + (longest,)))
    return (sizes, *values)


def _decode_rule(serialized: Aval, *, field_names, output_types, **_):
    batch = tuple(serialized.shape)
    return (Aval(batch + (len(field_names),), dtypes.int32),
            *[Aval(batch + (None,), dtypes.as_dtype(t)) for t in output_types])


decode_proto_p = define("decode_proto", _decode_kernel, _decode_rule,
                        multiple_results=True, fresh_output=True)
