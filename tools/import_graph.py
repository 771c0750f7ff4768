"""Fluxion's import graph: cycles and layer violations, function-level imports included.

Every ``import`` statement in ``fluxion/`` counts, wherever it sits (module level, inside a
function, under ``if TYPE_CHECKING``): an import hidden in a function is still a dependency,
it only runs later.  Relative imports are resolved against the importing module.

An edge goes from the importing module to the module it names:

* ``import a.b.c`` and ``from a.b import c`` where ``c`` is a submodule: to ``a.b.c``;
* ``from a.b import name`` where ``name`` is not a submodule: to ``a.b`` (its ``__init__``).

A package's ``__init__`` is not counted as a dependency of its submodules (Python runs it
first, but a submodule does not use what it defines), so a package that re-exports its
modules does not make every one of them a cycle.

The layer order is read from the table between the ``layers`` markers of
``docs/DESIGN.md``; the design document is the one place it is written down.  Each row gives
a rank, the packages on that rank, and the only packages (below it) they may import, when the
row restricts them.

Run ``python tools/import_graph.py`` to print the report; ``--json`` for a machine form.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "fluxion"
DESIGN = ROOT / "docs" / "DESIGN.md"


# --------------------------------------------------------------------------- modules


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Map each module name under ``fluxion/`` to its file."""
    modules = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    return modules[name].name == "__init__.py"


def _resolve_relative(importer: str, level: int, target: str | None,
                      modules: dict[str, Path]) -> str:
    base = importer.split(".")
    if not _is_package(importer, modules):
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


@dataclass(frozen=True)
class Edge:
    """One import: ``source`` imports ``target`` at ``line``; ``local`` if inside a def."""

    source: str
    target: str
    line: int
    local: bool


def _local_lines(tree: ast.Module) -> set[int]:
    """Line numbers of import statements nested in a function body."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    lines.add(inner.lineno)
    return lines


def _owning_module(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is a fluxion module."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def import_edges(modules: dict[str, Path] | None = None) -> list[Edge]:
    """Every import from one fluxion module to another."""
    modules = module_files() if modules is None else modules
    edges = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        local = _local_lines(tree)
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = (_resolve_relative(name, node.level, node.module, modules)
                        if node.level else node.module or "")
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    targets.append(submodule if submodule in modules else base)
            for target in targets:
                if not (target == PACKAGE or target.startswith(PACKAGE + ".")):
                    continue
                owner = _owning_module(target, modules)
                if owner is not None and owner != name:
                    edges.append(Edge(name, owner, node.lineno, node.lineno in local))
    return edges


# --------------------------------------------------------------------------- cycles


def strongly_connected(nodes, graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; returns the components with more than one module."""
    index, low, on_stack, stack, result = {}, {}, set(), [], []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return sorted(result, key=lambda c: (-len(c), c))


def cycles(edges: list[Edge], modules) -> list[list[str]]:
    """The import cycles: strongly connected groups of two or more modules."""
    graph = defaultdict(set)
    for edge in edges:
        graph[edge.source].add(edge.target)
    return strongly_connected(sorted(modules), graph)


# --------------------------------------------------------------------------- layers


@dataclass
class Layer:
    """One row of the layer table: its rank, its packages and what they may import."""

    rank: int
    packages: list[str]
    may_import: list[str] | None = None  # None: anything on a lower rank
    description: str = ""
    extra: dict = field(default_factory=dict)


_MARK_BEGIN = "<!-- layers:begin -->"
_MARK_END = "<!-- layers:end -->"


def _names(cell: str) -> list[str]:
    return [name.strip("`/ ") for name in re.findall(r"`([^`]+)`", cell)]


