"""``Embedding``: maps integer indices to rows of a trainable ``(input_dim, output_dim)`` table."""

from __future__ import annotations

import warnings

from fluxion.keras import constraints, initializers, regularizers
from fluxion.keras.layers.core.dense import _refuse_unsupported
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class, serialize_keras_object
from fluxion.ops.array_ops import gather
from fluxion.ops.creation_ops import cast
from fluxion.ops.math_ops import not_equal


@keras_class("keras.layers")
class Embedding(Layer):
    """Looks up ``embeddings[inputs]`` (``keras.layers.Embedding``).

    With ``mask_zero=True`` index 0 is padding: the output mask is ``inputs != 0``.

    >>> import numpy as np
    >>> Embedding(10, 4, embeddings_initializer="ones")(np.array([[1, 2, 0]], "int32")).shape
    TensorShape([1, 3, 4])
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None,
                 mask_zero: bool = False, weights=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value} "
                                 f"(of type {type(value).__name__}).")
        _refuse_unsupported("Embedding", lora_rank, quantization_config)
        if kwargs.pop("input_length", None) is not None:
            warnings.warn("Argument `input_length` is deprecated. Just remove it.",
                          stacklevel=2)
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.autocast = False  # indices must not be cast to the compute dtype
        self.embeddings = None
        if weights is not None:
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape=None) -> None:
        if self.embeddings is not None:
            self.built = True
            return
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          name="embeddings",
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        if inputs.dtype.name not in ("int32", "int64"):
            inputs = cast(inputs, "int32")
        outputs = gather(self.embeddings, inputs, axis=0)
        if outputs.dtype.name != self.compute_dtype:
            outputs = cast(outputs, self.compute_dtype)
        return outputs

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": serialize_keras_object(self.embeddings_initializer),
            "embeddings_regularizer": serialize_keras_object(self.embeddings_regularizer),
            "activity_regularizer": serialize_keras_object(self.activity_regularizer),
            "embeddings_constraint": serialize_keras_object(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        })
        return config
