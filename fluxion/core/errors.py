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

    def __str__(self) -> str:
        return self.message


class CancelledError(OpError): ...
class UnknownError(OpError): ...
class InvalidArgumentError(OpError, ValueError): ...
class DeadlineExceededError(OpError): ...
class NotFoundError(OpError): ...
class AlreadyExistsError(OpError): ...
class PermissionDeniedError(OpError): ...
class ResourceExhaustedError(OpError): ...
class FailedPreconditionError(OpError): ...
class AbortedError(OpError): ...
class OutOfRangeError(OpError): ...
class UnimplementedError(OpError): ...
class InternalError(OpError): ...
class UnavailableError(OpError): ...
class DataLossError(OpError): ...
class UnauthenticatedError(OpError): ...


class DTypeMismatchError(InvalidArgumentError, TypeError):
    """Two tensors of different dtypes met in one op (TF never promotes silently)."""


_INSIDE_PACKAGE: dict[str, bool] = {}  # code file name -> whether it is fluxion's own


def user_location() -> str:
    """``file:line`` of the innermost stack frame outside the fluxion package."""
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