def read_layers(design: Path = DESIGN) -> list[Layer]:
    """Parse the layer table of the design document.

    Rows look like ``| 2 | `fluxion.ops` | `fluxion.core`, ... | text |``: rank, packages,
    allowed imports (``any lower`` for no restriction), description.
    """
    text = design.read_text(encoding="utf-8")
    try:
        block = text.split(_MARK_BEGIN, 1)[1].split(_MARK_END, 1)[0]
    except IndexError:
        raise ValueError(f"{design} has no {_MARK_BEGIN} ... {_MARK_END} table") from None
    layers = []
    for row in block.splitlines():
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].isdigit():
            continue
        allowed = None if "any lower" in cells[2] else _names(cells[2])
        layers.append(Layer(int(cells[0]), _names(cells[1]), allowed,
                            cells[3] if len(cells) > 3 else ""))
    if not layers:
        raise ValueError(f"the layer table of {design} has no rows")
    return layers


def _placement(layers: list[Layer]) -> dict[str, Layer]:
    return {package: layer for layer in layers for package in layer.packages}


def layer_of(module: str, placement: dict[str, Layer]) -> tuple[str, Layer] | None:
    """The most specific placed package holding ``module``, and its layer."""
    parts = module.split(".")
    while parts:
        candidate = ".".join(parts)
        # The root row places the package's own __init__, not everything below it.
        if candidate in placement and (candidate != PACKAGE or module == PACKAGE):
            return candidate, placement[candidate]
        parts.pop()
    return None


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@dataclass(frozen=True)
class Violation:
    """An import against the layer table."""

    edge: Edge
    source_package: str
    target_package: str
    reason: str


def layer_violations(edges: list[Edge], layers: list[Layer]) -> list[Violation]:
    """Imports that go upward, or outside a row's allowed list."""
    placement = _placement(layers)
    found = []
    for edge in edges:
        source = layer_of(edge.source, placement)
        target = layer_of(edge.target, placement)
        if source is None or target is None:
            continue
        (source_package, source_layer), (target_package, target_layer) = source, target
        if source_package == target_package:
            continue
        if _within(edge.source, target_package) or _within(edge.target, source_package):
            # A subpackage placed apart (fluxion.core.primitives) and its parent: the
            # ranks decide, as for any two packages.
            pass
        if target_layer.rank > source_layer.rank:
            found.append(Violation(edge, source_package, target_package, "upward"))
        elif source_layer.may_import is not None and target_layer.rank < source_layer.rank:
            if not any(_within(edge.target, allowed) for allowed in source_layer.may_import):
                found.append(Violation(edge, source_package, target_package,
                                       "not in the allowed list"))
    return found


def unplaced(modules, layers: list[Layer]) -> list[str]:
    """Modules that no row of the layer table places."""
    placement = _placement(layers)
    return sorted(m for m in modules if m != PACKAGE and layer_of(m, placement) is None)


# --------------------------------------------------------------------------- report


def report(as_json: bool = False) -> int:
    modules = module_files()
    edges = import_edges(modules)
    found_cycles = cycles(edges, modules)
    layers = read_layers()
    violations = layer_violations(edges, layers)
    loose = unplaced(modules, layers)
    if as_json:
        print(json.dumps({
            "modules": len(modules), "edges": len(edges),
            "cycles": found_cycles,
            "violations": [
                {"source": v.edge.source, "target": v.edge.target, "line": v.edge.line,
                 "local": v.edge.local, "reason": v.reason} for v in violations],
            "unplaced": loose}, indent=1))
        return 0
    local = sum(edge.local for edge in edges)
    print(f"{len(modules)} modules, {len(edges)} imports ({local} inside functions)")
    print(f"\n{len(found_cycles)} import cycles")
    for component in found_cycles:
        print(f"  {len(component)} modules: " + ", ".join(component))
    by_pair = defaultdict(list)
    for violation in violations:
        by_pair[(violation.source_package, violation.target_package,
                 violation.reason)].append(violation)
    print(f"\n{len(violations)} imports against the layer table")
    for (source, target, reason), items in sorted(by_pair.items()):
        print(f"  {source} -> {target} ({reason}): {len(items)}")
        for violation in items[:3]:
            edge = violation.edge
            where = "in a function" if edge.local else "module level"
            print(f"      {edge.source}:{edge.line} -> {edge.target} ({where})")
    if loose:
        print(f"\n{len(loose)} modules no layer places: " + ", ".join(loose))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    args = parser.parse_args(argv)
    return report(as_json=args.json)


if __name__ == "__main__":
    sys.exit(main())
