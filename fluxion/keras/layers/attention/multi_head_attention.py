"""``MultiHeadAttention`` (Vaswani et al., 2017), with Keras 3's weights and equations.

The query, key and value are projected by ``EinsumDense`` sublayers named ``query``,
``key`` and ``value`` (kernels ``[dim, heads, key_dim]``), attended to over
``attention_axes``, and projected back by ``attention_output`` (kernel
``[heads, value_dim, dim]``): the layout of Keras 3, so weights move between the two.
For inputs of rank 3 the einsum equations are ``aecd,abcd->acbe`` (scores
``[B, N, T, S]``) and ``acbe,aecd->abcd``.
"""

from __future__ import annotations

import math
import string

from fluxion.keras.engine.tensor_annotations import set_keras_mask
from fluxion.keras.layers.activations.softmax import Softmax
from fluxion.keras.layers.attention.attention_masks import (
    compute_attention_mask,
    dot_product_softmax,
    drop_keras_mask,
    expand_mask,
)
from fluxion.keras.layers.attention.projected_attention import ProjectedAttention
from fluxion.keras.layers.core.einsum_dense import EinsumDense
from fluxion.keras.layers.regularization.dropout import Dropout
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.creation_ops import cast
from fluxion.ops.linalg_ops import einsum


@keras_class("keras.layers")
class MultiHeadAttention(ProjectedAttention):
    """Multi-head attention (``keras.layers.MultiHeadAttention``).

    Args:
      num_heads: number of heads.  key_dim: size of each query/key head.
      value_dim: size of each value head (``key_dim`` when None).
      dropout: drop rate of the attention weights while training.
      use_bias: whether the projections have biases.
      output_shape: the output's trailing shape (the query's last dimension when None).
      attention_axes: the axes attended over (all but batch, heads and features when
        None).
      sliding_window: if set, query ``i`` only sees keys ``j`` with ``|i - j| < window``.
      use_gate: gate the attention output by ``sigmoid(gate(query))``.
      seed: seed of the dropout.

    ``call(query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
    attention_mask=None, return_attention_scores=False, training=None,
    use_causal_mask=False)``.  Masks travelling with the inputs (``Embedding(mask_zero=
    True)``) are used, and the output carries the query's mask.

    >>> import numpy as np
    >>> mha = MultiHeadAttention(num_heads=2, key_dim=4)
    >>> x = np.ones((1, 3, 8), "float32")
    >>> out, scores = mha(x, x, return_attention_scores=True)
    >>> out.shape, scores.shape
    (TensorShape([1, 3, 8]), TensorShape([1, 2, 3, 3]))
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        for arg, val in (("num_heads", num_heads), ("key_dim", key_dim)):
            if not _positive_int(val):
                raise ValueError(f"Received an invalid value for argument `{arg}`, expected "
                                 f"a positive integer. Received: {arg}={val}")
        if value_dim is not None and not _positive_int(value_dim):
            raise ValueError("Received an invalid value for argument `value_dim`, expected a "
                             f"positive integer or `None`. Received: value_dim={value_dim}")
        if sliding_window is not None and not _positive_int(sliding_window):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        super().__init__(kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         flash_attention=flash_attention, **kwargs)
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        self._output_shape = _output_shape(output_shape)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError("`attention_axes` must be an int, list, or tuple."
                             f"Received: attention_axes={attention_axes}")
        self._attention_axes = None if attention_axes is None else tuple(attention_axes)
        self._sliding_window = sliding_window
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    def build(self, query_shape, value_shape, key_shape=None) -> None:
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError("All dimensions of `value` and `key`, except the last one, must "
                             f"be equal. Received: value_shape={value_shape} and "
                             f"key_shape={key_shape}")
        heads = [self._num_heads, self._key_dim]
        self._query_dense = self._projection(query_shape, heads, "query")
        self._key_dense = self._projection(key_shape, heads, "key")
        if self._use_gate:
            self._gate_dense = self._projection(query_shape, [self._num_heads, self._value_dim],
                                                "gate", activation="sigmoid")
        self._value_dense = self._projection(value_shape, [self._num_heads, self._value_dim],
                                             "value")
        rank = len(query_shape) + 1  # the projected query: [B, ..., heads, key_dim]
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(a if a >= 0 else rank - 1 + a
                                         for a in self._attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = \
            attention_equations(rank, self._attention_axes)
        norm_axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        self._softmax = Softmax(axis=norm_axes, dtype=self.dtype_policy)
        self._dropout_layer = Dropout(rate=self._dropout, dtype=self.dtype_policy,
                                      seed=self.seed)
        output_shape = self._output_shape or (query_shape[-1],)
        equation, bias_axes, out_rank = projection_equation(len(query_shape) - 1, 2,
                                                            len(output_shape))
        self._output_dense = EinsumDense(
            equation, output_shape=[None] * (out_rank - 1 - len(output_shape))
            + list(output_shape), bias_axes=bias_axes if self._use_bias else None,
            name="attention_output", **self._sublayer_kwargs())
        projected = list(self._query_dense.compute_output_shape(query_shape))
        projected[-1] = self._value_dim
        self._output_dense.build(tuple(projected))
        self.built = True

    def _projection(self, input_shape: tuple, heads: list, name: str, activation=None):
        equation, bias_axes, out_rank = projection_equation(len(input_shape) - 1, 1, 2)
        dense = EinsumDense(equation, output_shape=[None] * (out_rank - 3) + heads,
                            bias_axes=bias_axes if self._use_bias else None, name=name,
                            activation=activation, **self._sublayer_kwargs())
        dense.build(input_shape)
        return dense

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        if key is None:
            key = value
            key_mask = None
        query_mask, value_mask, key_mask = self._input_masks(
            query, value, key if key is not value else None, query_mask, value_mask, key_mask)
        for tensor in (query, value, key):  # Keras takes the masks off its inputs
            drop_keras_mask(tensor)
        attention_mask = compute_attention_mask(
            query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask,
            self._sliding_window)
        gate = self._gate_dense(query) if self._use_gate else None
        query = self._query_dense(query)   # [B, T, N, H]
        key = self._key_dense(key)         # [B, S, N, H]
        value = self._value_dense(value)   # [B, S, N, Hv]
        output, scores = self._compute_attention(query, key, value, attention_mask, training,
                                                 return_attention_scores)
        if gate is not None:
            output = output * gate
        output = self._output_dense(output)
        if query_mask is not None:
            set_keras_mask(output, query_mask)
        return (output, scores) if return_attention_scores else output

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False):
        """Scaled dot-product attention of the projected tensors: ``(output, scores)``."""
        query = query * cast(self._inverse_sqrt_key_dim, query.dtype)
        scores = einsum(self._dot_product_equation, key, query)
        if attention_mask is not None:  # broadcast over the head axis (and batch axes)
            attention_mask = expand_mask(attention_mask, len(scores.shape),
                                         -2 * len(self._attention_axes) - 1)
        # Keras routes this case through ops.dot_product_attention: a fully masked query
        # row attends uniformly there, and gets weights 0 through the Softmax layer.
        fused = self._dropout == 0 and not return_attention_scores and len(query.shape) == 4
        if fused:
            scores = dot_product_softmax(scores, attention_mask)
        else:
            scores = self._softmax(scores, mask=attention_mask)
        weights = self._dropout_layer(scores, training=training) if self._dropout > 0 \
            else scores
        return einsum(self._combine_equation, weights, value), scores

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None:
            value_shape = tuple(value_shape)
            key_shape = value_shape if key_shape is None else tuple(key_shape)
            if value_shape[1:-1] != key_shape[1:-1]:
                raise ValueError("All dimensions of `value` and `key`, except the last one, "
                                 f"must be equal. Received: value_shape={value_shape} and "
                                 f"key_shape={key_shape}")
        if self._output_shape:
            return query_shape[:-1] + self._output_shape
        return query_shape

    def get_config(self) -> dict:
        return {**super().get_config(),
                "num_heads": self._num_heads, "key_dim": self._key_dim,
                "value_dim": self._value_dim, "dropout": self._dropout,
                "use_bias": self._use_bias, "use_gate": self._use_gate,
                "output_shape": self._output_shape,
                "attention_axes": self._attention_axes,
                "sliding_window": self._sliding_window,
                **self._weights_config(), "seed": self.seed}


def projection_equation(free_dims: int, bound_dims: int, output_dims: int) -> tuple:
    """``(equation, bias_axes, output_rank)`` of a projection: the first ``free_dims``
    input axes are kept, the next ``bound_dims`` contracted with the kernel, which adds
    ``output_dims`` axes (``projection_equation(2, 1, 2) == ("abc,cde->abde", "de", 4)``).
    """
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims:free_dims + bound_dims]
    out = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out, len(free + out)


def attention_equations(rank: int, attn_axes: tuple) -> tuple:
    """The score and combine einsum equations for projected tensors of ``rank``
    (``[B, <other axes>, <attention axes>, heads, channels]``), and the scores' rank.

    Scores are ``[<batch axes incl. heads>, <query attention axes>, <key attention axes>]``.
    """
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch_axes = [i for i in range(rank) if i not in attn_axes and i != rank - 1]
    source, extra = "", rank
    for i in range(rank):
        if i in batch_axes or i == rank - 1:
            source += target[i]
        else:
            source += letters[extra]
            extra += 1
    product = "".join([target[i] for i in batch_axes] + [target[i] for i in attn_axes]
                      + [source[i] for i in attn_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _output_shape(output_shape):
    if not output_shape:
        return None
    if isinstance(output_shape, int):
        return (output_shape,)
    try:
        return tuple(output_shape)
    except TypeError:
        raise ValueError(f"Invalid `output_shape`: {output_shape}. When specified, the "
                         f"`output_shape` should be of type tuple, list, or int.") from None
