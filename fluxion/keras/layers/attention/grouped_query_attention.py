"""``GroupQueryAttention`` (Ainslie et al., 2023): fewer key/value heads than query heads.

Each of the ``num_key_value_heads`` key/value heads serves ``num_query_heads //
num_key_value_heads`` query heads (1 key/value head: multi-query attention).  Sublayers
and weights are Keras 3's: ``query`` ``[dim, q_heads, head_dim]``, ``key`` and ``value``
``[dim, kv_heads, head_dim]``, ``attention_output`` ``[q_heads, head_dim, dim]``.
"""

from __future__ import annotations

import math

from fluxion.keras.layers.activations.softmax import Softmax
from fluxion.keras.layers.attention.attention_masks import (
    compute_attention_mask,
    dot_product_softmax,
    expand_mask,
)
from fluxion.keras.layers.attention.projected_attention import ProjectedAttention
from fluxion.keras.layers.core.einsum_dense import EinsumDense
from fluxion.keras.layers.regularization.dropout import Dropout
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import repeat
from fluxion.ops.creation_ops import cast
from fluxion.ops.linalg_ops import einsum


@keras_class("keras.layers")
class GroupQueryAttention(ProjectedAttention):
    """Grouped-query attention (``keras.layers.GroupQueryAttention``).

    Args:
      head_dim: size of each head.  num_query_heads / num_key_value_heads: head counts;
        the first must be a multiple of the second.
      dropout, use_bias, sliding_window, use_gate, seed and the weight settings: as in
        ``MultiHeadAttention``.

    ``call(query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
    attention_mask=None, return_attention_scores=False, training=None,
    use_causal_mask=False)``; scores are ``[B, num_query_heads, T, S]``.

    >>> import numpy as np
    >>> gqa = GroupQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2)
    >>> gqa(np.ones((1, 3, 8), "float32"), np.ones((1, 5, 8), "float32")).shape
    TensorShape([1, 3, 8])
    """

    keras_class_name = "GroupedQueryAttention"  # Keras 3's Python class: names its weights

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        super().__init__(kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         flash_attention=flash_attention, **kwargs)
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`.")
        if sliding_window is not None and (not isinstance(sliding_window, int)
                                           or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        self.sliding_window = sliding_window
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(head_dim))

    def build(self, query_shape, value_shape, key_shape=None) -> None:
        key_shape = value_shape if key_shape is None else key_shape
        self.feature_dim = query_shape[-1]
        q_heads = (None, self.num_query_heads, self.head_dim)
        kv_heads = (None, self.num_key_value_heads, self.head_dim)
        self._query_dense = self._projection("bqm,muh->bquh", q_heads, "uh", "query",
                                             query_shape)
        self._key_dense = self._projection("bkm,mvh->bkvh", kv_heads, "vh", "key", key_shape)
        if self.use_gate:
            self._gate_dense = self._projection("bqm,muh->bquh", q_heads, "uh", "gate",
                                                query_shape, activation="sigmoid")
        self._value_dense = self._projection("bkm,mvh->bkvh", kv_heads, "vh", "value",
                                             value_shape)
        self._softmax = Softmax(axis=-1, dtype=self.dtype_policy)
        self._dropout_layer = Dropout(rate=self.dropout, dtype=self.dtype_policy,
                                      seed=self.seed)
        self._dot_product_equation = "bquh,bkuh->buqk"
        self._combine_equation = "buqk,bkuh->bquh"
        self._output_dense = self._projection(
            "bquh,uhm->bqm", (None, self.feature_dim), "m", "attention_output",
            (None, None, self.num_query_heads, self.head_dim))
        self.built = True

    def _projection(self, equation: str, output_shape: tuple, bias_axes: str, name: str,
                    input_shape, activation=None):
        dense = EinsumDense(equation, output_shape=output_shape,
                            bias_axes=bias_axes if self.use_bias else None, name=name,
                            activation=activation, **self._sublayer_kwargs())
        dense.build(tuple(input_shape))
        return dense

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        query_mask, value_mask, key_mask = self._input_masks(
            query, value, key, query_mask, value_mask, key_mask)
        if key is None:
            key = value
        attention_mask = compute_attention_mask(
            query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask,
            self.sliding_window)
        gate = self._gate_dense(query) if self.use_gate else None
        query = self._query_dense(query)
        # [B, S, kv_heads, head_dim] -> [B, S, q_heads, head_dim]
        key = repeat(self._key_dense(key), self.num_repeats, axis=2)
        value = repeat(self._value_dense(value), self.num_repeats, axis=2)
        output, scores = self._compute_attention(query, key, value, attention_mask, training,
                                                 return_attention_scores)
        if gate is not None:
            output = output * gate
        output = self._output_dense(output)
        return (output, scores) if return_attention_scores else output

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False):
        query = query * cast(self._inverse_sqrt_head_dim, query.dtype)
        scores = einsum(self._dot_product_equation, query, key)  # [B, q_heads, T, S]
        if attention_mask is not None:
            attention_mask = expand_mask(attention_mask, 4, -3)
        if self.dropout == 0 and not return_attention_scores:  # Keras's fused path
            scores = dot_product_softmax(scores, attention_mask)
        else:
            scores = self._softmax(scores, mask=attention_mask)
        weights = self._dropout_layer(scores, training=training) if self.dropout > 0 \
            else scores
        return einsum(self._combine_equation, weights, value), scores

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None:
            value_shape = tuple(value_shape)
            key_shape = value_shape if key_shape is None else tuple(key_shape)
            if query_shape[-1] != value_shape[-1]:
                raise ValueError("The last dimension of `query_shape` and `value_shape` must "
                                 f"be equal, but are {query_shape[-1]}, {value_shape[-1]}. "
                                 f"Received: query_shape={query_shape}, "
                                 f"value_shape={value_shape}")
            if value_shape[1:-1] != key_shape[1:-1]:
                raise ValueError("All dimensions of `value` and `key`, except the last one, "
                                 f"must be equal. Received: value_shape={value_shape} and "
                                 f"key_shape={key_shape}")
        return query_shape

    def get_config(self) -> dict:
        return {**super().get_config(),
                "head_dim": self.head_dim, "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
                "use_gate": self.use_gate, "sliding_window": self.sliding_window,
                "dropout": self.dropout, **self._weights_config(), "seed": self.seed}
