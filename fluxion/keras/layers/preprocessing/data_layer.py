"""``DataLayer``: the base of the preprocessing layers.

Preprocessing layers take raw data, so a (nested) Python list or tuple given as the
input is one tensor (``[["a", "b"], ["c", "d"]]`` is a ``[2, 2]`` string tensor), not a
structure of separate inputs as for other layers.
"""

from __future__ import annotations

from fluxion.core.tensor import convert_to_tensor
from fluxion.keras.engine.keras_tensor import any_keras_tensor
from fluxion.keras.layers.layer import Layer


class DataLayer(Layer):
    """A layer whose list inputs are converted whole to one tensor."""

    def _convert_inputs(self, inputs):
        if isinstance(inputs, (list, tuple)) and not isinstance(inputs, dict) and \
                not any_keras_tensor((inputs,), {}):
            inputs = convert_to_tensor(inputs)
        return super()._convert_inputs(inputs)
