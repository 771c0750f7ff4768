"""TFLite mappings of the primitives, one module per family.

Importing a module stores its mappings in the primitive records' export slots
(``primitive.export["tflite"]``); the lowering reads only the records.
"""

from __future__ import annotations

from fluxion.graph.export_lowering import family_importer, mapping_decorator

_FAMILIES = ("state", "activation", "elementwise", "dense", "contraction", "conv", "shape",
             "reduce", "recurrent")

ACTIVATIONS = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3, "TANH": 4}

lowers = mapping_decorator("tflite")  # @lowers(*primitive names) on ``lower(ctx, node)``
register_all = family_importer("fluxion.lite.mappings", _FAMILIES)
