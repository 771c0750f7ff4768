"""``name_scope``: the prefix of the names given to variables and ops (``tf.name_scope``).

Scopes nest per thread: inside ``name_scope("a")`` and ``name_scope("b")`` a variable
named ``"v"`` is ``"a/b/v:0"``.  A name ending in ``/`` is taken as an absolute scope
(TF's way to re-enter one); ``""`` or ``None`` resets to the top.
"""

from __future__ import annotations

import re
import threading

_VALID = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")


class _Stack(threading.local):
    def __init__(self):
        self.scopes: list[str] = []  # each the full scope, without the trailing "/"


_stack = _Stack()


def current() -> str:
    """The active scope (``"a/b"``), or ``""`` at the top."""
    return _stack.scopes[-1] if _stack.scopes else ""


def scoped(name: str) -> str:
    """``name`` under the active scope."""
    scope = current()
    return f"{scope}/{name}" if scope else name


class name_scope:  # noqa: N801 - TF's name
    """A context manager that opens a name scope (``tf.name_scope``).

    Args:
      name: the scope's name, nested under the active scope; a name ending in ``/``
        is absolute; ``""`` or None opens the top-level scope.

    ``with name_scope("block") as scope:`` binds ``scope`` to ``"block/"``.

    >>> import fluxion as tf
    >>> with tf.name_scope("layer1"):
    ...     tf.Variable(1.0, name="w").name
    'layer1/w:0'
    """

    def __init__(self, name, *args, **kwargs):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name_scope: name must be a string, got {type(name).__name__}")
        if name and not name.endswith("/") and not _VALID.match(name):
            raise ValueError(f"name_scope: {name!r} is not a valid scope name (letters, "
                             f"digits, '.', '_', '-', '/')")
        self._name = name or ""

    @property
    def name(self) -> str:
        return self._name

    def __enter__(self) -> str:
        if not self._name:
            full = ""
        elif self._name.endswith("/"):
            full = self._name[:-1]
        else:
            full = scoped(self._name)
        _stack.scopes.append(full)
        return full + "/" if full else ""

    def __exit__(self, *exc) -> None:
        _stack.scopes.pop()


def get_current_name_scope() -> str:
    """The active name scope, ``"a/b"`` (``tf.get_current_name_scope``)."""
    return current()
