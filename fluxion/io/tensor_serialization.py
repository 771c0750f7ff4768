"""Tensors and sparse tensors as bytes: ``tf.io.serialize_tensor``, ``parse_tensor``,
``serialize_sparse``, ``serialize_many_sparse``, ``deserialize_many_sparse``.

A serialized tensor is one ``TensorProto`` (``fluxion.io.tensor_proto``), byte for byte
what TensorFlow writes, so files move both ways.  A serialized sparse tensor is three of
them (indices, values, dense shape); ``serialize_many_sparse`` writes one such triple per
row of the first dimension.  Needs the optional ``protobuf`` package.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import context, dtypes
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import Aval, define
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.io.tensor_proto import array_to_proto, message_classes, proto_to_array


def serialize_tensor(tensor, name=None) -> Tensor:
    """``tensor`` as a string scalar: its serialized ``TensorProto``."""
    return serialize_tensor_p.bind(convert_to_tensor(tensor))


def _parse(serialized: bytes):
    proto = message_classes()["TensorProto"]()
    try:
        proto.ParseFromString(serialized)
    except Exception as error:  # protobuf's DecodeError
        raise InvalidArgumentError(f"parse_tensor: could not parse the input as a "
                                   f"TensorProto: {error}") from None
    return proto_to_array(proto)


def _item_bytes(value) -> bytes:
    value = value.numpy() if isinstance(value, Tensor) else value
    value = value.item() if isinstance(value, np.ndarray) else value
    return value.encode() if isinstance(value, str) else bytes(value)


def parse_tensor(serialized, out_type, name=None) -> Tensor:
    """The tensor a serialized ``TensorProto`` holds; its dtype must be ``out_type``.

    Runs eagerly (the rank of the result is only known from the bytes), as in
    ``Dataset.map`` functions; inside ``fluxion.function`` it raises.
    """
    if context.tracer is not None and not hasattr(serialized, "numpy"):
        raise TypeError("parse_tensor needs the serialized bytes at once: the result's "
                        "rank comes from them. Call it eagerly (Dataset.map runs eagerly).")
    array = _parse(_item_bytes(serialized))
    want = dtypes.as_dtype(out_type)
    got = dtypes.as_dtype(array.dtype) if array.dtype != object else dtypes.string
    if got != want:
        raise InvalidArgumentError(f"parse_tensor: type mismatch between parsed tensor "
                                   f"({got.name}) and dtype requested ({want.name})")
    return convert_to_tensor(array, dtype=want)


def _triple(indices, values, dense_shape) -> list:
    return [array_to_proto(np.asarray(part)).SerializeToString()
            for part in (np.asarray(indices, np.int64), values,
                         np.asarray(dense_shape, np.int64))]


def _sparse_parts(sp_input):
    return (np.asarray(sp_input.indices), np.asarray(sp_input.values),
            np.asarray(sp_input.dense_shape))


def serialize_sparse(sp_input, out_type=dtypes.string, name=None) -> Tensor:
    """A ``SparseTensor`` as a string 3-vector: its indices, values and dense shape."""
    _check_string(out_type)
    out = np.empty(3, dtype=object)
    out[:] = _triple(*_sparse_parts(sp_input))
    return convert_to_tensor(out, dtype=dtypes.string)


def serialize_many_sparse(sp_input, out_type=dtypes.string, name=None) -> Tensor:
    """One serialized sparse tensor per row of the first dimension: shape ``[N, 3]``."""
    _check_string(out_type)
    indices, values, dense_shape = _sparse_parts(sp_input)
    if dense_shape.size < 2:
        raise InvalidArgumentError(f"serialize_many_sparse: the input must have rank >= 2, "
                                   f"got dense shape {dense_shape.tolist()}")
    rows = int(dense_shape[0])
    out = np.empty((rows, 3), dtype=object)
    for row in range(rows):
        chosen = indices[:, 0] == row
        out[row] = _triple(indices[chosen][:, 1:].reshape(-1, dense_shape.size - 1),
                           values[chosen], dense_shape[1:])
    return convert_to_tensor(out, dtype=dtypes.string)


def deserialize_many_sparse(serialized_sparse, dtype, rank=None, name=None):
    """The ``SparseTensor`` that ``serialize_many_sparse`` wrote (rows re-stacked).

    The dense shape of each row is the largest over rows, as in TensorFlow.
    """
    from fluxion.ops.sparse_tensor import SparseTensor

    rows = np.asarray(serialized_sparse.numpy() if isinstance(serialized_sparse, Tensor)
                      else serialized_sparse, dtype=object)
    if rows.ndim != 2 or rows.shape[1] != 3:
        raise InvalidArgumentError(f"deserialize_many_sparse: expected serialized sparse "
                                   f"tensors of shape [N, 3], got {list(rows.shape)}")
    want = dtypes.as_dtype(dtype)
    all_indices, all_values, shapes = [], [], []
    for row, (index_bytes, value_bytes, shape_bytes) in enumerate(rows):
        indices, values, shape = (_parse(_item_bytes(b)) for b in
                                  (index_bytes, value_bytes, shape_bytes))
        if rank is not None and shape.size + 1 != rank:
            raise InvalidArgumentError(f"deserialize_many_sparse: expected rank {rank}, "
                                       f"got {shape.size + 1}")
        all_indices.append(np.concatenate([np.full((len(indices), 1), row, np.int64),
                                           indices.reshape(len(indices), shape.size)], axis=1))
        all_values.append(values)
        shapes.append(shape)
    dense_shape = np.concatenate([[len(rows)], np.max(np.stack(shapes), axis=0)]) \
        if shapes else np.zeros([1], np.int64)
    values = np.concatenate(all_values) if all_values else np.zeros([0], want.np_dtype)
    return SparseTensor(np.concatenate(all_indices) if all_indices else np.zeros((0, 1)),
                        convert_to_tensor(values, dtype=want), dense_shape.astype(np.int64))


def _check_string(out_type) -> None:
    if dtypes.as_dtype(out_type) is not dtypes.string:
        raise TypeError(f"only out_type=tf.string is supported (TF's variant encoding is "
                        f"internal to TensorFlow), got {dtypes.as_dtype(out_type).name}")


def _serialize_kernel(value: np.ndarray) -> np.ndarray:
    out = np.empty((), dtype=object)
    out[()] = array_to_proto(value).SerializeToString()
    return out


serialize_tensor_p = define("serialize_tensor", _serialize_kernel,
                            lambda value: Aval((), dtypes.string), fresh_output=True)
