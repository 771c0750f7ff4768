"""The formats ``Model.export`` writes and the saved-model loader ``TFSMLayer`` reads.

The exporters (``fluxion.saved_model``, ``fluxion.lite``, ``fluxion.onnx``) sit above Keras
in the layer table: they convert Keras models, so Keras may not import them.  Keras offers
them a slot instead.  An exporter registers its entry point when its module is imported::

    register_export_format("onnx", export_onnx)       # in fluxion/onnx/keras_format.py

and ``Model.export(format="onnx")`` looks the format up here.  A format asked for before its
module was imported is loaded by name from ``PROVIDERS``, the one place that says which
module provides which format: the provider imports Keras, never the other way round, and the
exporter modules load only when a model is exported.  A package outside Fluxion adds a
format by calling ``register_export_format`` itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

# Which module registers each built-in format (or loader) when imported.  Named, not
# imported: the modules sit above Keras, and load only when the format is first used.
PROVIDERS = {
    "tf_saved_model": "fluxion.saved_model.keras_export",
    "onnx": "fluxion.onnx.keras_format",
    "litert": "fluxion.lite.keras_export",
}
LOADER_PROVIDERS = {"tf_saved_model": "fluxion.saved_model.keras_export"}

_EXPORTERS: dict[str, Callable] = {}
_LOADERS: dict[str, Callable] = {}


def register_export_format(name: str, function: Callable) -> None:
    """Makes ``Model.export(format=name)`` call ``function(model, filepath, verbose=...,
    input_signature=..., **kwargs)``; a later registration of ``name`` replaces it."""
    if not callable(function):
        raise TypeError(f"register_export_format({name!r}, ...) expects a function; got "
                        f"{type(function).__name__}")
    _EXPORTERS[name] = function


def register_loader(name: str, function: Callable) -> None:
    """Makes ``TFSMLayer`` (format ``name``) load with ``function(filepath,
    make_variable)``, which returns an object with the endpoints and ``signatures``."""
    if not callable(function):
        raise TypeError(f"register_loader({name!r}, ...) expects a function; got "
                        f"{type(function).__name__}")
    _LOADERS[name] = function


def supported_export_formats() -> list[str]:
    """The format names ``Model.export`` accepts, built-in ones first."""
    return list(PROVIDERS) + [name for name in _EXPORTERS if name not in PROVIDERS]


def export_function(name: str) -> Callable:
    """The function registered for the export format ``name`` (loading its provider)."""
    return _lookup(name, _EXPORTERS, PROVIDERS, "Model.export: unrecognized format",
                   supported_export_formats)


def loader(name: str = "tf_saved_model") -> Callable:
    """The saved-model loader registered as ``name`` (loading its provider)."""
    return _lookup(name, _LOADERS, LOADER_PROVIDERS, "No saved-model loader named",
                   lambda: list(LOADER_PROVIDERS) + [n for n in _LOADERS
                                                     if n not in LOADER_PROVIDERS])


def _lookup(name, table, providers, message, supported) -> Callable:
    if name not in table and name in providers:
        importlib.import_module(providers[name])  # registers ``name`` as it is imported
    if name not in table:
        raise ValueError(f"{message} {name!r}; supported formats: {supported()}.")
    return table[name]
