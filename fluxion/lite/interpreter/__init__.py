"""Fluxion's own TFLite interpreter: runs ``.tflite`` files with NumPy and Fluxion ops
where LiteRT is not installed (``fluxion.lite.Interpreter`` picks LiteRT when it is)."""

from fluxion.lite.interpreter.interpreter import FluxionInterpreter, UnsupportedOperatorError
from fluxion.lite.interpreter.signature_runner import SignatureRunner

__all__ = ["FluxionInterpreter", "SignatureRunner", "UnsupportedOperatorError"]
