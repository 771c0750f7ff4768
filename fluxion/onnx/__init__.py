"""Export of Keras models to ONNX (``fluxion.onnx.export``), through the ``onnx`` package.

Importing this package is light: ``onnx`` is imported when ``export`` runs.
"""

from fluxion.onnx.errors import UnsupportedLayerError
from fluxion.onnx.exporter import DEFAULT_OPSET, export

__all__ = ["export", "UnsupportedLayerError", "DEFAULT_OPSET"]
