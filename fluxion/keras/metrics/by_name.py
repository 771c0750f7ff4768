"""The built-in metrics by name, for the modules of ``keras.metrics`` below its table.

The package (``keras/metrics/__init__.py``) holds the table of every built-in metric and
its ``get`` / ``deserialize``; it is built on the modules that define them, so those
modules cannot import it. The ones that need a name looked up
(``MeanMetricWrapper.from_config`` and compile's ``get_metric``) call these functions,
which the package installs when it is imported. Importing any module of the package runs
the package first, so they are installed before use.
"""

from __future__ import annotations

_installed: dict = {}


def install(get, deserialize) -> None:
    """Called once by the package with its own ``get`` and ``deserialize``."""
    _installed.update(get=get, deserialize=deserialize)


def get(identifier):
    """``keras.metrics.get(identifier)``."""
    return _installed["get"](identifier)


def deserialize(config, custom_objects=None):
    """``keras.metrics.deserialize(config, custom_objects)``."""
    return _installed["deserialize"](config, custom_objects=custom_objects)
