"""``CategoryEncoding``: integer ids to one-hot, multi-hot or count vectors."""

from __future__ import annotations

from fluxion.core.tensor import convert_to_tensor
from fluxion.keras.layers.preprocessing.categorical import encode_categorical
from fluxion.keras.layers.preprocessing.data_layer import DataLayer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops


@keras_class("keras.layers")
class CategoryEncoding(DataLayer):
    """Encodes integer ids in ``[0, num_tokens)`` (``keras.layers.CategoryEncoding``).

    ``one_hot`` encodes each id (a trailing axis of size 1 is replaced); ``multi_hot``
    and ``count`` encode each sample (the last axis; a rank-1 input is one sample).
    ``count_weights`` (``count`` mode) weights each id's contribution.

    >>> CategoryEncoding(num_tokens=4, output_mode="multi_hot")([[0, 1], [3, 3]]).numpy()
    array([[1., 1., 0., 0.],
           [0., 0., 0., 1.]], dtype=float32)
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of "
                             "tokens is not known beforehand, use the IntegerLookup layer "
                             "instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("`sparse=True` is not supported: Fluxion has no sparse tensors.")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def call(self, inputs, count_weights=None):

        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(f"`count_weights` is not used when `output_mode` is not "
                                 f"`'count'`. Received `count_weights={count_weights}`.")
            count_weights = array_ops.cast(convert_to_tensor(count_weights), self.compute_dtype)
        if not inputs.dtype.is_integer:
            inputs = array_ops.cast(inputs, "int64")
        return encode_categorical(inputs, self.output_mode, self.num_tokens,
                                  self.compute_dtype, count_weights)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if not input_shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
            return input_shape + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}

    def get_build_config(self):
        return {"input_shape": None}
