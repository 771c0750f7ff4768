"""The error raised when a model holds something the ONNX exporter cannot express."""

from __future__ import annotations


class UnsupportedLayerError(ValueError):
    """A layer (named, with its class) that has no ONNX mapping, and why."""

    def __init__(self, layer, reason: str | None = None):
        from fluxion.onnx.registry import supported_layer_names

        self.layer = layer
        what = f"layer '{layer.name}' (class {type(layer).__name__})"
        if reason is None:
            message = (f"ONNX export: {what} has no ONNX mapping. Supported layer classes: "
                       f"{', '.join(supported_layer_names())}.")
        else:
            message = f"ONNX export: {what} cannot be exported: {reason}."
        super().__init__(message)
