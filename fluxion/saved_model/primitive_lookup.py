"""Primitives by name, for loading: every module that defines primitives, imported on demand.

A saved graph names its primitives; loading looks each name up in the registry
(``fluxion.core.primitive.REGISTRY``).  Most primitives are registered when
``fluxion`` is imported, the rest when their module is (string ops, image ops, Keras
preprocessing...), so an unknown name first imports the modules listed here and looks
again.  A test checks that the list names every module that defines a primitive.

Some primitives are refused even though they exist: they would run Python code or
put text from the file into generated source (``REFUSED``).
"""

from __future__ import annotations

import importlib

from fluxion.core.primitive import REGISTRY, Primitive

PRIMITIVE_MODULES = (
    "fluxion.core.primitives.activation", "fluxion.core.primitives.broadcast",
    "fluxion.core.primitives.complex_parts", "fluxion.core.primitives.conv",
    "fluxion.core.primitives.decompositions", "fluxion.core.primitives.dynamic_indexing",
    "fluxion.core.primitives.dynamic_shape", "fluxion.core.primitives.elementwise",
    "fluxion.core.primitives.fft", "fluxion.core.primitives.gather_scatter",
    "fluxion.core.primitives.host_call", "fluxion.core.primitives.indexing",
    "fluxion.core.primitives.layout", "fluxion.core.primitives.linalg",
    "fluxion.core.primitives.lstm", "fluxion.core.primitives.pool",
    "fluxion.core.primitives.random", "fluxion.core.primitives.recurrent",
    "fluxion.core.primitives.reduce", "fluxion.core.primitives.runtime_check",
    "fluxion.core.primitives.shape", "fluxion.core.primitives.sort",
    "fluxion.core.primitives.state", "fluxion.core.random_state",
    "fluxion.graph.autograph.dataset_loops", "fluxion.graph.cond",
    "fluxion.graph.control_flow", "fluxion.graph.passes.fusion", "fluxion.graph.while_loop",
    "fluxion.io.decode", "fluxion.io.parsing",
    "fluxion.keras.layers.pooling.adaptive_pooling",
    "fluxion.keras.layers.preprocessing.categorical",
    "fluxion.keras.layers.preprocessing.hashed_crossing",
    "fluxion.ops.array_extra", "fluxion.ops.bitwise", "fluxion.ops.creation_ops",
    "fluxion.ops.ctc_ops", "fluxion.ops.text_lookup_ops",
    "fluxion.ops.categorical_ops", "fluxion.ops.framework_ops", "fluxion.ops.image.codec_ops",
    "fluxion.ops.image.crop_ops", "fluxion.ops.image.glimpse_ops",
    "fluxion.ops.image.nms_ops", "fluxion.ops.image.patch_ops",
    "fluxion.ops.image.resize_ops", "fluxion.ops.linalg_decompositions",
    "fluxion.ops.math_extra", "fluxion.ops.random_candidates", "fluxion.ops.random_extra",
    "fluxion.ops.script_ops", "fluxion.ops.search_ops", "fluxion.ops.segment_ops",
    "fluxion.ops.signal.framing", "fluxion.ops.special_math_ops",
    "fluxion.ops.strings.basic_ops", "fluxion.ops.strings.format_ops",
    "fluxion.ops.strings.string_kernels", "fluxion.ops.unique_ops",
)

# Primitives a file may not use, and why.
REFUSED = {
    "fused_elementwise": "it is made by the optimiser when a graph is compiled, and its "
                         "program is written into generated source",
    "py_call": "it calls a Python function (tf.py_function / numpy_function)",
    "host_call": "it calls a Python function",
    "dataset_loop": "it iterates a Python Dataset object",
}

_imported_all = False


def lookup(name: str) -> Primitive | None:
    """The primitive called ``name``, or None if there is none (or it is refused)."""
    global _imported_all
    if name in REFUSED:
        return None
    prim = REGISTRY.get(name)
    if prim is None and not _imported_all:
        for module in PRIMITIVE_MODULES:
            importlib.import_module(module)
        _imported_all = True
        prim = REGISTRY.get(name)
    return prim
