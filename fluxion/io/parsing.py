"""Parsing ``tf.train.Example`` records: ``parse_single_example``, ``parse_example``.

The feature specs are TensorFlow's: ``FixedLenFeature`` (a dense tensor of a fixed
shape, with an optional default), ``VarLenFeature`` (a sparse tensor of whatever length
each record holds) and ``FixedLenSequenceFeature`` (rows of a fixed shape, padded to the
longest record in a batch).  Dtypes are those ``tf.train.Feature`` can hold: ``float32``
(``float_list``), ``int64`` (``int64_list``) and ``string`` (``bytes_list``).

Parsing is one primitive, ``parse_example``: its kernel decodes with ``protobuf``, its
shape rule gives every output's shape from the spec, so it also works on symbolic
(traced) inputs, e.g. inside ``Dataset.map``.  Its outputs are not differentiable.
"""

from __future__ import annotations

import math

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, define
from fluxion.core.tensor import convert_to_tensor
from fluxion.io import composite_features
from fluxion.io.example_proto import message_classes
from fluxion.io.feature_specs import (  # noqa: F401 - re-exported
    FixedLenFeature,
    FixedLenSequenceFeature,
    VarLenFeature,
)
from fluxion.ops.sparse_tensor import SparseTensor


def _normalise_spec(features: dict) -> tuple:
    if not isinstance(features, dict) or not features:
        raise TypeError(f"parse_example: `features` must be a non-empty dict of feature specs, "
                        f"got {features!r}")
    spec = []
    for key in sorted(features):
        feature = features[key]
        if isinstance(feature, VarLenFeature):
            spec.append((key, "varlen", _dtype_name(key, feature.dtype), (), None))
            continue
        if not isinstance(feature, (FixedLenFeature, FixedLenSequenceFeature)):
            raise TypeError(f"parse_example: feature {key!r} must be a FixedLenFeature, "
                            f"VarLenFeature or FixedLenSequenceFeature, got {feature!r}")
        name = _dtype_name(key, feature.dtype)
        shape = _shape_tuple(key, feature.shape)
        kind = "dense"
        if isinstance(feature, FixedLenSequenceFeature):
            kind = "seq"
            if not feature.allow_missing:
                raise ValueError(f"parse_example: FixedLenSequenceFeature {key!r} requires "
                                 "allow_missing=True (as in TensorFlow)")
        default = None
        if feature.default_value is not None:
            default = _default_tuple(key, feature.default_value, name, shape, kind)
        spec.append((key, kind, name, shape, default))
    return tuple(spec)


def _dtype_name(key: str, dtype) -> str:
    name = dtypes.as_dtype(dtype).name
    if name not in LIST_OF:
        raise ValueError(f"parse_example: feature {key!r} has dtype {name}; a tf.train.Example "
                         "holds only float32, int64 or string")
    return name


def _shape_tuple(key: str, shape) -> tuple:
    if shape is None:
        raise ValueError(f"parse_example: feature {key!r} needs a fully defined shape, got None")
    dims = tuple(getattr(shape, "as_list", lambda: shape)()) if not isinstance(shape, int) \
        else (shape,)
    if any(d is None or int(d) < 0 for d in dims):
        raise ValueError(f"parse_example: feature {key!r} needs a fully defined shape, "
                         f"got {list(dims)}")
    return tuple(int(d) for d in dims)


def _default_tuple(key: str, value, name: str, shape: tuple, kind: str) -> tuple:
    if hasattr(value, "numpy"):
        value = value.numpy()
    if name == "string":
        flat = [v.encode() if isinstance(v, str) else bytes(v)
                for v in np.asarray(value, dtype=object).reshape(-1)]
    else:
        flat = np.asarray(value, dtype=np_dtype_of(name)).reshape(-1).tolist()
    size = math.prod(shape)
    if kind == "dense" and len(flat) not in (1, size):
        raise ValueError(f"parse_example: default_value of {key!r} has {len(flat)} values; "
                         f"the feature's shape {list(shape)} needs {size}")
    if kind == "seq" and len(flat) != 1:
        raise ValueError(f"parse_example: the default_value (padding) of sequence feature "
                         f"{key!r} must be a scalar, got {len(flat)} values")
    return tuple(flat)


