"""``Attention``: Luong-style (dot-product) attention over ``[query, value(, key)]``.

Scores ``[B, Tq, Tv]`` are ``query @ key^T`` (``score_mode="dot"``, times a trainable
``scale`` if ``use_scale``) or ``concat_score_weight * sum(tanh(query + key))``
(``"concat"``); masked value steps get ``scores - 1e9``; the output is
``softmax(scores) @ value``, zeroed at masked query steps.
"""

from __future__ import annotations

from fluxion.keras.layers.attention.attention_masks import insert_axis, sequence_length
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.regularization.seed_stream import SeedStream
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import math_ops
from fluxion.ops.array_ops import where
from fluxion.ops.attention_ops import causal_mask
from fluxion.ops.creation_ops import cast, zeros_like
from fluxion.ops.dropout_ops import stateless_dropout
from fluxion.ops.linalg_ops import matmul
from fluxion.ops.nn_ops import softmax
from fluxion.ops.reduce_ops import reduce_sum


@keras_class("keras.layers")
class Attention(Layer):
    """Dot-product attention layer (``keras.layers.Attention``).

    Args:
      use_scale: learn a scalar that multiplies the scores.
      score_mode: ``"dot"`` or ``"concat"``.
      dropout: drop rate of the attention weights while training.
      seed: seed of that dropout.

    ``call([query, value] or [query, value, key], mask=[query_mask, value_mask],
    training=False, return_attention_scores=False, use_causal_mask=False)``.

    >>> import numpy as np
    >>> q = np.ones((1, 2, 3), "float32"); v = np.ones((1, 4, 3), "float32")
    >>> Attention()([q, v]).shape
    TensorShape([1, 2, 3])
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        self.supports_masking = True
        if self.dropout > 0:
            self.seed_generator = SeedStream(seed)
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of {'dot', "
                             f"'concat'}}. Received: score_mode={score_mode}")
        self.scale = None
        self.concat_score_weight = None

    def build(self, input_shape) -> None:
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")
        self.built = True

    def _calculate_scores(self, query, key):
        """``[B, Tq, Tv]`` scores of each query step against each key step."""
        if self.score_mode == "dot":
            scores = matmul(query, key, transpose_b=True)
            return scores * self.scale if self.scale is not None else scores
        pairs = insert_axis(query, -2) + insert_axis(key, -3)  # [B, Tq, Tv, dim]
        if self.scale is not None:
            pairs = self.scale * pairs
        return self.concat_score_weight * reduce_sum(math_ops.tanh(pairs), axis=-1)

    def _apply_scores(self, scores, value, scores_mask=None, training=False):
        if scores_mask is not None:
            if len(scores_mask.shape) == 2:
                scores_mask = insert_axis(scores_mask, -2)
            large = 65504.0 if scores.dtype.name == "float16" else 1.0e9
            scores = where(scores_mask, scores, scores - large)
        weights = softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = stateless_dropout(weights, self.dropout,
                                        seed=self.seed_generator.next())
        return matmul(weights, value), weights

    def _score_mask(self, scores, value_mask, use_causal_mask: bool):
        if value_mask is not None:
            value_mask = cast(value_mask, "bool")
        if not use_causal_mask:
            return value_mask
        causal = insert_axis(causal_mask(sequence_length(scores, -2),
                                         sequence_length(scores, -1)), 0)
        if value_mask is None:
            return causal
        return math_ops.logical_and(insert_axis(value_mask, -2), causal)

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._calculate_scores(query, key)
        scores_mask = self._score_mask(scores, value_mask, use_causal_mask)
        output, weights = self._apply_scores(scores, value, scores_mask, training)
        if query_mask is not None:
            keep = insert_axis(cast(query_mask, "bool"), -1)
            output = where(keep, output, zeros_like(output))
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape[0])[:-1], tuple(input_shape[1])[-1])

    def _validate_inputs(self, inputs, mask=None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely "
                             f"[query, value] or [query, value, key]. Received: "
                             f"inputs={inputs}.")
        if not 2 <= len(inputs) <= 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely "
                             f"[query, value] or [query, value, key]. Received length: "
                             f"{len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, "
                                 f"value_mask]. Received: mask={mask}.")
            if not 2 <= len(mask) <= 3:
                raise ValueError(f"{name} layer accepts mask list of length 2 or 3. "
                                 f"Received: inputs={inputs}, mask={mask}.")

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}
