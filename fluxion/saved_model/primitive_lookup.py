"""Primitives by name, for loading: every module that defines primitives, imported on demand.

A saved graph names its primitives; loading looks each name up in the registry
(``fluxion.core.primitive.REGISTRY``).  Most primitives are registered when
``fluxion`` is imported, the rest when their module is (parsing, protobuf codecs...),
so an unknown name first imports every module of ``fluxion.core.primitives`` and the
few listed here, and looks again.  A test checks
that no module defining a primitive is missing.

Some primitives are refused even though they exist (``REFUSED``): they would run
Python code, put text from the file into generated source, or touch the serving
machine's files.
"""

from __future__ import annotations

import importlib
import pkgutil

from fluxion.core.primitive import REGISTRY, Primitive

# Every module of this package is imported; then the modules elsewhere that define
# primitives (a test checks that no module is missing).
PRIMITIVE_PACKAGE = "fluxion.core.primitives"
PRIMITIVE_MODULES = (
    "fluxion.graph.autograph.dataset_loops", "fluxion.graph.cond",
    "fluxion.graph.control_flow", "fluxion.graph.while_loop", "fluxion.io.parsing",
    "fluxion.io.proto_codec", "fluxion.io.string_codecs", "fluxion.io.tensor_serialization",
    "fluxion.keras.layers.pooling.adaptive_pooling", "fluxion.ops.segment_ops",
)

# Primitives a file may not use, and why.
REFUSED = {
    "fused_elementwise": "it is made by the optimiser when a graph is compiled, and its "
                         "program is written into generated source",
    "py_call": "it calls a Python function (tf.py_function / numpy_function)",
    "host_call": "it calls a Python function",
    "dataset_loop": "it iterates a Python Dataset object",
    "read_file": "it reads files on the machine that serves the model",
    "write_file": "it writes files on the machine that serves the model",
    "matching_files": "it lists files on the machine that serves the model",
}

_imported_all = False


def lookup(name: str) -> Primitive | None:
    """The primitive called ``name``, or None if there is none (or it is refused)."""
    global _imported_all
    if name in REFUSED:
        return None
    prim = REGISTRY.get(name)
    if prim is None and not _imported_all:
        for module in all_primitive_modules():
            importlib.import_module(module)
        _imported_all = True
        prim = REGISTRY.get(name)
    return prim


def all_primitive_modules() -> list[str]:
    """The modules to import so that every primitive is registered."""
    package = importlib.import_module(PRIMITIVE_PACKAGE)
    inside = [f"{PRIMITIVE_PACKAGE}.{info.name}"
              for info in pkgutil.iter_modules(package.__path__)]
    return inside + list(PRIMITIVE_MODULES)
