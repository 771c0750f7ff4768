"""``HashedCrossing``: crosses categorical features by hashing, as TensorFlow's
``sparse.cross_hashed`` does for Keras.

Each cross hashes its features one after the other: a running 64-bit value starts at
TensorFlow's key ``0xDECAFCAFFE`` and absorbs each feature's hash with
``FingerprintCat64``; a string feature's hash is its FarmHash ``Fingerprint64``, an
integer feature is used as is.  The result modulo ``num_bins`` is the bin, equal to
Keras's bin for the same values.
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.tensor import convert_to_tensor
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.preprocessing.categorical import encode_categorical
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import array_ops
from fluxion.ops.categorical_ops import hashed_cross


@keras_class("keras.layers")
class HashedCrossing(Layer):
    """Crosses features by hashing into ``num_bins`` bins (``keras.layers.HashedCrossing``).

    Args:
      num_bins: the number of hash bins.
      output_mode: ``"int"`` (bin indices, the inputs' shape) or ``"one_hot"``.
      sparse: only False (Fluxion has no sparse tensors).

    >>> import numpy as np
    >>> HashedCrossing(num_bins=1000)((np.array([1, 2]), np.array([4, 5]))).numpy()
    array([725, 438])
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None,
                 **kwargs):
        if dtype is None:
            dtype = "int64" if output_mode == "int" else "float32"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if output_mode not in ("int", "one_hot"):
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"('int', 'one_hot'). Received: output_mode={output_mode}")
        if sparse:
            raise ValueError("`sparse=True` is not supported: Fluxion has no sparse tensors.")
        self.num_bins = int(num_bins)
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def _convert_inputs(self, inputs):

        if not isinstance(inputs, (tuple, list)) or len(inputs) < 2:
            raise ValueError(f"`HashedCrossing` should be called on a list or tuple of at "
                             f"least two inputs. Received: inputs={inputs}")
        return tuple(x if hasattr(x, "_keras_history") else convert_to_tensor(x)
                     for x in inputs)

    def call(self, inputs):

        features = []
        for x in inputs:
            if x.dtype.is_integer and x.dtype is not dtypes.int64:
                x = array_ops.cast(x, "int64")
            features.append(x)
        shape = tuple(features[0].shape)
        if len(shape) == 0:
            features = [array_ops.reshape(x, (1,)) for x in features]
        bins = hashed_cross(features, self.num_bins)
        if len(shape) == 0:
            bins = array_ops.reshape(bins, ())
        return encode_categorical(bins, self.output_mode, self.num_bins, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[0])
        if self.output_mode == "one_hot":
            if shape and shape[-1] == 1:
                shape = shape[:-1]
            return shape + (self.num_bins,)
        return shape

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "output_mode": self.output_mode,
                       "sparse": self.sparse})
        return config
