"""``Hashing``: values to hash bins, with TensorFlow's own string hashes.

Bins are ``FarmHash64(value) % num_bins`` (``tf.strings.to_hash_bucket_fast``), or with a
``salt`` ``SipHash64(salt, value) % num_bins`` (``to_hash_bucket_strong``); integers
are hashed as their decimal strings and floats are first truncated to integers, as Keras
does.  The hashes are computed bit for bit as TensorFlow computes them (see
``fingerprint.py``), so bins equal Keras 3's; Keras itself needs TensorFlow for this layer.
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.keras.layers.preprocessing.categorical import encode_categorical
from fluxion.keras.layers.preprocessing.data_layer import DataLayer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops, creation_ops
from fluxion.ops.text_lookup_ops import as_string, string_hash_bucket

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


@keras_class("keras.layers")
class Hashing(DataLayer):
    """Hashes strings or integers into ``num_bins`` bins (``keras.layers.Hashing``).

    With ``mask_value`` set, that value maps to bin 0 and the others to ``[1, num_bins)``.

    >>> Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]]).numpy().ravel()
    array([1, 0, 1, 1, 2])
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(f"The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        if output_mode == "int" and self.dtype_policy.name not in ("int32", "int64"):
            raise ValueError(f"When `output_mode=\"int\"`, `dtype` should be an integer type, "
                             f"'int32' or 'in64'. Received: dtype={kwargs['dtype']}")
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{_OUTPUT_MODES}. Received: output_mode={output_mode}")
        if sparse:
            raise ValueError("`sparse=True` is not supported: Fluxion has no sparse tensors.")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = sparse
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                self.salt = list(salt)
            elif isinstance(salt, int):
                self.salt = [salt, salt]
            else:
                raise ValueError(f"The `salt` argument for `Hashing` can only be a tuple of "
                                 f"size 2 integers, or a single integer. Received: salt={salt}.")
        self.built = True

    def call(self, inputs):

        if self.output_mode == "one_hot" and len(inputs.shape) and inputs.shape[-1] == 1:
            inputs = array_ops.squeeze(inputs, -1)
        bins = self._hash_values_to_bins(inputs)
        return encode_categorical(bins, self.output_mode, self.num_bins, self.dtype)

    def _hash_values_to_bins(self, values):

        hash_bins, mask = self.num_bins, None
        if self.mask_value is not None and hash_bins > 1:
            hash_bins -= 1
            mask = array_ops.equal(values, creation_ops.constant(self.mask_value, values.dtype))
        if values.dtype.is_floating:
            values = array_ops.cast(values, "int64")
        if values.dtype is not dtypes.string:
            values = as_string(values)
        bins = string_hash_bucket(values, hash_bins, self.salt)
        if mask is not None:
            bins = array_ops.where(
                mask, creation_ops.zeros_like(bins), bins + creation_ops.constant(1, "int64")
            )
        return bins

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        if not input_shape:
            return (self.num_bins,)
        return input_shape[:-1] + (self.num_bins,)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_bins": self.num_bins,
            "salt": self.salt,
            "mask_value": self.mask_value,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }
