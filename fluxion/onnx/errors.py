"""The error raised when an exported function holds something ONNX cannot express."""

from __future__ import annotations


class UnsupportedOperationError(ValueError):
    """An operation (a primitive of the traced function) without an ONNX mapping, or one
    its mapping cannot express; the message names the primitive, the Keras layer that
    made it and the line of the user's code that traced it."""

    def __init__(self, message: str, primitive: str | None = None, layer: str | None = None):
        super().__init__(message)
        self.primitive = primitive
        self.layer = layer


# The name the layer-table exporter raised; kept so existing ``except`` clauses work.
UnsupportedLayerError = UnsupportedOperationError
