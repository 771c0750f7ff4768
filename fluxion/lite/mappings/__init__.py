"""TFLite mappings of the primitives, one module per family.

Importing a module stores its mappings in the primitive records' export slots
(``primitive.export["tflite"]``); the lowering reads only the records.
"""

from __future__ import annotations

import importlib

from fluxion.core.primitive import REGISTRY

_FAMILIES = ("activation", "elementwise", "dense", "contraction", "conv", "shape", "reduce",
             "recurrent")
_registered = False

ACTIVATIONS = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3, "TANH": 4}


def lowers(*primitive_names: str):
    """Stores the decorated ``lower(ctx, node)`` as the TFLite mapping of the primitives."""
    def register(function):
        for name in primitive_names:
            REGISTRY[name].export["tflite"] = function
        return function
    return register


def register_all() -> None:
    """Imports every family module once, which fills the export slots."""
    global _registered
    if not _registered:
        for family in _FAMILIES:
            importlib.import_module(f"fluxion.lite.mappings.{family}")
        _registered = True
