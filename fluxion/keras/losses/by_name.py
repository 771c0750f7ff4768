"""The built-in losses by name, for the modules of ``keras.losses`` below its table.

The package (``keras/losses/__init__.py``) holds the table of every built-in loss and
its ``get`` / ``deserialize``; it is built on the modules that define them, so those
modules cannot import it. The ones that need a name looked up
(``LossFunctionWrapper.from_config`` and compile's ``get_loss``) call these functions,
which the package installs when it is imported. Importing any module of the package runs
the package first, so they are installed before use.
"""

from __future__ import annotations

_installed: dict = {}


def install(get, deserialize) -> None:
    """Called once by the package with its own ``get`` and ``deserialize``."""
    _installed.update(get=get, deserialize=deserialize)


def get(identifier):
    """``keras.losses.get(identifier)``."""
    return _installed["get"](identifier)


def deserialize(config, custom_objects=None):
    """``keras.losses.deserialize(config, custom_objects)``."""
    return _installed["deserialize"](config, custom_objects=custom_objects)
