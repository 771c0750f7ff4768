"""Error classes with TensorFlow's names, and the locating of the user's own line.

Every error an op raises names the op, what it expected, what it was given and the
line of the *user's* code that called it (``user_location``), never a frame inside
Fluxion.  The classes mirror ``tf.errors``; ``InvalidArgumentError`` also derives from
``ValueError`` so that code catching the built-in exception keeps working.
"""

from __future__ import annotations

import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class OpError(Exception):
    """Base of the errors an op raises (``tf.errors.OpError``)."""

    def __init__(self, node_def=None, op=None, message: str = "", *args):
        # TF's signature is (node_def, op, message); accept a bare message too.
        if message == "" and isinstance(node_def, str) and op is None:
            message, node_def = node_def, None
        super().__init__(message)
        self.message = message
        self.node_def = node_def
        self.op = op

    error_code = 2  # UNKNOWN; each subclass has its canonical code

    def __str__(self) -> str:
        return self.message


class CancelledError(OpError):
    error_code = 1


class UnknownError(OpError):
    error_code = 2


class InvalidArgumentError(OpError, ValueError):
    error_code = 3


class DeadlineExceededError(OpError):
    error_code = 4


class NotFoundError(OpError):
    error_code = 5


class AlreadyExistsError(OpError):
    error_code = 6


class PermissionDeniedError(OpError):
    error_code = 7


class ResourceExhaustedError(OpError):
    error_code = 8


class FailedPreconditionError(OpError):
    error_code = 9


class AbortedError(OpError):
    error_code = 10


class OutOfRangeError(OpError):
    error_code = 11


class UnimplementedError(OpError):
    error_code = 12


class InternalError(OpError):
    error_code = 13


class UnavailableError(OpError):
    error_code = 14


class DataLossError(OpError):
    error_code = 15


class UnauthenticatedError(OpError):
    error_code = 16



class OperatorNotAllowedInGraphError(TypeError):
    """A Python operation on a symbolic tensor that a graph cannot express (``if t:``)."""


class DTypeMismatchError(InvalidArgumentError, TypeError):
    """Two tensors of different dtypes met in one op (TF never promotes silently)."""


_INSIDE_PACKAGE: dict[str, bool] = {}  # code file name -> whether it is fluxion's own


def user_location() -> str:
    """``file:line`` of the innermost stack frame outside the fluxion package.

    The code Fluxion generates for a compiled graph (``<fluxion graph ...>``) counts as
    Fluxion's: an error while a graph runs names the user's line that ran it.
    """
    frame = sys._getframe(1)
    inside_cache = _INSIDE_PACKAGE
    while frame is not None:
        filename = frame.f_code.co_filename
        inside = inside_cache.get(filename)
        if inside is None:  # generated graph code ("<fluxion graph f>") is ours too
            inside = inside_cache[filename] = filename.startswith("<fluxion") or \
                os.path.abspath(filename).startswith(_PACKAGE_DIR)
        if not inside:
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"


def op_error(cls, op_name: str, message: str) -> OpError:
    """An error of ``cls`` whose text names the op and the user's calling line."""
    text = f"{op_name}: {message}\n  (called at {user_location()})"
    if issubclass(cls, OpError):
        return cls(None, None, text)
    return cls(text)
