"""Primitives by name, for loading: every module that defines primitives, imported on demand.

A saved graph names its primitives; loading looks each name up in the registry
(``fluxion.core.primitive.REGISTRY``).  Every family under ``fluxion.core.primitives``
is registered by ``import fluxion.core``; an unknown name still imports the modules
listed here (those families, the modules outside them that define control-flow
primitives, and the protobuf codecs of ``fluxion.io``) and looks again.  A test checks
that the list names every module that defines a primitive.

Some primitives are refused even though they exist: they would run Python code or
put text from the file into generated source (``REFUSED``).
"""

from __future__ import annotations

import importlib

from fluxion.core.primitive import REGISTRY, Primitive

PRIMITIVE_MODULES = (
    "fluxion.core.primitives.activation", "fluxion.core.primitives.bitwise",
    "fluxion.core.primitives.broadcast", "fluxion.core.primitives.byte_codecs",
    "fluxion.core.primitives.categorical", "fluxion.core.primitives.complex_parts",
    "fluxion.core.primitives.conv", "fluxion.core.primitives.creation",
    "fluxion.core.primitives.csv_decode", "fluxion.core.primitives.ctc",
    "fluxion.core.primitives.decode_raw", "fluxion.core.primitives.decompositions",
    "fluxion.core.primitives.dynamic_indexing", "fluxion.core.primitives.dynamic_shape",
    "fluxion.core.primitives.elementwise", "fluxion.core.primitives.fft",
    "fluxion.core.primitives.files", "fluxion.core.primitives.framing",
    "fluxion.core.primitives.fused_elementwise", "fluxion.core.primitives.gather_scatter",
    "fluxion.core.primitives.host_call", "fluxion.core.primitives.image_boxes",
    "fluxion.core.primitives.image_codec", "fluxion.core.primitives.image_glimpse",
    "fluxion.core.primitives.image_place", "fluxion.core.primitives.image_resize",
    "fluxion.core.primitives.indexing", "fluxion.core.primitives.layout",
    "fluxion.core.primitives.linalg", "fluxion.core.primitives.lstm",
    "fluxion.core.primitives.matrix_decompositions", "fluxion.core.primitives.nms",
    "fluxion.core.primitives.pool", "fluxion.core.primitives.python_call",
    "fluxion.core.primitives.random", "fluxion.core.primitives.random_candidates",
    "fluxion.core.primitives.recurrent", "fluxion.core.primitives.reduce",
    "fluxion.core.primitives.runtime_check", "fluxion.core.primitives.shape",
    "fluxion.core.primitives.sort", "fluxion.core.primitives.special_math",
    "fluxion.core.primitives.state", "fluxion.core.primitives.string_format",
    "fluxion.core.primitives.strings", "fluxion.core.primitives.text_lookup",
    "fluxion.core.primitives.unique", "fluxion.graph.autograph.dataset_loops",
    "fluxion.graph.cond", "fluxion.graph.control_flow", "fluxion.graph.while_loop",
    "fluxion.io.parsing", "fluxion.io.proto_codec", "fluxion.io.string_codecs",
    "fluxion.io.tensor_serialization", "fluxion.ops.segment_ops",
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
