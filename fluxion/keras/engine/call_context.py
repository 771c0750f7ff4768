"""The call context: ``training`` flows from an outer layer call to the layers inside it."""

from __future__ import annotations

import threading

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
    """Counts nested layer calls; ``outermost`` is True for a call made from outside any layer."""

    def __enter__(self):
        depth = getattr(_state, "depth", 0)
        _state.depth = depth + 1
        return depth == 0

    def __exit__(self, *exc):
        _state.depth -= 1
