"""``fluxion.config``: devices and run-time settings (``tf.config``)."""

from __future__ import annotations

from typing import NamedTuple

from fluxion import backend
from fluxion.config import floating_point, threading


class PhysicalDevice(NamedTuple):
    name: str
    device_type: str


class LogicalDevice(NamedTuple):
    name: str
    device_type: str


def set_backend(name: str, device_type: str | None = None) -> None:
    """Chooses the backend that runs Fluxion's kernels (``"numpy"``, ``"onednn"``...).

    Args:
        name: a backend's name (``fluxion.backend.known()``).  ``FLUXION_BACKEND`` in
            the environment sets the starting value.
        device_type: if given (``"GPU"``), ``name`` runs only the ops placed in
            ``with fluxion.device(...)`` scopes of that device type; None makes it the
            backend of everything else.

    Functions compiled earlier keep the kernels they were specialised with; later
    shapes, new functions and eager ops use the new backend.
    """
    if device_type is not None:
        backend.set_for_device_type(device_type, name)
    else:
        backend.activate(name)


def get_backend(device_type: str | None = None) -> str:
    """The active backend's name, or the one named for ``device_type`` (else the active)."""
    if device_type is not None:
        return backend.for_device_type(device_type) or backend.active().name
    return backend.active().name


def list_physical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """The devices of the active backend and of the backends named per device type,
    optionally only those of ``device_type``."""
    found = [PhysicalDevice(name, kind) for kind, name in backend.active().devices()]
    for kind in backend.device_types():
        for kind_found, name in backend.load(backend.for_device_type(kind)).devices():
            if kind_found == kind and PhysicalDevice(name, kind) not in found:
                found.append(PhysicalDevice(name, kind))
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


# --- placement and device configuration ----------------------------------------------------------
# Fluxion places every op on the active backend's device; these settings are recorded and
# read back as TF does, and a visible-device list must name devices that exist.
_settings = {"soft_device_placement": True, "logical_devices": {}, "visible": None,
             "memory_growth": {}, "op_determinism": False, "tensor_float_32": True,
             "device_policy": "silent", "synchronous_execution": True}


class LogicalDeviceConfiguration(NamedTuple):
    """How to split one physical device into logical ones (``memory_limit`` in MB)."""

    memory_limit: int | None = None
    experimental_priority: int | None = None
    experimental_device_ordinal: int | None = None


VirtualDeviceConfiguration = LogicalDeviceConfiguration


def _check_device(device) -> PhysicalDevice:
    if not isinstance(device, PhysicalDevice) or device not in list_physical_devices():
        raise ValueError(f"Unrecognized device: {device!r}; pick one from "
                         f"fluxion.config.list_physical_devices()")
    return device


def set_logical_device_configuration(device, logical_devices) -> None:
    """Records how ``device`` is split into logical devices."""
    _settings["logical_devices"][_check_device(device)] = list(logical_devices or [])


def get_logical_device_configuration(device):
    """The logical device configuration of ``device`` (None if never set)."""
    return _settings["logical_devices"].get(_check_device(device))


set_virtual_device_configuration = set_logical_device_configuration
get_virtual_device_configuration = get_logical_device_configuration


def set_visible_devices(devices, device_type: str | None = None) -> None:
    """Restricts the devices Fluxion may use; they must exist (a CPU must stay visible)."""
    devices = [devices] if isinstance(devices, PhysicalDevice) else list(devices)
    for device in devices:
        _check_device(device)
    if device_type is None or device_type.upper() == "CPU":
        if not any(d.device_type == "CPU" for d in devices):
            raise ValueError("set_visible_devices: the CPU cannot be hidden; Fluxion runs on it")
    _settings["visible"] = devices


def get_soft_device_placement() -> bool:
    return _settings["soft_device_placement"]


def set_soft_device_placement(enabled: bool) -> None:
    _settings["soft_device_placement"] = bool(enabled)


