"""TensorFlow Lite export (``tf.lite``): ``TFLiteConverter``, its options, and
``Interpreter`` (LiteRT's, from the ``ai-edge-litert`` package, loaded on first use).

Importing this package is light: lowering, quantization and the flatbuffer writer load
when ``convert()`` runs; ``flatbuffers``/``tflite`` are imported then.
"""

from fluxion.lite.converter import (
    OpsSet,
    Optimize,
    RepresentativeDataset,
    TargetSpec,
    TFLiteConverter,
)
from fluxion.lite.lowering import UnsupportedOperationError

__all__ = ["TFLiteConverter", "Optimize", "OpsSet", "RepresentativeDataset", "TargetSpec",
           "Interpreter", "UnsupportedOperationError"]


def __getattr__(name):
    if name == "Interpreter":
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as error:
            raise ImportError("fluxion.lite.Interpreter runs .tflite files with LiteRT: "
                              "pip install 'fluxion[tflite]' (or ai-edge-litert).") from error
        return Interpreter
    raise AttributeError(f"module 'fluxion.lite' has no attribute {name!r}")
