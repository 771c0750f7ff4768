"""``fluxion.keras``: the Keras 3 API on Fluxion's engine (``from fluxion import keras``).

Submodules load on first use, so ``import fluxion`` stays fast.
"""

import importlib

_SUBMODULES = ("activations", "applications", "backend", "callbacks", "config", "constraints",
               "datasets", "distribution", "export", "initializers", "layers", "losses",
               "metrics", "mixed_precision", "models", "ops", "optimizers", "preprocessing",
               "random", "regularizers", "saving", "utils")
_NAMES = {"Input": "fluxion.keras.layers", "Layer": "fluxion.keras.layers",
          "InputSpec": "fluxion.keras.layers", "Model": "fluxion.keras.models",
          "Sequential": "fluxion.keras.models", "KerasTensor": "fluxion.keras.engine.keras_tensor",
          "Variable": "fluxion.keras.engine.variables",
          "DTypePolicy": "fluxion.keras.engine.dtype_policy"}
__version__ = "3.15.1"  # the Keras API version this package follows


def version() -> str:
    """The Keras API version this package follows (``keras.version()``)."""
    return __version__


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"fluxion.keras.{name}")
    if name in _NAMES:
        module = importlib.import_module(_NAMES[name])
        return getattr(module, "KerasVariable" if name == "Variable" else name)
    raise AttributeError(f"module 'fluxion.keras' has no attribute {name!r}")


def __dir__():
    return sorted(list(_SUBMODULES) + list(_NAMES) + ["version"])
