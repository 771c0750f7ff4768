"""Placeholders for variables that have no value (yet) on some path.

``Undefined('y')`` stands for a variable a converted statement may assign but that has
no value before it; a ``cond`` branch that leaves a variable unassigned, or a loop that
defines a variable only inside its body, leaves one behind too.  It is harmless until
used: then it raises an error that names the variable and says why it has no value
(with the user's line), as TF's AutoGraph does for variables that are live there.
"""

from __future__ import annotations

from fluxion.core import nest


class UndefinedVariableError(NameError):
    """A variable converted by AutoGraph was used where it has no value."""


class Undefined:
    """A variable with no value; any use raises ``UndefinedVariableError``."""

    __slots__ = ("symbol_name", "reason")

    def __init__(self, symbol_name: str, reason: str | None = None):
        object.__setattr__(self, "symbol_name", symbol_name)
        object.__setattr__(self, "reason", reason)

    def error(self) -> UndefinedVariableError:
        reason = self.reason or (f"'{self.symbol_name}' is used before it is assigned (it "
                                 f"has no value on this path)")
        return UndefinedVariableError(reason)

    def __getattr__(self, attribute):
        if attribute.startswith("_"):  # protocol probes (hasattr) see no such attribute
            raise AttributeError(attribute)
        raise self.error()

    def __setattr__(self, attribute, value):
        raise self.error()

    def __repr__(self) -> str:
        return f"<undefined '{self.symbol_name}'>"

    def _fail(self, *args, **kwargs):
        raise self.error()

    __bool__ = __len__ = __iter__ = __getitem__ = __call__ = __array__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _fail
    __pow__ = __rpow__ = __matmul__ = __rmatmul__ = __neg__ = __pos__ = __abs__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = __int__ = __float__ = __index__ = _fail
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = __invert__ = _fail


class UndefinedReturnValue(Undefined):
    """The return value of a function that has not returned yet (``None`` if it never does)."""

    def __init__(self):
        super().__init__("retval_", "the function has not returned a value on this path")


def return_value(value):
    """What a converted function returns: ``None`` for no return; an error for undefined."""
    if isinstance(value, UndefinedReturnValue):
        return None
    if isinstance(value, Undefined):
        raise value.error()
    if nest.is_nested(value):
        for leaf in nest.flatten(value):
            if isinstance(leaf, Undefined):
                raise leaf.error()
    return value


def is_undefined(value) -> bool:
    return isinstance(value, Undefined)
