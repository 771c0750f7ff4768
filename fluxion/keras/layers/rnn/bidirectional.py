"""``Bidirectional``: runs a recurrent layer forwards and a copy of it backwards, merged."""

from __future__ import annotations

import copy

from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from fluxion.ops.array_ops import concat, reverse
from fluxion.ops.creation_ops import cast

MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _without_prefix(name: str, prefix: str) -> str:
    return name[len(prefix):] if name.startswith(prefix) else name


@keras_class("keras.layers")
class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs (``keras.layers.Bidirectional``).

    Args:
      layer: the recurrent layer (``LSTM``, ``GRU``, ``RNN``...) run forwards.
      merge_mode: how to combine the two directions: ``"concat"`` (default), ``"sum"``,
        ``"mul"``, ``"ave"`` or None (a list of both outputs).
      backward_layer: the layer run backwards (``go_backwards=True``); by default a
        copy of ``layer`` with ``go_backwards`` flipped.

    >>> import numpy as np
    >>> from fluxion import keras
    >>> Bidirectional(keras.layers.LSTM(4))(np.ones((2, 3, 5), "float32")).shape
    TensorShape([2, 8])
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a `keras.layers."
                             f"Layer` instance. Received: {layer}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `keras.layers.Layer` instance. "
                             f"Received: {backward_layer}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode "
                             "should be one of {'sum', 'mul', 'ave', 'concat', None}")
        super().__init__(**kwargs)
        config = serialize_keras_object(layer)
        config["config"]["name"] = "forward_" + _without_prefix(layer.name, "forward_")
        self.forward_layer = deserialize_keras_object(config)
        if backward_layer is None:
            config = copy.deepcopy(serialize_keras_object(layer))
            config["config"]["go_backwards"] = not layer.go_backwards
            config["config"]["name"] = "backward_" + _without_prefix(layer.name, "backward_")
            self.backward_layer = deserialize_keras_object(config)
        else:
            self.backward_layer = backward_layer
        self._check_pair()
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec
        if weights is not None:
            half = len(weights) // 2
            self._initial_weights = (weights[:half], weights[half:])

    def _check_pair(self) -> None:
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             "`go_backwards` value. Received: forward_layer.go_backwards "
                             f"{forward.go_backwards}, backward_layer.go_backwards="
                             f"{backward.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(forward, attr) != getattr(backward, attr):
                raise ValueError("Forward layer and backward layer are expected to have the "
                                 f'same value for attribute "{attr}", got '
                                 f'"{getattr(forward, attr)}" for forward layer and '
                                 f'"{getattr(backward, attr)}" for backward layer')

    def build(self, sequences_shape, initial_state_shape=None) -> None:
        self.forward_layer._maybe_build(sequences_shape)
        self.backward_layer._maybe_build(sequences_shape)
        initial = getattr(self, "_initial_weights", None)
        if initial is not None:
            self.forward_layer.set_weights(initial[0])
            self.backward_layer.set_weights(initial[1])
            self._initial_weights = None
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {}
        if self.forward_layer._call_has_training:
            kwargs["training"] = training
        if self.forward_layer._call_has_mask:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        y, y_rev = self._cast(y), self._cast(y_rev)
        if self.return_sequences:
            y_rev = reverse(y_rev, [1])
        if self.merge_mode == "concat":
            output = concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return (list(output) if self.merge_mode is None else [output]) + list(states)
        return output

    def _cast(self, x):
        return cast(x, self.compute_dtype) if x.dtype.name != self.compute_dtype else x

    def reset_state(self) -> None:
        if self.stateful:
            self.forward_layer.reset_state()
            self.backward_layer.reset_state()

    reset_states = reset_state

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output = self.forward_layer.compute_output_shape(sequences_shape)
        states = ()
        if self.return_state:
            output, states = output[0], tuple(output[1:])
        output = tuple(output)
        if self.merge_mode == "concat":
            output = output[:-1] + (output[-1] * 2,)
        if self.merge_mode is None:
            output = [output, output]
        else:
            output = [output] if self.return_state else output
        if self.return_state:
            return list(output) + list(states) * 2
        return output

    def compute_mask(self, _, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        output_mask = [output_mask, output_mask] if self.merge_mode is None else output_mask
        if self.return_state:
            state_mask = [None] * (len(self.forward_layer.state_size) * 2)
            return (output_mask if isinstance(output_mask, list) else [output_mask]) + \
                state_mask
        return output_mask

    def get_config(self) -> dict:
        config = {**super().get_config(), "merge_mode": self.merge_mode,
                  "layer": serialize_keras_object(self.forward_layer),
                  "backward_layer": serialize_keras_object(self.backward_layer)}
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = copy.deepcopy(config)
        config["layer"] = deserialize_keras_object(config["layer"],
                                                   custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize_keras_object(
                backward, custom_objects=custom_objects)
        return super().from_config(config)
