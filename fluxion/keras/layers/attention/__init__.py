"""Attention layers: MultiHeadAttention, GroupQueryAttention, Attention, AdditiveAttention."""

from fluxion.keras.layers.attention.additive_attention import AdditiveAttention
from fluxion.keras.layers.attention.attention import Attention
from fluxion.keras.layers.attention.grouped_query_attention import GroupQueryAttention
from fluxion.keras.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["AdditiveAttention", "Attention", "GroupQueryAttention", "MultiHeadAttention"]
