"""What ``MultiHeadAttention`` and ``GroupQueryAttention`` share: a layer called on
``(query, value, key=None)`` that builds from all three shapes.

The ``Layer`` base builds from the first input's shape; these layers need the value's
and key's too, so ``__call__`` builds them first from every input and keeps Keras 3's
build config, ``{"shapes_dict": {"query_shape": ..., "value_shape": ...[, "key_shape"]}}``.
Input masks are read here as Keras's ``Layer.__call__`` fills ``query_mask``,
``value_mask`` and ``key_mask``: from the tensors' ``_keras_mask`` when not given.
"""

from __future__ import annotations

from fluxion.keras import constraints, initializers, regularizers
from fluxion.keras.layers.attention.attention_masks import keras_mask
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import serialize_keras_object


class ProjectedAttention(Layer):
    """Base of the attention layers with query/key/value projections (not exported)."""

    def __init__(self, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, flash_attention=None,
                 **kwargs):
        super().__init__(**kwargs)
        if flash_attention:
            raise ValueError("Flash attention is not supported by Fluxion's NumPy backend; "
                             "pass flash_attention=None or False.")
        self.supports_masking = True
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        # Applied by the projection sublayers, as in Keras, not by this layer itself.
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)

    # --- building from (query, value, key) -------------------------------------------------
    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}) must be called as '
                             f"layer(query, value) or layer(query, value, key); `value` is "
                             f"missing.")
        # The base converts only the first input; value and key get the same treatment.
        query, value, key = (self._convert_inputs(t) for t in (query, value, key))
        if not self.built:
            shapes = {"query_shape": _shape(query), "value_shape": _shape(value)}
            if key is not None:
                shapes["key_shape"] = _shape(key)
            self._build_shapes = shapes
            self.build(**shapes)
            self.built = True
        args = (query, value) if key is None else (query, value, key)
        return super().__call__(*args, **kwargs)

    def get_build_config(self) -> dict | None:
        if self._build_shapes is None:
            return None
        return {"shapes_dict": {name: list(shape) for name, shape in self._build_shapes.items()}}

    def build_from_config(self, config: dict) -> None:
        if not config or self.built:
            return
        if "shapes_dict" in config:
            shapes = {name: tuple(shape) for name, shape in config["shapes_dict"].items()}
        else:  # a single input shape: self-attention
            shape = tuple(config["input_shape"])
            shapes = {"query_shape": shape, "value_shape": shape}
        self._build_shapes = shapes
        self.build(**shapes)
        self.built = True

    # --- shared pieces ---------------------------------------------------------------------
    @staticmethod
    def _input_masks(query, value, key, query_mask, value_mask, key_mask) -> tuple:
        """Masks given explicitly, else those travelling with the inputs."""
        query_mask = keras_mask(query) if query_mask is None else query_mask
        value_mask = keras_mask(value) if value_mask is None else value_mask
        if key_mask is None and key is not None:
            key_mask = keras_mask(key)
        return query_mask, value_mask, key_mask

    def _sublayer_kwargs(self) -> dict:
        """Settings of each projection; initializers are fresh copies, so each projection
        draws its own values."""
        return {
            "kernel_initializer": _clone(self._kernel_initializer),
            "bias_initializer": _clone(self._bias_initializer),
            "kernel_regularizer": self._kernel_regularizer,
            "bias_regularizer": self._bias_regularizer,
            "activity_regularizer": self._activity_regularizer,
            "kernel_constraint": self._kernel_constraint,
            "bias_constraint": self._bias_constraint,
            "dtype": self.dtype_policy,
        }

    def _weights_config(self) -> dict:
        return {
            "kernel_initializer": serialize_keras_object(self._kernel_initializer),
            "bias_initializer": serialize_keras_object(self._bias_initializer),
            "kernel_regularizer": serialize_keras_object(self._kernel_regularizer),
            "bias_regularizer": serialize_keras_object(self._bias_regularizer),
            "activity_regularizer": serialize_keras_object(self._activity_regularizer),
            "kernel_constraint": serialize_keras_object(self._kernel_constraint),
            "bias_constraint": serialize_keras_object(self._bias_constraint),
        }


def _shape(x) -> tuple:
    return tuple(x.shape)


def _clone(initializer):
    return type(initializer).from_config(initializer.get_config())
