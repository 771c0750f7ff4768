"""Masks of the projected attention layers (``MultiHeadAttention``, ``GroupQueryAttention``).

The boolean ``[B, T, S]`` attention mask is the AND of whatever is given: the query's
Keras mask (``[B, T, 1]``), the value's and key's (``[B, 1, S]``), a causal mask and a
sliding-window band (``[1, T, S]``), and an explicit ``attention_mask``.  Lengths are
read statically when known and from ``fluxion.shape`` otherwise, so a traced model
with unknown batch size and sequence length works.

Keras applies such a mask in two ways and the layers follow it: through
``ops.dot_product_attention`` (masked logits become ``-0.7 * max``, so a fully masked
query row attends uniformly) when there is no dropout and no scores are returned, and
through its ``Softmax`` layer otherwise (a fully masked row gets weights 0).
"""

from __future__ import annotations

from fluxion.core.tensor import convert_to_tensor, shape_tuple
from fluxion.keras.engine.tensor_annotations import get_keras_mask, set_keras_mask
from fluxion.ops import array_ops, math_ops
from fluxion.ops.array_ops import where
from fluxion.ops.attention_ops import causal_mask, large_negative
from fluxion.ops.creation_ops import cast
from fluxion.ops.creation_ops import range as arange
from fluxion.ops.creation_ops import shape as dynamic_shape
from fluxion.ops.math_ops import abs as absolute
from fluxion.ops.nn_ops import softmax


def insert_axis(x, axis: int):
    """``expand_dims`` that also works on traced tensors with several unknown dimensions
    (``fluxion.expand_dims`` reshapes, which allows one unknown dimension only)."""
    rank = len(shape_tuple(x))
    axis = axis % (rank + 1)
    return x[(slice(None),) * axis + (None,)]


def keras_mask(x):
    """The mask travelling with ``x`` (``None`` when it has none)."""
    return get_keras_mask(x)


def drop_keras_mask(x) -> None:
    """Removes ``x``'s mask, as Keras's ``MultiHeadAttention`` does with its inputs."""
    if keras_mask(x) is not None:
        set_keras_mask(x, None)


def sequence_length(x, axis: int = 1):
    """``x.shape[axis]``: an int when static, else a scalar int tensor."""
    static = shape_tuple(x)[axis]
    return static if static is not None else dynamic_shape(x)[axis]


def compute_attention_mask(query, value, query_mask=None, value_mask=None, key_mask=None,
                           attention_mask=None, use_causal_mask: bool = False,
                           sliding_window: int | None = None):
    """The combined boolean mask (``None`` when nothing masks anything)."""
    auto = None

    def conjoin(mask):
        nonlocal auto
        auto = mask if auto is None else math_ops.logical_and(auto, mask)

    if query_mask is not None:
        conjoin(insert_axis(_as_bool(query_mask), -1))
    for mask in (value_mask, key_mask):
        if mask is not None:
            conjoin(insert_axis(_as_bool(mask), -2))
    if use_causal_mask or sliding_window is not None:
        t, s = sequence_length(query), sequence_length(value)
        if use_causal_mask:
            conjoin(insert_axis(causal_mask(t, s), 0))
        if sliding_window is not None:
            conjoin(insert_axis(_band(t, s, sliding_window), 0))
    if attention_mask is not None:
        attention_mask = _as_bool(attention_mask)
        return attention_mask if auto is None else math_ops.logical_and(attention_mask, auto)
    return auto


def expand_mask(mask, rank: int, axis: int):
    """Inserts axes at ``axis`` until ``mask`` has ``rank`` dimensions (the head axis...)."""
    for _ in range(rank - len(shape_tuple(mask))):
        mask = insert_axis(mask, axis)
    return mask


def dot_product_softmax(scores, mask, axis: int = -1):
    """Softmax of ``scores`` with masked logits at ``-0.7 * max`` (Keras's
    ``ops.dot_product_attention``): a fully masked row comes out uniform."""
    if mask is not None:
        scores = where(mask, scores, large_negative(scores.dtype))
    return softmax(scores, axis=axis)


def _band(query_length, key_length, window: int):
    rows = insert_axis(arange(query_length), -1)
    cols = insert_axis(arange(key_length), 0)
    return array_ops.less(absolute(rows - cols), window)


def _as_bool(mask):
    mask = convert_to_tensor(mask)
    return mask if mask.dtype.name == "bool" else cast(mask, "bool")
