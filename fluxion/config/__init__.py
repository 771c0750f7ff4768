"""``fluxion.config``: devices and run-time settings (``tf.config``)."""

from __future__ import annotations

from typing import NamedTuple

from fluxion import backend
from fluxion.config import threading


class PhysicalDevice(NamedTuple):
    name: str
    device_type: str


class LogicalDevice(NamedTuple):
    name: str
    device_type: str


def list_physical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """The devices of the active backend, optionally only those of ``device_type``."""
    found = [PhysicalDevice(name, kind) for kind, name in backend.active().devices()]
    if device_type is None:
        return found
    return [d for d in found if d.device_type == device_type.upper()]


def list_logical_devices(device_type: str | None = None) -> list[LogicalDevice]:
    return [LogicalDevice(d.name.replace("physical_device", "device"), d.device_type)
            for d in list_physical_devices(device_type)]


def get_visible_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    return list_physical_devices(device_type)


def run_functions_eagerly(run_eagerly: bool) -> None:
    """Makes every ``fluxion.function`` run its Python code eagerly (for debugging)."""
    from fluxion.core import context

    context.set_run_functions_eagerly(run_eagerly)


def functions_run_eagerly() -> bool:
    from fluxion.core import context

    return context.run_functions_eagerly
