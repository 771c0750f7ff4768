"""Writes ``tests/compat/fixtures/v1_aliases.json``: the TF 1 names that are TF 2 names.

Many ``tf.compat.v1`` names are the very object TensorFlow 2 publishes elsewhere
(``tf.compat.v1.matrix_inverse is tf.linalg.inv``).  Run once under real TensorFlow::

    /path/to/tf-venv/bin/python tools/compat/generate_v1_aliases.py

The JSON maps ``"compat.v1.matrix_inverse"`` to ``"linalg.inv"`` (the first TF 2 path,
in ``tf_public_names.json`` order, holding the same object).  Plain numbers and
strings are left out (small integers are shared objects in Python).  The test
``tests/compat/test_v1_aliases.py`` checks Fluxion's alias table against it.
"""

from __future__ import annotations

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = os.path.join(HERE, "tf_public_names.json")
OUTPUT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "compat",
                      "fixtures", "v1_aliases.json")
V1_NAMESPACES = ("compat.v1", "compat.v1.nn", "compat.v1.train")


def _resolve(root, dotted: str):
    for part in filter(None, dotted.split(".")):
        root = getattr(root, part)
    return root


def main() -> None:
    import tensorflow as tf

    with open(NAMES) as handle:
        table = {k: v for k, v in json.load(handle).items() if not k.startswith("_")}
    by_object: dict[int, str] = {}
    for namespace, names in table.items():
        if namespace.startswith("compat") or namespace == "experimental.numpy":
            continue
        module = _resolve(tf, namespace)
        for name in names:
            try:
                value = getattr(module, name)
            except (AttributeError, ImportError):
                continue
            by_object.setdefault(id(value), f"{namespace}.{name}".lstrip("."))
    aliases = {}
    for namespace in V1_NAMESPACES:
        module = _resolve(tf, namespace)
        for name in table[namespace]:
            value = getattr(module, name)
            if isinstance(value, (int, float, str, bytes)):
                continue
            target = by_object.get(id(value))
            if target is not None:
                aliases[f"{namespace}.{name}"] = target
    with open(OUTPUT, "w") as handle:
        json.dump({"_tensorflow_version": tf.__version__, **dict(sorted(aliases.items()))},
                  handle, indent=1)
        handle.write("\n")
    print(f"{len(aliases)} aliases written to {OUTPUT}")


if __name__ == "__main__":
    main()