def experimental_run_functions_eagerly(run_eagerly: bool) -> None:
    """The old name of ``run_functions_eagerly``."""
    run_functions_eagerly(run_eagerly)


def experimental_functions_run_eagerly() -> bool:
    """The old name of ``functions_run_eagerly``."""
    return functions_run_eagerly()


def experimental_connect_to_host(remote_host=None, job_name="worker") -> None:
    """Connecting to remote TF servers is not part of Fluxion: an error that says so."""
    raise ValueError("experimental_connect_to_host: Fluxion runs in-process and does not "
                     "connect to remote TensorFlow servers; for multi-worker training use "
                     "fluxion.distribute's MPI strategies")


def experimental_connect_to_cluster(cluster_spec_or_resolver, job_name="localhost",
                                    task_index=0, protocol=None, make_master_device_default=True,
                                    cluster_device_filters=None) -> None:
    """Connecting to remote TF clusters is not part of Fluxion: an error that says so."""
    experimental_connect_to_host()


def _memory_growth(device, enable=None):
    if enable is None:
        return _settings["memory_growth"].get(_check_device(device), False)
    _settings["memory_growth"][_check_device(device)] = bool(enable)
    return None


def _make_experimental():
    import sys
    import types

    module = types.ModuleType(f"{__name__}.experimental",
                              "The ``tf.config.experimental`` namespace.")

    def set_memory_growth(device, enable: bool) -> None:
        _memory_growth(device, enable)

    def get_memory_growth(device) -> bool:
        return _memory_growth(device)

    def get_memory_info(device: str) -> dict:
        raise ValueError(f"get_memory_info: no memory statistics for {device!r}; Fluxion's "
                         f"CPU backend allocates through NumPy and does not track them")

    def get_memory_usage(device: str) -> int:
        return get_memory_info(device)["current"]

    def reset_memory_stats(device: str) -> None:
        get_memory_info(device)

    def enable_op_determinism() -> None:
        """Makes seeded programs reproducible run to run, as TF's switch does.

        Kernels are deterministic already (NumPy); what may vary is the order in which
        ``Dataset.map(num_parallel_calls=...)`` workers draw from stateful random ops,
        and which element ``deterministic=False`` yields first: under this switch maps
        run in input order on one worker.
        """
        _settings["op_determinism"] = True

    def disable_op_determinism() -> None:
        _settings["op_determinism"] = False

    def is_op_determinism_enabled() -> bool:
        return bool(_settings.get("op_determinism", False))

    def enable_tensor_float_32_execution(enabled: bool) -> None:
        _settings["tensor_float_32"] = bool(enabled)

    def tensor_float_32_execution_enabled() -> bool:
        return _settings["tensor_float_32"]

    def set_device_policy(device_policy) -> None:
        _settings["device_policy"] = device_policy

    def get_device_policy():
        return _settings["device_policy"]

    def set_synchronous_execution(enable: bool) -> None:
        _settings["synchronous_execution"] = bool(enable)

    def get_synchronous_execution() -> bool:
        return _settings["synchronous_execution"]

    def get_device_details(device) -> dict:
        _check_device(device)
        return {"device_name": device.device_type}

    def enable_mlir_bridge() -> None:
        return None

    def disable_mlir_bridge() -> None:
        return None

    class ClusterDeviceFilters:
        """Device filters of a cluster (recorded; Fluxion has no remote workers)."""

        def __init__(self):
            self.filters: dict = {}

        def set_device_filters(self, job_name, task_index, device_filters) -> None:
            self.filters[(job_name, task_index)] = list(device_filters)

    for name, value in dict(locals()).items():
        if callable(value):
            setattr(module, name, value)
    for name in ("list_physical_devices", "list_logical_devices", "get_visible_devices",
                 "set_visible_devices", "VirtualDeviceConfiguration",
                 "set_virtual_device_configuration", "get_virtual_device_configuration"):
        setattr(module, name, globals()[name])
    sys.modules[module.__name__] = module
    return module


experimental = _make_experimental()
