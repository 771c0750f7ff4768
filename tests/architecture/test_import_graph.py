"""Fluxion's import graph has no cycles and no import against docs/DESIGN.md's layers.

Imports inside functions count (tools/import_graph.py parses every import statement).
"""

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Work still under way, named so that the rest is held to the rule now (each entry is a
# package prefix: source, target).  Remove an entry when its imports are fixed.
#
PENDING_CYCLE_MODULES: set[str] = set()
# Keras's own modules import each other both ways (layer <-> keras_tensor <-> ops <->
# op_layer <-> serialization).
PENDING_CYCLE_PACKAGES = ("fluxion.keras",)
PENDING_VIOLATIONS: set[tuple[str, str]] = set()


def _tool():
    path = ROOT / "tools" / "import_graph.py"
    spec = importlib.util.spec_from_file_location("import_graph", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("import_graph", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def graph():
    tool = _tool()
    modules = tool.module_files(ROOT)
    return tool, modules, tool.import_edges(modules)


def _within(module, packages):
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_no_import_cycles(graph):
    tool, modules, edges = graph
    found = [c for c in tool.cycles(edges, modules)
             if not PENDING_CYCLE_MODULES & set(c)
             and not all(m == "fluxion" or _within(m, PENDING_CYCLE_PACKAGES) for m in c)]
    assert found == [], "import cycles (imports inside functions count):\n" + "\n".join(
        ", ".join(c) for c in found)


def test_no_import_against_the_layers(graph):
    tool, _, edges = graph
    found = [v for v in tool.layer_violations(edges, tool.read_layers(ROOT / "docs/DESIGN.md"))
             if not any(_within(v.edge.source, (source,)) and _within(v.edge.target, (target,))
                        for source, target in PENDING_VIOLATIONS)]
    assert found == [], "imports against docs/DESIGN.md's layer table:\n" + "\n".join(
        f"{v.edge.source}:{v.edge.line} -> {v.edge.target} ({v.reason})" for v in found)


def test_every_module_has_a_layer(graph):
    tool, modules, _ = graph
    assert tool.unplaced(modules, tool.read_layers(ROOT / "docs/DESIGN.md")) == []


def test_the_tool_finds_cycles_hidden_in_functions(tmp_path):
    tool = _tool()
    package = tmp_path / "fluxion"
    (package / "low").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "low" / "__init__.py").write_text("")
    (package / "low" / "a.py").write_text("from fluxion.low import b\n")
    (package / "low" / "b.py").write_text(textwrap.dedent("""
        def later():
            from . import a
            return a
    """))
    (package / "high.py").write_text("import fluxion.low.a\n")
    (package / "low" / "c.py").write_text("def f():\n    from fluxion import high\n")
    modules = tool.module_files(tmp_path)
    edges = tool.import_edges(modules)
    assert tool.cycles(edges, modules) == [["fluxion.low.a", "fluxion.low.b"]]
    local = {(e.source, e.target) for e in edges if e.local}
    assert local == {("fluxion.low.b", "fluxion.low.a"), ("fluxion.low.c", "fluxion.high")}
    design = tmp_path / "DESIGN.md"
    design.write_text(textwrap.dedent("""
        <!-- layers:begin -->
        | rank | packages | may import | what |
        |---|---|---|---|
        | 0 | `fluxion.low` | any lower | low |
        | 1 | `fluxion.high` | `fluxion.low.a` | high |
        <!-- layers:end -->
    """))
    layers = tool.read_layers(design)
    found = [(v.edge.source, v.edge.target, v.reason)
             for v in tool.layer_violations(edges, layers)]
    assert found == [("fluxion.low.c", "fluxion.high", "upward")]
