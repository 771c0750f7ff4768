"""``AdditiveAttention``: Bahdanau-style attention, ``sum(scale * tanh(query + key))``."""

from __future__ import annotations

from fluxion.keras.layers.attention.attention import Attention
from fluxion.keras.layers.attention.attention_masks import insert_axis
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import math_ops
from fluxion.ops.reduce_ops import reduce_sum


@keras_class("keras.layers")
class AdditiveAttention(Attention):
    """Additive attention (``keras.layers.AdditiveAttention``).

    Scores are ``sum(scale * tanh(query[:, i] + key[:, j]))`` with a trainable ``scale``
    of the feature size (``use_scale=True``, the default); otherwise as ``Attention``.

    >>> import numpy as np
    >>> q = np.ones((1, 2, 3), "float32"); v = np.ones((1, 4, 3), "float32")
    >>> AdditiveAttention()([q, v]).shape
    TensorShape([1, 2, 3])
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        kwargs.pop("score_mode", None)
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape) -> None:
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],),
                                         initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        pairs = math_ops.tanh(insert_axis(query, -2) + insert_axis(key, -3))  # [B, Tq, Tv, dim]
        if self.scale is not None:
            pairs = self.scale * pairs
        return reduce_sum(pairs, axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["score_mode"]
        return config
