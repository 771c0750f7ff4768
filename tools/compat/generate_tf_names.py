"""Writes ``tf_public_names.json``: TensorFlow's public names, per namespace.

Run once under a real TensorFlow (the figures in the README are against 2.21)::

    /path/to/tf-venv/bin/python tools/compat/generate_tf_names.py

The JSON maps each namespace (``""`` for the top level, ``"math"``, ``"compat.v1.nn"``...)
to the sorted list of its public names (no leading underscore, no submodules).
``api_coverage.py`` compares Fluxion against it without needing TensorFlow.
"""

from __future__ import annotations

import json
import os
import types

NAMESPACES = (
    "", "math", "nn", "linalg", "random", "random.experimental", "errors", "config",
    "config.experimental", "sparse", "ragged", "bitwise", "dtypes", "image", "strings",
    "io", "data", "train", "signal", "autograph", "autograph.experimental",
    "experimental.numpy", "compat.v1", "compat.v1.train", "compat.v1.nn",
    "compat.v1.losses",
)

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf_public_names.json")


def _resolve(root, dotted: str):
    module = root
    for part in filter(None, dotted.split(".")):
        module = getattr(module, part)
    return module


def public_names(namespace) -> list[str]:
    """The names a namespace offers, less its submodules and private names."""
    names = []
    try:
        listing = dir(namespace)
    except ImportError:  # a lazy loader whose dir() imports keras: read what it holds
        listing = list(vars(namespace))
    for name in listing:
        if name.startswith("_"):
            continue
        try:
            value = getattr(namespace, name)
        except (ImportError, AttributeError):  # a lazily loaded package (keras)
            continue
        if isinstance(value, types.ModuleType):
            continue
        names.append(name)
    return sorted(names)


def main() -> None:
    import tensorflow as tf

    table = {"_tensorflow_version": tf.__version__}
    for dotted in NAMESPACES:
        table[dotted] = public_names(_resolve(tf, dotted))
    with open(OUTPUT, "w") as handle:
        json.dump(table, handle, indent=1, sort_keys=True)
        handle.write("\n")
    print(f"wrote {OUTPUT}: {sum(len(v) for k, v in table.items() if k[:1] != '_')} names")


if __name__ == "__main__":
    main()
