"""``keras.datasets``: the classic small datasets, downloaded once into the Keras cache.

Each submodule has Keras's ``load_data()``; files come through ``keras.utils.get_file``
(checksummed, atomic).  Set ``FLUXION_DATASETS_MIRROR`` to a ``file://`` or ``http://``
folder holding the same file names to load them without reaching the original hosts.
``digits`` is bundled with Fluxion and needs no network.
"""

import importlib

_SUBMODULES = ("boston_housing", "california_housing", "cifar10", "cifar100", "digits",
               "fashion_mnist", "imdb", "mnist", "reuters")
__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(_SUBMODULES)
