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
from fluxion.core.primitives.parse_example import LIST_OF, np_dtype_of, parse_example_p
from fluxion.core.tensor import convert_to_tensor
from fluxion.io import composite_features
from fluxion.io.example_proto import message_classes
from fluxion.io.feature_specs import (  # noqa: F401 - re-exported
    FixedLenFeature,
    FixedLenSequenceFeature,
    VarLenFeature,
)
from fluxion.ops.sparse_tensor import SparseTensor

# ---- the spec, as hashable primitive attributes ------------------------------------------

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
    example_class = message_classes()["Example"]  # ImportError naming the extra if missing
    tensor = convert_to_tensor(serialized, dtype=dtypes.string)
    parsed = _assemble(parse_example_p.bind(tensor, spec=spec, example_class=example_class),
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
    tensor = convert_to_tensor(serialized, dtype=dtypes.string)
    if tensor.shape.rank not in (0, None):
        raise ValueError(f"parse_single_example: `serialized` must be a scalar, got shape "
                         f"{tensor.shape}; use parse_example for a batch")
    plain, composite, helpers = composite_features.split_features(features)
    spec = _normalise_spec(plain)
    example_class = message_classes()["Example"]  # ImportError naming the extra if missing
    parsed = _assemble(parse_example_p.bind(tensor, spec=spec, example_class=example_class),
                       spec)
    return composite_features.finish(parsed, composite, helpers, batched=False)
