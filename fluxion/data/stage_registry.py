"""The dataset stages, by name: how ``Dataset``'s methods reach the classes that run them.

``Dataset.map`` returns a ``MapDataset``, and ``MapDataset`` is a ``Dataset``: the base class
and its stages need each other.  The stages import the base class; the base class finds
its stages here, by class name, instead of importing their modules.  Every subclass of
``Dataset`` is registered as it is defined (``Dataset.__init_subclass__``), and
``fluxion/data/__init__.py`` imports every stage module, so all are here by the time any
``fluxion.data`` code runs (Python runs a package's ``__init__`` before its modules).
Dataset-level functions that are not stages (``save``, ``load``) are registered by name
by their module.
"""

from __future__ import annotations

from collections.abc import Callable

_IMPLEMENTATIONS: dict[str, Callable] = {}


def register(name: str, implementation: Callable) -> None:
    """Records ``implementation`` (a stage class or a function) under ``name``."""
    _IMPLEMENTATIONS[name] = implementation


def lookup(name: str) -> Callable:
    """The stage class or function registered as ``name``."""
    try:
        return _IMPLEMENTATIONS[name]
    except KeyError:
        raise LookupError(f"no dataset stage {name!r} is registered; the stage modules are "
                          f"loaded by importing fluxion.data") from None
