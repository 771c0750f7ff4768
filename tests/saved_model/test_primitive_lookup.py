"""The loader's list of primitive-defining modules names every one of them."""

import os
import re

from fluxion.core.primitive import REGISTRY
from fluxion.saved_model.primitive_lookup import REFUSED, all_primitive_modules, lookup

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "fluxion")


def test_every_module_that_defines_primitives_is_listed():
    defining = set()
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
            if re.search(r"(=|return)\s*define\(", text) and \
                    not path.endswith(os.path.join("core", "primitive.py")):
                module = os.path.relpath(path, os.path.dirname(PACKAGE))[:-3]
                defining.add(module.replace(os.sep, "."))
    assert sorted(defining - set(all_primitive_modules())) == []


def test_lookup_finds_lazily_registered_primitives_and_refuses_some():
    assert lookup("matmul") is REGISTRY["matmul"]
    assert lookup("lstm_sequence") is not None
    for name in REFUSED:
        assert lookup(name) is None
    assert lookup("no_such_primitive") is None
