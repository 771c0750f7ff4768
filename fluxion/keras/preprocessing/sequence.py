"""``keras.preprocessing.sequence``: ``pad_sequences`` (``keras.utils``'s)."""

from fluxion.keras.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
