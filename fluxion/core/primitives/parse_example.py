"""``parse_example``: serialized ``tf.train.Example`` records parsed into the features of
a spec (dense, sequence and variable-length ones).

The ``spec`` attribute is the hashable form ``fluxion.io.parsing`` builds from a
feature dict: ``(key, kind, dtype name, shape, default)`` per feature, ``kind`` one of
``"dense"``, ``"seq"``, ``"varlen"`` (three outputs each: indices, values, shape).  The
``example_class`` attribute is the protobuf message class that parses a record
(``fluxion.io.example_proto``), so this module needs no protobuf itself.
"""

from __future__ import annotations

import math

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, define

LIST_OF = {"float32": "float_list", "int64": "int64_list", "string": "bytes_list"}
_PROTO_TYPE = {"float_list": "float", "int64_list": "int64", "bytes_list": "string"}


def np_dtype_of(name: str):
    return object if name == "string" else np.dtype(name)


def _values(feature, key: str, name: str, index: int) -> list:
    kind = feature.WhichOneof("kind")
    if kind is None:
        return []
    if kind != LIST_OF[name]:
        raise InvalidArgumentError(
            f"Key: {key}, Index: {index}.  Data types don't match. Data type: "
            f"{_PROTO_TYPE[kind]} but expected type: {_PROTO_TYPE[LIST_OF[name]]}")
    return list(getattr(feature, kind).value)


def _parse_kernel(serialized: np.ndarray, *, spec: tuple, example_class):
    batched = serialized.ndim == 1
    records = serialized.reshape(-1)
    parsed = []
    for index, record in enumerate(records):
        record = record.encode() if isinstance(record, str) else bytes(record)
        try:
            parsed.append(example_class.FromString(record).features.feature)
        except Exception as error:  # noqa: BLE001 - protobuf's DecodeError and friends
            raise InvalidArgumentError(f"parse_example: record {index} is not a serialized "
                                       f"tf.train.Example ({error})") from None
    outputs = []
    for key, kind, name, shape, default in spec:
        columns = [_values(fmap[key], key, name, i) if key in fmap else None
                   for i, fmap in enumerate(parsed)]
        if kind == "dense":
            outputs.append(_dense(columns, key, name, shape, default, batched))
        elif kind == "seq":
            outputs.append(_sequence(columns, name, shape, default, batched))
        else:
            outputs.extend(_varlen(columns, name, batched))
    return tuple(outputs)


def _dense(columns, key, name, shape, default, batched) -> np.ndarray:
    size = math.prod(shape)
    out = np.empty((len(columns), size), dtype=np_dtype_of(name))
    for i, values in enumerate(columns):
        if values is None:
            if default is None:
                raise InvalidArgumentError(f"Feature: {key} (data type: {name}) is required "
                                           "but could not be found.")
            values = default * size if len(default) == 1 else default
        elif len(values) != size:
            raise InvalidArgumentError(
                f"Key: {key}, Index: {i}.  Number of {_PROTO_TYPE[LIST_OF[name]]} values != "
                f"expected.  Values size: {len(values)} but output shape: {list(shape)}")
        out[i, :] = values
    out = out.reshape((len(columns),) + shape)
    return out if batched else out[0]


def _sequence(columns, name, shape, default, batched) -> np.ndarray:
    size = math.prod(shape)
    rows = []
    for values in columns:
        values = [] if values is None else values
        if size == 0 or len(values) % size:
            raise InvalidArgumentError(f"parse_example: a sequence feature of row shape "
                                       f"{list(shape)} got {len(values)} values")
        rows.append(values)
    longest = max((len(v) // size for v in rows), default=0)
    pad = default[0] if default is not None else (b"" if name == "string" else 0)
    out = np.full((len(rows), longest * size), pad, dtype=np_dtype_of(name))
    for i, values in enumerate(rows):
        out[i, :len(values)] = values
    out = out.reshape((len(rows), longest) + shape)
    return out if batched else out[0]


def _varlen(columns, name, batched):
    lengths = [0 if v is None else len(v) for v in columns]
    values = np.array([x for v in columns if v for x in v], dtype=np_dtype_of(name)).reshape(-1)
    rows = np.repeat(np.arange(len(columns), dtype=np.int64), lengths)
    cols = np.concatenate([np.arange(n, dtype=np.int64) for n in lengths]) if lengths \
        else np.zeros(0, np.int64)
    longest = max(lengths, default=0)
    if batched:
        indices = np.stack([rows, cols], axis=1)
        dense_shape = np.array([len(columns), longest], dtype=np.int64)
    else:
        indices = cols.reshape(-1, 1)
        dense_shape = np.array([longest], dtype=np.int64)
    return indices, values, dense_shape


def _parse_shape_rule(serialized: Aval, *, spec: tuple, example_class):
    if serialized.dtype is not dtypes.string:
        raise TypeError(f"parse_example: `serialized` must be a string tensor, "
                        f"got {serialized.dtype.name}")
    if len(serialized.shape) > 1:
        raise ValueError(f"parse_example: `serialized` must be a scalar (parse_single_example) "
                         f"or a vector (parse_example), got shape {list(serialized.shape)}")
    batch = tuple(serialized.shape)
    out = []
    for _key, kind, name, shape, _default in spec:
        dtype = dtypes.as_dtype(name)
        if kind == "dense":
            out.append(Aval(batch + shape, dtype))
        elif kind == "seq":
            out.append(Aval(batch + (None,) + shape, dtype))
        else:
            rank = len(batch) + 1
            out.extend((Aval((None, rank), dtypes.int64), Aval((None,), dtype),
                        Aval((rank,), dtypes.int64)))
    return tuple(out)


parse_example_p = define("parse_example", _parse_kernel, _parse_shape_rule,
                         multiple_results=True, fresh_output=True)
