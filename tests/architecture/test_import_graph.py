"""Fluxion's import graph has no cycles and no import against docs/DESIGN.md's layers.

Imports inside functions count (tools/import_graph.py parses every import statement).
"""

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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


def test_no_import_cycles(graph):
    tool, modules, edges = graph
    found = tool.cycles(edges, modules)
    assert found == [], "import cycles (imports inside functions count):\n" + "\n".join(
        ", ".join(c) for c in found)


def test_no_import_against_the_layers(graph):
    tool, _, edges = graph
    found = tool.layer_violations(edges, tool.read_layers(ROOT / "docs/DESIGN.md"))
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
