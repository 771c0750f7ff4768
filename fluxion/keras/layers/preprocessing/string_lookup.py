"""``StringLookup``: strings to vocabulary indices (or indices back to strings)."""

from __future__ import annotations

from fluxion.keras.layers.preprocessing.index_lookup import IndexLookup
from fluxion.keras.saving.serialization import keras_class


@keras_class("keras.layers")
class StringLookup(IndexLookup):
    """Maps strings to integer indices of a vocabulary (``keras.layers.StringLookup``).

    Index 0 is the OOV token ``"[UNK]"`` by default; with ``mask_token`` set (and
    ``output_mode="int"``) index 0 is the mask and OOV indices follow it.  ``invert=True``
    maps indices back to strings.  ``output_mode`` ``one_hot``, ``multi_hot``, ``count``
    and ``tf_idf`` encode the indices (as Keras 3's TensorFlow backend does, these
    outputs are int64, ``tf_idf`` float32).  Needs no TensorFlow.

    >>> layer = StringLookup(vocabulary=["a", "b", "c"])
    >>> layer([["a", "c", "z"]]).numpy()
    array([[1, 3, 0]])
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, vocabulary_dtype="string", **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["vocabulary_dtype"]  # strings are the only choice
        return {**config, "encoding": self.encoding}
