"""What is known, at trace time, of a shape tensor's values (TF's partial shape inference).

Inside a traced function ``tf.shape(x)`` is symbolic, yet the static dimensions of ``x``
are known: in ``tf.zeros(tf.shape(x))``, ``tf.ones((tf.shape(x)[0], 1))`` or
``tf.random.uniform(tf.shape(labels))`` every dimension but the batch is.  TensorFlow
keeps them by evaluating the small integer graph that builds the shape.  This module does
the same over the producers of a traced value: ``shape``, indexing and slicing,
``reshape`` to a vector, ``concat`` and ``cast``, and constants; anything else is
unknown.  A traced value is read through its ``_graph_value`` (``producer``, ``constant``,
``aval``) without importing the graph package, which sits above this one.
"""

from __future__ import annotations

import numpy as np

_MAX_DEPTH = 32


def known_values(tensor) -> list | int | None:
    """The values of an int scalar or vector ``tensor``, ``None`` where unknown.

    A scalar gives an int or None; a vector a list of (int or None), or None when even
    its length is unknown.
    """
    value = getattr(tensor, "_value", None)
    if value is not None:
        return _from_array(np.asarray(value))
    graph_value = getattr(tensor, "_graph_value", None)
    if graph_value is None:
        return None
    return _of_value(graph_value, 0)


def known_dims(shape) -> tuple | None:
    """The statically known dimensions of a shape given as a tensor or a list of dims
    (ints and scalar tensors); None when the number of dimensions is unknown."""
    if isinstance(shape, (list, tuple)):
        dims = []
        for d in shape:
            d = known_values(d) if hasattr(d, "dtype") else int(d)
            dims.append(d if isinstance(d, int) and d >= 0 else None)
        return tuple(dims)
    values = known_values(shape)
    if values is None or isinstance(values, int):
        return None
    return tuple(d if d is not None and d >= 0 else None for d in values)


def _from_array(array: np.ndarray):
    if array.ndim == 0:
        return int(array)
    if array.ndim == 1:
        return [int(v) for v in array]
    return None


def _unknown(value):
    shape = value.aval.shape
    if len(shape) == 0:
        return None
    if len(shape) == 1 and shape[0] is not None:
        return [None] * shape[0]
    return None


def _of_value(value, depth: int):
    if value.constant is not None:
        return _from_array(np.asarray(value.constant))
    node = value.producer
    if node is None or depth > _MAX_DEPTH or value.aval.dtype.name not in _INTEGERS:
        return _unknown(value)
    rule = _RULES.get(node.prim.name)
    if rule is None:
        return _unknown(value)
    result = rule(node, depth + 1)
    return _unknown(value) if result is None else result


def _shape_rule(node, depth):
    return list(node.inputs[0].aval.shape)


def _cast_rule(node, depth):
    return _of_value(node.inputs[0], depth)


def _reshape_rule(node, depth):
    source = _of_value(node.inputs[0], depth)
    target = node.outputs[0].aval.shape
    if len(target) == 1 and not isinstance(source, list):
        return [source] if target[0] == 1 else None
    if len(target) == 0 and isinstance(source, list) and len(source) == 1:
        return source[0]
    return source if len(target) == 1 and isinstance(source, list) else None


def _concat_rule(node, depth):
    if node.attrs.get("axis", 0) not in (0, -1):
        return None
    pieces = [_of_value(v, depth) for v in node.inputs]
    if any(not isinstance(p, list) for p in pieces):
        return None
    return [d for piece in pieces for d in piece]


def _getitem_rule(node, depth):
    source = _of_value(node.inputs[0], depth)
    key = node.attrs.get("key")
    if not isinstance(source, list) or not isinstance(key, tuple) or len(key) != 1:
        return None
    (item,) = key
    if isinstance(item, (int, np.integer)):
        index = int(item)
        return source[index] if -len(source) <= index < len(source) else None
    if isinstance(item, tuple) and len(item) == 4 and item[0] == "slice":
        return source[slice(item[1], item[2], item[3])]
    return None


_INTEGERS = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}
_RULES = {"shape": _shape_rule, "cast": _cast_rule, "reshape": _reshape_rule,
          "concat": _concat_rule, "getitem": _getitem_rule}
