"""The walk both exporters (TFLite, ONNX) lower a traced graph with.

The walk visits the graph's nodes in order.  A node all of whose inputs are known
arrays (the model's variables, read at export time, and constants) is computed here
with the primitive's own kernel: the file stores its result.  Every other node is
handed to the mapping in its primitive record's export slot (``primitive.export[slot]``),
which emits the format's operators through the exporter's context (a subclass of
``LoweringContext``) and returns what holds each output; the exporter's ``bind_output``
records it.  A node that cannot be lowered is an error only when something the function
returns needs it (``Unavailable`` carries the first error to that point), so the pieces
of a chain a mapping replaces by one operator (GELU's ``erf`` chain) need no mappings of
their own.
"""

from __future__ import annotations

import importlib

import numpy as np

from fluxion.core.primitive import register_export


class Unavailable(Exception):
    """A mapping asked for a value that could not be lowered (carries the first error)."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


class LoweringContext:
    """What a mapping sees of the walk: the node being lowered and the known arrays.

    An exporter's subclass passes its format's name, its export-slot key, the end of the
    message for a primitive without a mapping and its error class (which takes the
    message and the keywords ``primitive`` and ``layer``), and defines
    ``bind_output(node, value, result)``: what its mappings return, recorded.
    """

    def __init__(self, format_name: str, slot: str, missing: str, error_class: type):
        self.format_name, self.slot, self.missing = format_name, slot, missing
        self.error_class = error_class
        self.node = None
        self._arrays: dict[int, np.ndarray] = {}  # Fluxion value id -> known array
        self._failed: dict[int, Exception] = {}  # value id -> why it has no lowering

    def unsupported_error(self, node, reason: str) -> Exception:
        """The error naming ``node``'s primitive, Keras layer and traced source line."""
        layer = node.origin[0] if node.origin and node.origin[0] else None
        where = f" in layer '{layer}'" if layer else ""
        line = f" (traced at {node.origin[1]})" if node.origin and node.origin[1] else ""
        return self.error_class(
            f"{self.format_name}: operation '{node.prim.name}'{where}{line} {reason}",
            primitive=node.prim.name, layer=layer)

    @property
    def layer(self) -> str:
        """The name scope of the node (the Keras layer that made it), or ""."""
        origin = self.node.origin if self.node is not None else None
        return origin[0] if origin else ""

    def hint(self, suffix: str = "") -> str:
        base = self.layer or self.node.prim.name
        return f"{base}/{suffix}" if suffix else base

    def unsupported(self, reason: str) -> Exception:
        return self.unsupported_error(self.node, reason)

    def array(self, value) -> np.ndarray | None:
        """The value's array when known at export time (a constant), else None."""
        if value.is_constant:
            return np.asarray(value.constant)
        return self._arrays.get(value.id)

    def check_available(self, value) -> None:
        """Raises ``Unavailable`` when ``value`` could not be lowered."""
        if value.id in self._failed:
            raise Unavailable(self._failed[value.id])

    def _know(self, value, array) -> None:
        self._arrays[value.id] = np.asarray(array)


def lower_nodes(ctx: LoweringContext, graph) -> None:
    """Lowers every node of ``graph`` through ``ctx`` (failures recorded, not raised)."""
    for node in graph.nodes:
        ctx.node = node
        try:
            _lower_node(ctx, node)
        except Unavailable as unavailable:  # an input could not be lowered: nor can this
            for value in node.outputs:
                ctx._failed[value.id] = unavailable.error
        except ctx.error_class as error:  # kept: raised only if something needs it
            for value in node.outputs:
                ctx._failed[value.id] = error
    ctx.node = None


def _lower_node(ctx: LoweringContext, node) -> None:
    prim = node.prim
    arrays = [ctx.array(v) for v in node.inputs]
    if not prim.stateful and all(a is not None for a in arrays):
        result = prim.kernel(*arrays, **node.attrs)  # folded: the file stores the result
        results = result if prim.multiple_results else (result,)
        for value, array in zip(node.outputs, results):
            ctx._know(value, array)
        return
    mapping = prim.export.get(ctx.slot)
    if mapping is None:
        raise ctx.unsupported_error(node, ctx.missing)
    result = mapping(ctx, node)
    results = result if isinstance(result, (tuple, list)) else (result,)
    if len(results) != len(node.outputs):
        raise AssertionError(f"the {ctx.slot} mapping of {prim.name} returned "
                             f"{len(results)} results for {len(node.outputs)} outputs")
    for value, held in zip(node.outputs, results):
        ctx.bind_output(node, value, held)


def mapping_decorator(slot: str):
    """An exporter's ``@lowers(*primitive_names)``: stores the decorated
    ``lower(ctx, node)`` in the named primitives' ``export[slot]``."""
    def lowers(*primitive_names: str):
        def register(function):
            for name in primitive_names:
                register_export(slot, name, function)
            return function
        return register
    return lowers


def family_importer(package: str, families: tuple):
    """An exporter's ``register_all()``: imports each family module of its mappings
    package once, which fills the export slots."""
    done = []

    def register_all() -> None:
        if not done:
            for family in families:
                importlib.import_module(f"{package}.{family}")
            done.append(True)
    return register_all
