"""``TimeDistributed``: applies a layer to every time step of ``[batch, time, ...]``."""

from __future__ import annotations

from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from fluxion.ops.array_ops import concat, reshape
from fluxion.ops.creation_ops import shape as dynamic_shape


@keras_class("keras.layers")
class TimeDistributed(Layer):
    """Applies ``layer`` to each temporal slice (``keras.layers.TimeDistributed``).

    The batch and time axes are merged, the layer runs once on ``[batch * time, ...]``,
    and the result is split back: one call instead of one per step.

    >>> import numpy as np
    >>> from fluxion import keras
    >>> TimeDistributed(keras.layers.Dense(2))(np.ones((4, 3, 5), "float32")).shape
    TensorShape([4, 3, 2])
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a `keras.layers."
                             f"Layer` instance. Received: {layer}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _child_shape(self, input_shape) -> tuple:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` "
                             f"with at least 3 dimensions, received: {input_shape}")
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape) -> None:
        child = self._child_shape(tuple(input_shape))
        if not self.layer.built:
            self.layer._maybe_build(child)
        self.built = True

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_shape(tuple(input_shape)))
        return (child[0], input_shape[1]) + tuple(child[1:])

    def call(self, inputs, training=None, mask=None):
        runtime = dynamic_shape(inputs)
        static = tuple(inputs.shape)
        merged = reshape(inputs, concat([[-1], runtime[2:]], axis=0)) \
            if None in static[2:] else reshape(inputs, (-1,) + static[2:])
        kwargs = {}
        if self.layer._call_has_training:
            kwargs["training"] = training
        if self.layer._call_has_mask and mask is not None:
            kwargs["mask"] = reshape(mask, (-1,) + tuple(mask.shape[2:]))
        out = self.layer(merged, **kwargs)
        out_static = tuple(out.shape[1:])
        if None in out_static or static[1] is None or static[0] is None:
            tail = dynamic_shape(out)[1:]
            return reshape(out, concat([runtime[:2], tail], axis=0))
        return reshape(out, (static[0], static[1]) + out_static)

    def compute_mask(self, inputs, mask=None):
        return mask

    def get_config(self) -> dict:
        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize_keras_object(config["layer"],
                                                   custom_objects=custom_objects)
        return super().from_config(config)
