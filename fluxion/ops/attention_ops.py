"""Scaled dot-product attention (``fluxion.nn.scaled_dot_product_attention``).

TensorFlow has no such op (Keras has ``keras.ops.dot_product_attention``); this one
works on the ``[..., length, depth]`` layout, where the leading axes (batch, heads, ...)
broadcast, so that it is two batched matmuls around a softmax.  It is composed from
existing primitives and needs no gradient code of its own.

Masked positions get a large negative logit (``-0.7 * dtype.max``, as Keras's and
JAX's attention do) rather than ``-inf``: a query row whose keys are all masked gives
a uniform distribution instead of NaN.
"""

from __future__ import annotations

import math

import numpy as np

from fluxion.core.errors import op_error
from fluxion.core.primitives import elementwise
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.array_ops import expand_dims, where
from fluxion.ops.creation_ops import cast
from fluxion.ops.creation_ops import range as arange
from fluxion.ops.creation_ops import shape as dynamic_shape
from fluxion.ops.dropout_ops import dropout
from fluxion.ops.linalg_ops import matmul
from fluxion.ops.nn_ops import softmax

__all__ = ["scaled_dot_product_attention"]


def scaled_dot_product_attention(query, key, value, mask=None, bias=None, scale=None,
                                 is_causal: bool = False, dropout_rate: float = 0.0,
                                 seed=None, return_attention_weights: bool = False,
                                 name=None):
    """``softmax(query @ key^T * scale + bias, masked) @ value``.

    Args:
      query: ``[..., T, D]`` floats (``...`` is e.g. ``batch, heads``).
      key: ``[..., S, D]``, same dtype.
      value: ``[..., S, Dv]``, same dtype.
      mask: optional boolean tensor broadcastable to the logits ``[..., T, S]``; True
        means "may attend".  Numeric masks are read as ``mask != 0``.
      bias: optional tensor added to the logits (e.g. a relative-position bias).
      scale: the logit scale; ``1 / sqrt(D)`` when None.
      is_causal: query ``i`` attends only to keys ``j <= i``.
      dropout_rate: drop probability applied to the attention weights (0 disables it).
      seed: op seed of that dropout.
      return_attention_weights: also return the weights (before dropout).

    Returns:
      ``[..., T, Dv]``, or ``(output, weights)`` with weights ``[..., T, S]``.

    >>> import numpy as np
    >>> q = k = np.eye(2, dtype="float32")[None]
    >>> v = np.array([[[1.0], [3.0]]], "float32")
    >>> scaled_dot_product_attention(q, k, v, is_causal=True).numpy()[0, :, 0].round(3)
    array([1.  , 2.34], dtype=float32)
    """
    op = "scaled_dot_product_attention"
    query, key, value = (convert_to_tensor(t) for t in (query, key, value))
    _check_inputs(op, query, key, value)
    depth = shape_tuple(query)[-1]
    if scale is None:
        if depth is None:
            raise op_error(ValueError, op, "the depth (last axis) of query is unknown; pass "
                                            "`scale` explicitly")
        scale = 1.0 / math.sqrt(depth)
    logits = matmul(query, key, transpose_b=True)
    logits = logits * cast(scale, logits.dtype)
    if bias is not None:
        logits = logits + cast(convert_to_tensor(bias), logits.dtype)
    keep = None if mask is None else _bool_mask(convert_to_tensor(mask))
    if is_causal:
        causal = causal_mask(_length(logits, -2), _length(logits, -1))
        keep = causal if keep is None else elementwise.logical_and(keep, causal)
    if keep is not None:
        logits = where(keep, logits, large_negative(logits.dtype))
    weights = softmax(logits, axis=-1)
    applied = weights
    if dropout_rate:
        applied = dropout(weights, dropout_rate, seed=seed)
    output = matmul(applied, value)
    return (output, weights) if return_attention_weights else output


def causal_mask(query_length, key_length) -> Tensor:
    """A ``[T, S]`` boolean mask, True where key ``j <= i`` for query ``i``.

    Lengths are ints or (when traced with unknown lengths) scalar int tensors.
    """
    if isinstance(query_length, int) and isinstance(key_length, int):
        return convert_to_tensor(np.tri(query_length, key_length, dtype=bool))
    rows = expand_dims(arange(query_length), -1)
    cols = expand_dims(arange(key_length), 0)
    return elementwise.greater_equal(rows, cols)


def large_negative(dtype) -> float:
    """The logit that stands in for ``-inf`` in masked attention: ``-0.7 * max``."""
    return -0.7 * float(np.finfo(dtype.np_dtype).max)


def _length(x: Tensor, axis: int):
    static = shape_tuple(x)[axis]
    return static if static is not None else dynamic_shape(x)[axis]


def _bool_mask(mask: Tensor) -> Tensor:
    if mask.dtype.name == "bool":
        return mask
    return elementwise.not_equal(mask, cast(0, mask.dtype))


def _check_inputs(op: str, query: Tensor, key: Tensor, value: Tensor) -> None:
    for label, t in (("query", query), ("key", key), ("value", value)):
        if not t.dtype.is_floating:
            raise op_error(TypeError, op, f"{label} must be a floating-point tensor, got dtype "
                                          f"{t.dtype.name}")
        if len(shape_tuple(t)) < 2:
            raise op_error(ValueError, op, f"{label} must have rank >= 2 ([..., length, "
                                           f"depth]), got shape {list(shape_tuple(t))}")
    if not query.dtype == key.dtype == value.dtype:
        raise op_error(TypeError, op, f"query, key and value must have one dtype, got "
                                      f"{query.dtype.name}, {key.dtype.name} and "
                                      f"{value.dtype.name}")
    q, k, v = shape_tuple(query), shape_tuple(key), shape_tuple(value)
    if None not in (q[-1], k[-1]) and q[-1] != k[-1]:
        raise op_error(ValueError, op, f"query and key must have the same depth (last axis), "
                                       f"got shapes {list(q)} and {list(k)}")
    if None not in (k[-2], v[-2]) and k[-2] != v[-2]:
        raise op_error(ValueError, op, f"key and value must have the same length (axis -2), "
                                       f"got shapes {list(k)} and {list(v)}")
