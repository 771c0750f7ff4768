"""ONNX mappings of the primitives, one module per family.

Importing a module stores its mappings in the primitive records' export slots
(``primitive.export["onnx"]``); the lowering reads only the records.
"""

from __future__ import annotations

import importlib

from fluxion.core.primitive import register_export

_FAMILIES = ("state", "elementwise", "activation", "contraction", "conv", "shape",
             "indexing", "reduce", "recurrent", "image", "categorical")
_registered = False


def lowers(*primitive_names: str):
    """Stores the decorated ``lower(ctx, node)`` as the ONNX mapping of the primitives."""
    def register(function):
        for name in primitive_names:
            register_export("onnx", name, function)
        return function
    return register


def register_all() -> None:
    """Imports every family module once, which fills the export slots."""
    global _registered
    if not _registered:
        for family in _FAMILIES:
            importlib.import_module(f"fluxion.onnx.mappings.{family}")
        _registered = True
