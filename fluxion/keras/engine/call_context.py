"""The call context: ``training`` flows from an outer layer call to the layers inside it,
each layer call says which dtype its float weights are read in (autocasting), and a layer's
``call`` runs AutoGraph-converted inside a trace.

With ``keras_tensor``, this is where Keras touches the engine's interpreter state (name
scopes, the active tracer, AutoGraph) rather than its public ops (docs/DESIGN.md).
"""

from __future__ import annotations

import threading

from fluxion.core import context
from fluxion.graph.autograph import conversion

_state = threading.local()


def current_training():
    """The ``training`` value of the innermost enclosing layer call that set one, or None."""
    stack = getattr(_state, "training", None)
    return stack[-1] if stack else None


class training_scope:  # noqa: N801 - used as a context manager
    def __init__(self, training):
        self.training = training

    def __enter__(self):
        stack = getattr(_state, "training", None)
        if stack is None:
            stack = _state.training = []
        stack.append(self.training)

    def __exit__(self, *exc):
        _state.training.pop()


class call_depth:  # noqa: N801 - used as a context manager
    """Counts nested layer calls; ``outermost`` is True for a call made from outside any layer.

    Given the layer's name, it also opens a name scope of that name, so graph nodes traced
    inside the call are grouped under the layer (TensorBoard's graph view).
    """

    def __init__(self, name: str | None = None):
        self.name = name

    def __enter__(self):
        depth = getattr(_state, "depth", 0)
        _state.depth = depth + 1
        if self.name is not None:
            context.name_scopes.append(self.name)
        return depth == 0

    def __exit__(self, *exc):
        _state.depth -= 1
        if self.name is not None:
            context.name_scopes.pop()


def current_autocast():
    """The dtype the innermost enclosing layer call reads float weights in (None: as stored).

    A layer whose policy computes in another dtype than it stores (``mixed_float16``)
    reads its float32 weights as float16 inside ``call``, as Keras does.
    """
    stack = getattr(_state, "autocast", None)
    return stack[-1] if stack else None


class autocast_scope:  # noqa: N801 - used as a context manager
    def __init__(self, dtype):
        self.dtype = dtype

    def __enter__(self):
        stack = getattr(_state, "autocast", None)
        if stack is None:
            stack = _state.autocast = []
        stack.append(self.dtype)

    def __exit__(self, *exc):
        _state.autocast.pop()


def call_method(layer):
    """``layer.call``; inside a trace (unless AutoGraph is off there), its converted form.

    tf.keras converted user layers' ``call`` inside ``tf.function`` (so Python control
    flow on tensors in ``call`` works under ``fit``); library layers run as they are.
    """
    call = layer.call
    if context.tracer is None:
        return call
    if conversion.status.enabled is False:
        return call
    return conversion.convert_callable(call) or call
