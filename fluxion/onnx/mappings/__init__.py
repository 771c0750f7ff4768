"""ONNX mappings of the primitives, one module per family.

Importing a module stores its mappings in the primitive records' export slots
(``primitive.export["onnx"]``); the lowering reads only the records.
"""

from __future__ import annotations

from fluxion.graph.export_lowering import family_importer, mapping_decorator

_FAMILIES = ("state", "elementwise", "activation", "contraction", "conv", "shape",
             "indexing", "reduce", "recurrent", "image", "categorical")

lowers = mapping_decorator("onnx")  # @lowers(*primitive names) on ``lower(ctx, node)``
register_all = family_importer("fluxion.onnx.mappings", _FAMILIES)
