"""``StackedRNNCells``: several cells run as one, each feeding its output to the next."""

from __future__ import annotations

from fluxion.core import nest
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from fluxion.ops.creation_ops import zeros


@keras_class("keras.layers")
class StackedRNNCells(Layer):
    """Wraps a list of cells so an ``RNN`` runs them as one (``keras.layers.StackedRNNCells``).

    The states are one entry per cell (each that cell's own state structure).

    >>> import numpy as np
    >>> from fluxion import keras
    >>> cells = [keras.layers.LSTMCell(4), keras.layers.GRUCell(2)]
    >>> keras.layers.RNN(StackedRNNCells(cells))(np.ones((2, 3, 5), "float32")).shape
    TensorShape([2, 2])
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError("All cells must have a `call` method. Received cell "
                                 f"without a `call` method: {cell}")
            if "state_size" not in dir(cell):
                raise ValueError("All cells must have a `state_size` attribute. Received "
                                 f"cell without a `state_size`: {cell}")
        self.cells = list(cells)

    @property
    def state_size(self) -> list:
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        size = last.state_size
        return size[0] if isinstance(size, (list, tuple)) else size

    def get_initial_state(self, batch_size=None) -> list:
        states = []
        for cell in self.cells:
            make = getattr(cell, "get_initial_state", None)
            if make is not None:
                states.append(make(batch_size=batch_size))
            else:
                size = cell.state_size
                sizes = size if isinstance(size, (list, tuple)) else [size]
                states.append([zeros([batch_size, d], dtype=self.compute_dtype)
                               for d in sizes])
        return states

    def build(self, input_shape) -> None:
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._maybe_build(input_shape)
            size = getattr(cell, "output_size", None)
            if size is None:
                size = cell.state_size
                size = size[0] if isinstance(size, (list, tuple)) else size
            input_shape = (input_shape[0], size)
        self.built = True

    def call(self, inputs, states, training=False, **kwargs):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = nest.is_nested(cell_states)
            cell_states = list(cell_states) if was_list else [cell_states]
            call_kwargs = dict(kwargs)
            if isinstance(cell, Layer) and cell._call_has_training:
                call_kwargs["training"] = training
            call = cell if isinstance(cell, Layer) else cell.call
            inputs, cell_states = call(inputs, cell_states, **call_kwargs)
            if not nest.is_nested(cell_states):
                cell_states = [cell_states]
            if len(cell_states) == 1 and not was_list:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        if len(new_states) == 1:
            new_states = new_states[0]
        return inputs, new_states

    def reset_dropout_mask(self) -> None:
        for cell in self.cells:
            if hasattr(cell, "reset_dropout_mask"):
                cell.reset_dropout_mask()

    def reset_recurrent_dropout_mask(self) -> None:
        for cell in self.cells:
            if hasattr(cell, "reset_recurrent_dropout_mask"):
                cell.reset_recurrent_dropout_mask()

    def get_config(self) -> dict:
        return {**super().get_config(),
                "cells": [serialize_keras_object(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        cells = [deserialize_keras_object(c, custom_objects=custom_objects)
                 for c in config.pop("cells")]
        return super().from_config({**config, "cells": cells})
