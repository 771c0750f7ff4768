"""Parsing ``tf.train.SequenceExample``: ``parse_single_sequence_example`` and
``parse_sequence_example``.

A ``SequenceExample`` has *context* features (one value list per feature, like an
``Example``) and *feature lists* (one value list per time step).  Context features take
any Example spec and are parsed by the Example parser.  Sequence features take:

- ``FixedLenSequenceFeature(shape, dtype)``: ``[steps, *shape]`` (a batch pads to the
  longest sequence with ``default_value`` or zeros; the lengths come back too);
- ``VarLenFeature(dtype)``: a sparse tensor indexed ``[step, j]`` (``[example, step, j]``);
- ``RaggedFeature(dtype)``: a ragged ``[steps, (values)]`` (``[examples, (steps), (values)]``).

Parsing runs eagerly (``Dataset.map`` functions do).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import context, dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.io.composite_features import RaggedFeature
from fluxion.io.example_proto import message_classes
from fluxion.io.parsing import (
    FixedLenSequenceFeature,
    VarLenFeature,
    parse_example,
    parse_single_example,
)

_LIST_OF = {"float32": "float_list", "int64": "int64_list", "string": "bytes_list"}


def _records(serialized) -> np.ndarray:
    if context.tracer is not None and not isinstance(serialized, (bytes, str, list)):
        raise TypeError("parse_sequence_example runs eagerly; call it outside "
                        "fluxion.function (Dataset.map runs eagerly)")
    tensor = convert_to_tensor(serialized, dtype=dtypes.string)
    return np.asarray(tensor.numpy(), dtype=object)


def _parse(record) -> object:
    record = record.encode() if isinstance(record, str) else bytes(record)
    try:
        return message_classes()["SequenceExample"].FromString(record)
    except Exception as error:  # noqa: BLE001 - protobuf's DecodeError and friends
        raise InvalidArgumentError(f"parse_sequence_example: not a serialized "
                                   f"tf.train.SequenceExample ({error})") from None


def _steps(example, key: str, dtype_name: str, required: bool) -> list | None:
    """Per step, the value list of feature list ``key`` (None when absent)."""
    lists = example.feature_lists.feature_list
    if key not in lists:
        if required:
            raise InvalidArgumentError(f"Feature list: {key} is required but could not be "
                                       f"found.")
        return None
    steps = []
    for step, feature in enumerate(lists[key].feature):
        kind = feature.WhichOneof("kind")
        if kind is not None and kind != _LIST_OF[dtype_name]:
            raise InvalidArgumentError(f"Feature list: {key}, Index: {step}. Data types "
                                       f"don't match: got {kind}, expected "
                                       f"{_LIST_OF[dtype_name]}")
        steps.append(list(getattr(feature, kind).value) if kind else [])
    return steps


def _typed(values, name: str, shape=(-1,)) -> Tensor:
    if name == "string":
        array = np.empty(len(values), dtype=object)
        array[:] = list(values)
        return convert_to_tensor(array.reshape(shape), dtype=dtypes.string)
    return convert_to_tensor(np.asarray(values, dtype=np.dtype(name)).reshape(shape))


def _fixed(examples, key, feature, batched):
    name = dtypes.as_dtype(feature.dtype).name
    shape = tuple(int(d) for d in feature.shape)
    size = int(np.prod(shape, dtype=np.int64))
    per_example = []
    for example in examples:
        steps = _steps(example, key, name, required=not feature.allow_missing) or []
        for step, values in enumerate(steps):
            if len(values) != size:
                raise InvalidArgumentError(f"Feature list: {key}, Index: {step}. Expected "
                                           f"{size} values for shape {list(shape)}, got "
                                           f"{len(values)}")
        per_example.append(steps)
    lengths = [len(steps) for steps in per_example]
    if not batched:
        flat = [v for step in per_example[0] for v in step]
        return _typed(flat, name, (lengths[0],) + shape), None
    longest = max(lengths, default=0)
    pad = feature.default_value if feature.default_value is not None else \
        (b"" if name == "string" else 0)
    flat = []
    for steps in per_example:
        flat += [v for step in steps for v in step]
        flat += [pad] * ((longest - len(steps)) * size)
    lengths_tensor = convert_to_tensor(np.asarray(lengths, np.int64))
    return _typed(flat, name, (len(per_example), longest) + shape), lengths_tensor


def _varlen(examples, key, feature, batched):
    from fluxion.ops.sparse_tensor import SparseTensor

    name = dtypes.as_dtype(feature.dtype).name
    indices, values, longest_steps, longest_values = [], [], 0, 0
    for row, example in enumerate(examples):
        steps = _steps(example, key, name, required=False) or []
        longest_steps = max(longest_steps, len(steps))
        for step, step_values in enumerate(steps):
            longest_values = max(longest_values, len(step_values))
            for j, value in enumerate(step_values):
                indices.append(([row] if batched else []) + [step, j])
                values.append(value)
    rank = 3 if batched else 2
    dense_shape = ([len(examples)] if batched else []) + [longest_steps, longest_values]
    return SparseTensor(np.asarray(indices, np.int64).reshape(-1, rank), _typed(values, name),
                        np.asarray(dense_shape, np.int64))


def _ragged(examples, key, feature, batched):
    from fluxion.ops.ragged_tensor import RaggedTensor

    name = dtypes.as_dtype(feature.dtype).name
    split_dtype = dtypes.as_dtype(feature.row_splits_dtype).np_dtype
    key = feature.value_key or key
    step_lengths, values, example_steps = [], [], []
    for example in examples:
        steps = _steps(example, key, name, required=False) or []
        example_steps.append(len(steps))
        for step_values in steps:
            step_lengths.append(len(step_values))
            values += step_values
    inner = convert_to_tensor(np.concatenate([[0], np.cumsum(step_lengths)]).astype(split_dtype))
    ragged = RaggedTensor.from_row_splits(_typed(values, name), inner)
    if not batched:
        return ragged
    outer = convert_to_tensor(np.concatenate([[0], np.cumsum(example_steps)]).astype(split_dtype))
    return RaggedTensor.from_row_splits(ragged, outer)


def _sequence_features(examples, features: dict, batched: bool) -> tuple[dict, dict]:
    parsed, lengths = {}, {}
    for key, feature in (features or {}).items():
        if isinstance(feature, FixedLenSequenceFeature):
            parsed[key], length = _fixed(examples, key, feature, batched)
            if length is not None:
                lengths[key] = length
        elif isinstance(feature, VarLenFeature):
            parsed[key] = _varlen(examples, key, feature, batched)
        elif isinstance(feature, RaggedFeature):
            if feature.partitions:
                raise ValueError(f"sequence feature {key!r}: RaggedFeature partitions are "
                                 "for context features; a sequence feature is ragged by step")
            parsed[key] = _ragged(examples, key, feature, batched)
        else:
            raise TypeError(f"sequence feature {key!r} must be a FixedLenSequenceFeature, "
                            f"VarLenFeature or RaggedFeature, got {feature!r}")
    return parsed, lengths


def _context_records(examples) -> list:
    example_class = message_classes()["Example"]
    return [example_class(features=example.context).SerializeToString() for example in examples]


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None,
                                  example_name=None, name=None) -> tuple[dict, dict]:
    """Parses one serialized ``SequenceExample`` into ``(context, sequences)`` dicts.

    >>> from fluxion.io.example_proto import SequenceExample
    >>> ctx, seq = parse_single_sequence_example(SequenceExample().SerializeToString(), {},
    ...     {"t": FixedLenSequenceFeature([], "int64", allow_missing=True)})
    >>> seq["t"].shape
    TensorShape([0])
    """
    records = _records(serialized)
    if records.ndim != 0:
        raise ValueError(f"parse_single_sequence_example: `serialized` must be a scalar, got "
                         f"shape {list(records.shape)}; use parse_sequence_example")
    examples = [_parse(records.item())]
    context_parsed = parse_single_example(_context_records(examples)[0], context_features) \
        if context_features else {}
    sequences, _ = _sequence_features(examples, sequence_features, batched=False)
    return context_parsed, sequences


def parse_sequence_example(serialized, context_features=None, sequence_features=None,
                           example_names=None, name=None) -> tuple[dict, dict, dict]:
    """Parses a batch of serialized ``SequenceExample`` s.

    Returns ``(context, sequences, lengths)``: ``lengths`` holds, for each
    ``FixedLenSequenceFeature``, the number of steps of each example (int64).
    """
    records = _records(serialized)
    if records.ndim != 1:
        raise ValueError(f"parse_sequence_example: `serialized` must be a vector, got shape "
                         f"{list(records.shape)}")
    examples = [_parse(record) for record in records]
    context_parsed = parse_example(_context_records(examples), context_features) \
        if context_features else {}
    sequences, lengths = _sequence_features(examples, sequence_features, batched=True)
    return context_parsed, sequences, lengths
