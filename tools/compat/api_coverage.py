"""Prints how many of TensorFlow's public names Fluxion has, namespace by namespace.

It compares ``fluxion`` against ``tf_public_names.json`` (written once under real
TensorFlow by ``generate_tf_names.py``), so it runs without TensorFlow::

    PYTHONPATH=. python tools/compat/api_coverage.py              # the table
    PYTHONPATH=. python tools/compat/api_coverage.py --missing nn  # what nn lacks

A name counts when ``getattr`` finds it on Fluxion's namespace of the same path.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os

TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf_public_names.json")


def load_reference() -> dict:
    with open(TABLE) as handle:
        table = json.load(handle)
    return {k: v for k, v in table.items() if not k.startswith("_")}


def resolve(dotted: str):
    """Fluxion's namespace at ``dotted`` (``""`` is the top level), or None."""
    namespace = importlib.import_module("fluxion")
    for part in filter(None, dotted.split(".")):
        try:
            namespace = getattr(namespace, part)
        except (AttributeError, ImportError):
            return None
    return namespace


def missing_names(dotted: str, names: list[str]) -> list[str]:
    namespace = resolve(dotted)
    if namespace is None:
        return list(names)
    lacking = []
    for name in names:
        try:
            getattr(namespace, name)
        except (AttributeError, ImportError):
            lacking.append(name)
    return lacking


def coverage() -> list[tuple[str, int, int]]:
    """(namespace, names Fluxion has, names TF has) for every namespace in the table."""
    rows = []
    for dotted, names in sorted(load_reference().items()):
        rows.append((dotted, len(names) - len(missing_names(dotted, names)), len(names)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", metavar="NAMESPACE",
                        help="list the names this namespace lacks ('' for the top level)")
    args = parser.parse_args()
    if args.missing is not None:
        dotted = "" if args.missing in ("", "tf", "top") else args.missing
        print("\n".join(missing_names(dotted, load_reference()[dotted])))
        return
    have_all = want_all = 0
    for dotted, have, want in coverage():
        have_all, want_all = have_all + have, want_all + want
        print(f"{'tf.' + dotted if dotted else 'tf':28s} {have:4d}/{want:<4d} "
              f"{100 * have / max(want, 1):5.1f}%")
    print(f"{'total':28s} {have_all:4d}/{want_all:<4d} {100 * have_all / want_all:5.1f}%")


if __name__ == "__main__":
    main()
