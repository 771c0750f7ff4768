"""Which class ``fluxion.lite.Interpreter`` is: LiteRT's interpreter when the
``ai-edge-litert`` package is installed, Fluxion's own (``FluxionInterpreter``)
otherwise.  ``fluxion.lite.FluxionInterpreter`` always names Fluxion's."""

from __future__ import annotations


def litert_interpreter_class():
    """LiteRT's ``Interpreter`` class, or None when ``ai-edge-litert`` is not installed."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        return None
    return Interpreter


def interpreter_class():
    """LiteRT's ``Interpreter`` when installed, else ``FluxionInterpreter``."""
    litert = litert_interpreter_class()
    if litert is not None:
        return litert
    from fluxion.lite.interpreter.interpreter import FluxionInterpreter

    return FluxionInterpreter
