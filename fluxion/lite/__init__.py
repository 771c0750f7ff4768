"""TensorFlow Lite (``tf.lite``): ``TFLiteConverter``, its options, and ``Interpreter``
(LiteRT's, from the ``ai-edge-litert`` package, when installed; otherwise
``FluxionInterpreter``, which runs the file with Fluxion's own kernels).

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
           "Interpreter", "FluxionInterpreter", "UnsupportedOperationError"]


def __getattr__(name):
    if name == "Interpreter":
        from fluxion.lite.interpreter.selection import interpreter_class

        return interpreter_class()
    if name == "FluxionInterpreter":
        from fluxion.lite.interpreter.interpreter import FluxionInterpreter

        return FluxionInterpreter
    raise AttributeError(f"module 'fluxion.lite' has no attribute {name!r}")