# ---- the kernel -------------------------------------------------------------------------


def _assemble(outputs, spec: tuple) -> dict:
    result, position = {}, 0
    for key, kind, *_ in spec:
        if kind == "varlen":
            result[key] = SparseTensor(*outputs[position:position + 3])
            position += 3
        else:
            result[key] = outputs[position]
            position += 1
    return result


def parse_example(serialized, features: dict, example_names=None, name=None) -> dict:
    """Parses a batch of serialized ``tf.train.Example`` records (``tf.io.parse_example``).

    Args:
      serialized: a 1-D string tensor of serialized ``Example`` protos.
      features: a dict of key -> ``FixedLenFeature`` / ``VarLenFeature`` /
        ``FixedLenSequenceFeature`` / ``SparseFeature`` / ``RaggedFeature``.
      example_names, name: accepted for compatibility.

    Returns:
      A dict of key -> tensor: ``[batch, *shape]`` for fixed-length features,
      ``[batch, longest, *shape]`` for sequence features, a sparse tensor for
      ``VarLenFeature``.  Needs the ``protobuf`` package (``fluxion-ml[protobuf]``).

    >>> from fluxion.io.example_proto import Example, Features, Feature, Int64List
    >>> record = Example(features=Features(feature={
    ...     "x": Feature(int64_list=Int64List(value=[7]))})).SerializeToString()
    >>> parse_example([record, record], {"x": FixedLenFeature([], "int64")})["x"].numpy()
    array([7, 7])
    """
    plain, composite, helpers = composite_features.split_features(features)
    spec = _normalise_spec(plain)
    message_classes()  # raises ImportError naming the extra when protobuf is missing
    tensor = convert_to_tensor(serialized, dtype=dtypes.string)
    parsed = _assemble(parse_example_p.bind(tensor, spec=spec),
                       spec)
    return composite_features.finish(parsed, composite, helpers, batched=True)


def parse_single_example(serialized, features: dict, example_names=None, name=None) -> dict:
    """Parses one serialized ``tf.train.Example`` (``tf.io.parse_single_example``).

    Args:
      serialized: a scalar string tensor (or bytes) holding one serialized ``Example``.
      features: a dict of key -> feature spec, as for ``parse_example``.

    Returns:
      A dict of key -> tensor (``shape`` for fixed-length features, a sparse tensor for
      ``VarLenFeature``).

    >>> from fluxion.io.example_proto import Example, Features, Feature, FloatList
    >>> record = Example(features=Features(feature={
    ...     "y": Feature(float_list=FloatList(value=[1.5, 2.5]))})).SerializeToString()
    >>> parse_single_example(record, {"y": FixedLenFeature([2], "float32")})["y"].numpy()
    array([1.5, 2.5], dtype=float32)
    """
    plain, composite, helpers = composite_features.split_features(features)
    spec = _normalise_spec(plain)
    message_classes()  # raises ImportError naming the extra when protobuf is missing
    tensor = convert_to_tensor(serialized, dtype=dtypes.string)
    if tensor.shape.rank not in (0, None):
        raise ValueError(f"parse_single_example: `serialized` must be a scalar, got shape "
                         f"{tensor.shape}; use parse_example for a batch")
    parsed = _assemble(parse_example_p.bind(tensor, spec=spec),
                       spec)
    return composite_features.finish(parsed, composite, helpers, batched=False)


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


def _parse_kernel(serialized: np.ndarray, *, spec: tuple):
    example_class = message_classes()["Example"]
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


def _parse_shape_rule(serialized: Aval, *, spec: tuple):
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
