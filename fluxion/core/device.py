"""``fluxion.device``: device scopes.

The NumPy backend has one device, the CPU.  As in TensorFlow with soft placement (its
default), a scope naming a device the machine lacks (``/GPU:0`` here) runs on the CPU;
a malformed device string is an error.

A device type may have a backend of its own (``fluxion.config.set_backend(name,
device_type=...)``): inside a scope on such a device that backend is active, and the
one before it again after the scope.
"""

from __future__ import annotations

import contextlib
import re

from fluxion import backend
from fluxion.core import context

_DEVICE = re.compile(
    r"^(/job:[\w-]+)?(/replica:\d+)?(/task:\d+)?(/device:|/)?(?P<type>CPU|GPU|TPU)(:(\d+|\*))?$",
    re.IGNORECASE)


@contextlib.contextmanager
def device(device_name: str | None):
    """Places the ops created inside the block on ``device_name`` (e.g. ``"/CPU:0"``)."""
    match = _DEVICE.match(device_name) if device_name else None
    if device_name and match is None:
        raise ValueError(f"Invalid device specification {device_name!r}; expected e.g. "
                         f"'/CPU:0', '/GPU:0' or '/job:localhost/replica:0/task:0/device:CPU:0'")
    named = backend.for_device_type(match.group("type")) if match else None
    previous = backend.active().name
    if named is not None and named != previous:
        backend.activate(named)
    else:
        named = None
    context.device_stack.append(device_name or "")
    try:
        yield
    finally:
        context.device_stack.pop()
        if named is not None:
            backend.activate(previous)


def current_device() -> str:
    return context.device_stack[-1] if context.device_stack else ""
