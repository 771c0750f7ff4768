"""``decode_proto`` (``tf.io.decode_proto``): named fields of serialized protocol buffer
messages as tensors, one per field of shape ``batch + [most values]`` (padded with the
field type's zero), plus ``sizes`` (how many values each message had, per field).

The ``message_class`` attribute is the protobuf message class (``fluxion.io.proto_codec``
finds it by name), so this module needs no protobuf itself.  Sub-messages come out as
serialized strings, enums as int32.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, define


def fields_of(cls, field_names) -> list:
    """The field descriptors of ``field_names`` in message class ``cls``."""
    by_name = cls.DESCRIPTOR.fields_by_name
    missing = [n for n in field_names if n not in by_name]
    if missing:
        raise InvalidArgumentError(f"message {cls.DESCRIPTOR.full_name} has no field(s) "
                                   f"{missing}; it has {sorted(by_name)}")
    return [by_name[n] for n in field_names]


def is_repeated(field) -> bool:
    """Whether a field descriptor is a repeated field."""
    if hasattr(field, "is_repeated"):  # protobuf >= 5.29 drops `label`
        return bool(field.is_repeated)
    return field.label == field.LABEL_REPEATED


def field_values(message, field) -> list:
    """The values of ``field`` in ``message``, as a list (empty when absent)."""
    value = getattr(message, field.name)
    repeated = is_repeated(field)
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


def _decode_kernel(serialized: np.ndarray, *, message_class, field_names, output_types):
    cls = message_class
    message_type = cls.DESCRIPTOR.full_name
    fields = fields_of(cls, field_names)
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
            per_field[column].append(field_values(message, field))
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
