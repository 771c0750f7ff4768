"""Errors of the model server, with TensorFlow Serving's status codes.

Every failure a request can meet is a ``ServingError`` carrying one of the canonical
status codes (``INVALID_ARGUMENT``, ``NOT_FOUND``...); the HTTP layer turns the code
into the HTTP status TensorFlow Serving's REST server answers with, and the message
into the body ``{"error": "..."}``.
"""

from __future__ import annotations

# Canonical status code -> HTTP status, as TensorFlow Serving's REST server maps them.
HTTP_STATUS = {
    "OK": 200,
    "CANCELLED": 499,  # "client closed request"
    "UNKNOWN": 500,
    "INVALID_ARGUMENT": 400,
    "DEADLINE_EXCEEDED": 504,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "PERMISSION_DENIED": 403,
    "RESOURCE_EXHAUSTED": 429,
    "FAILED_PRECONDITION": 400,
    "ABORTED": 409,
    "OUT_OF_RANGE": 400,
    "UNIMPLEMENTED": 501,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
    "DATA_LOSS": 500,
    "UNAUTHENTICATED": 401,
}


class ServingError(Exception):
    """A request (or a model load) failed with a canonical status ``code``."""

    def __init__(self, code: str, message: str):
        if code not in HTTP_STATUS:
            raise ValueError(f"unknown status code {code!r}; expected one of {sorted(HTTP_STATUS)}")
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]


def invalid_argument(message: str) -> ServingError:
    return ServingError("INVALID_ARGUMENT", message)


def not_found(message: str) -> ServingError:
    return ServingError("NOT_FOUND", message)


# The canonical codes by number (``tf.errors`` classes carry the number).
CODE_NAMES = ("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
              "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
              "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
              "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED")


def code_of_exception(error: BaseException, default: str = "INTERNAL") -> str:
    """The status code for an exception raised while loading or running a model."""
    if isinstance(error, ServingError):
        return error.code
    number = getattr(error, "error_code", None)  # fluxion.errors.OpError and subclasses
    if isinstance(number, int) and 0 < number < len(CODE_NAMES):
        return CODE_NAMES[number]
    if isinstance(error, FileNotFoundError):
        return "NOT_FOUND"
    if isinstance(error, (ValueError, TypeError)):
        return "INVALID_ARGUMENT"
    if isinstance(error, MemoryError):
        return "RESOURCE_EXHAUSTED"
    return default
