"""``OperationLayer``: an operator applied to KerasTensors (``x + y`` in a functional model)."""

from __future__ import annotations

from fluxion.keras.layers.layer import Layer


class OperationLayer(Layer):
    """Wraps a function of tensors so that it can sit in a functional model's graph."""

    def __init__(self, function, name: str | None = None, **kwargs):
        super().__init__(name=None, **kwargs)
        self.function = function
        self._op_name = name or "operation"

    def call(self, *inputs):
        return self.function(*inputs)

    def get_config(self) -> dict:
        raise TypeError(
            f"The operator layer {self.name} ({self._op_name}) built from a Python operator on "
            f"KerasTensors cannot be serialized; use keras layers (Add, Multiply, Lambda) to "
            f"make the model saveable.")
