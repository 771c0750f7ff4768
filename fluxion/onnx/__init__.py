"""Export to ONNX (``fluxion.onnx.export``) from the primitives' export slots, through
the ``onnx`` package.

Importing this package is light: ``onnx`` is imported when ``export`` runs, and the
mappings (``fluxion.onnx.mappings``) fill ``primitive.export["onnx"]`` then.
"""

from fluxion.onnx.errors import UnsupportedLayerError, UnsupportedOperationError
from fluxion.onnx.exporter import DEFAULT_OPSET, export, supported_operations

__all__ = ["export", "supported_operations", "UnsupportedOperationError",
           "UnsupportedLayerError", "DEFAULT_OPSET"]
