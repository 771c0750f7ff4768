"""The table from Keras layer classes to their ONNX converters.

A converter is ``convert(graph, layer, inputs, shapes) -> output name(s)``: ``graph`` is
the ``GraphBuilder``, ``inputs`` the ONNX names of the layer call's input tensors (in
order), ``shapes`` their Keras shapes (``None`` for unknown dimensions, the batch first).

This first version maps whole layers.  DESIGN.md has exporters read the primitives'
export slots; a layer table is what the Sequential/functional models of common layers
need, and each family of layers keeps its mapping in one small ``convert_*`` module.
"""

from __future__ import annotations

from collections.abc import Callable

_CONVERTERS: dict[type, Callable] = {}


def converts(*layer_classes: type):
    """Registers the decorated function as the converter of ``layer_classes`` (and of
    their subclasses, unless a subclass has its own)."""
    def register(function: Callable) -> Callable:
        for cls in layer_classes:
            _CONVERTERS[cls] = function
        return function
    return register


def converter_for(layer) -> Callable | None:
    """The converter of ``layer``'s class, found along its method resolution order.

    A subclass inherits its parent's converter only when it keeps the parent's ``call``:
    a subclass that computes something else must not be exported as its parent.
    """
    for cls in type(layer).__mro__:
        if cls in _CONVERTERS:
            return _CONVERTERS[cls] if type(layer).call is cls.call else None
    return None


def supported_layer_names() -> list[str]:
    """The public layer classes that have a converter (registered or inherited)."""
    names, pending = set(), list(_CONVERTERS)
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        public = not cls.__name__.startswith(("_", "Base"))
        if public and any(c in _CONVERTERS and cls.call is c.call for c in cls.__mro__):
            names.add(cls.__name__)
    return sorted(names)
