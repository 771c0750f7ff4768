"""How ``cond`` and ``while_loop`` convert the user functions they are handed.

Called from AutoGraph-converted code, ``cond``'s branches and ``while_loop``'s ``cond`` and
``body`` are converted too, as TensorFlow does.  AutoGraph sits above these control-flow
functions (it rewrites Python ``if`` and ``while`` into them), so they cannot import it;
instead AutoGraph installs its converter here when it is loaded.  Before that, no code
can be running converted, and functions are used as given.
"""

from __future__ import annotations

from collections.abc import Callable

_converter: Callable | None = None


def install(converter: Callable) -> None:
    """Makes ``converter(function) -> function`` the conversion of nested user functions."""
    global _converter
    _converter = converter


def maybe_convert(function: Callable) -> Callable:
    """``function`` converted when AutoGraph is converting the code that called us."""
    return function if _converter is None else _converter(function)
