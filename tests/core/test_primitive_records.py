"""The primitive record is the single source of per-primitive facts.

Generic code (the tracer, the executor, the memory plan, the passes, the TF 1 graph)
reads a primitive's record and never singles a primitive out by name; this test reads
their source and fails on any module that does.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys
import textwrap

import pytest

import fluxion
from fluxion.core.primitive import EFFECTS, REGISTRY, Primitive

ROOT = pathlib.Path(fluxion.__file__).parent

# Modules of graph/ that *build* particular ops (they trace sub-graphs, so they live next
# to the tracer): naming their own primitives is their job.
OP_MODULES = {"graph/cond.py", "graph/while_loop.py", "graph/control_flow.py",
              "graph/tensor_array.py", "graph/functional_ops.py"}
OP_PACKAGES = ("graph/autograph/",)
# (module, name) pairs a generic module may use, and why.
ALLOWED = {
    # The tracers turn a variable access into the state family's nodes.
    ("graph/tracer.py", "read_variable_p"), ("graph/tracer.py", "assign_variable_p"),
    ("graph/v1/graph.py", "read_variable_p"), ("graph/v1/graph.py", "assign_variable_p"),
    ("graph/interpreter.py", "read_variable_p"),
    ("graph/v1/checkpoint_utils.py", "assign_variable_p"),  # a v1 variable's initializer
    # A random stream draws its seeds through its own primitive.
    ("core/random_state.py", "advance_state_p"),
    # The fusion pass is the one that creates fused_elementwise nodes.
    ("graph/passes/fusion.py", "fused_elementwise_p"),
    # Keyed by public function names (tf.reduce_mean -> "Mean"), not by primitives.
    ("graph/v1/op_names.py", "FUNCTION_NAMES"),
}


def generic_modules() -> list[pathlib.Path]:
    found = []
    for package in ("graph", "core"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith("core/primitives/") or relative in OP_MODULES \
                    or relative.startswith(OP_PACKAGES):
                continue
            found.append(path)
    return found


def _is_prim_name(node: ast.AST) -> bool:
    """``<anything>.prim.name`` or ``prim.name``."""
    return (isinstance(node, ast.Attribute) and node.attr == "name"
            and (isinstance(node.value, ast.Name) and node.value.id == "prim"
                 or isinstance(node.value, ast.Attribute) and node.value.attr == "prim"))


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)]


def singled_out(source: str, module: str, names: set[str]) -> list[str]:
    """Every place in ``source`` that names a particular primitive of ``names``."""
    found = []
    tree = ast.parse(source)
    table_names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            table_names[id(node.value)] = node.targets[0].id
    for node in ast.walk(tree):
        where = f"{module}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name.endswith("_p") and (module, alias.name) not in ALLOWED:
                    found.append(f"{where} imports the primitive {alias.name}")
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_prim_name(side) for side in sides):
                hits = [s for side in sides for s in _strings(side) if s in names]
                if hits:
                    found.append(f"{where} compares a primitive's name with {hits}")
        elif isinstance(node, ast.Subscript) and _is_prim_name(node.slice):
            found.append(f"{where} looks a primitive up in a table by its name")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "get" and node.args and _is_prim_name(node.args[0]):
            found.append(f"{where} looks a primitive up in a table by its name")
        elif isinstance(node, (ast.Dict, ast.Set, ast.Tuple, ast.List)):
            keys = node.keys if isinstance(node, ast.Dict) else node.elts
            hits = [k.value for k in keys if isinstance(k, ast.Constant) and k.value in names]
            if len(hits) >= 3 and (module, table_names.get(id(node))) not in ALLOWED:
                found.append(f"{where} holds a table of primitive names {hits[:4]}...")
    return found


def test_the_detector_finds_each_way_of_singling_out_a_primitive():
    names = {"add", "mul", "sub", "print", "read_variable"}
    bad = textwrap.dedent('''
        from fluxion.core.primitives.elementwise import add_p
        SPECIAL = frozenset({"add", "mul", "sub"})
        def f(node, RULES):
            if node.prim.name == "print":
                pass
            keep = node.prim.name in ("read_variable", "x")
            rule = RULES.get(node.prim.name)
            return RULES[node.prim.name]
    ''')
    found = singled_out(bad, "graph/example.py", names)
    assert len(found) == 6, found
    good = "def f(node):\n    return node.prim.effect == 'io' and node.attrs['shape']\n"
    assert singled_out(good, "graph/example.py", names) == []


def test_no_generic_module_names_a_particular_primitive():
    names = set(REGISTRY)
    modules = generic_modules()
    assert len(modules) > 30  # graph/, its passes, v1 and core/ itself
    found = []
    for path in modules:
        module = path.relative_to(ROOT).as_posix()
        found += singled_out(path.read_text(), module, names)
    assert found == [], "generic code must read the primitive record:\n" + "\n".join(found)


def test_every_record_states_its_facts():
    for prim in REGISTRY.values():
        assert prim.effect in EFFECTS
        assert prim.stateful == (prim.effect != "none")
        for rewrite in prim.rewrites:
            assert callable(rewrite.apply) and isinstance(rewrite.order, int)
    assert REGISTRY["read_variable"].effect == "reads_state"
    assert REGISTRY["assign_variable"].effect == "writes_state"
    assert REGISTRY["assign_variable"].retains_inputs
    assert REGISTRY["print"].effect == "io" and REGISTRY["print"].replay is not None
    assert REGISTRY["add"].elementwise_ufunc is not None
    assert REGISTRY["matmul"].elementwise_ufunc is None
    assert {p.name for p in REGISTRY.values() if p.identity_when_same_shape} == {
        "reshape_like", "broadcast_like", "sum_to_like", "broadcast_to"}
    assert REGISTRY["matmul"].export["tf"] == "MatMul"


def test_register_export_names_a_missing_primitive():
    from fluxion.core.primitive import register_export

    with pytest.raises(KeyError, match="no primitive named 'no_such_op'"):
        register_export("onnx", "no_such_op", {})


def test_an_unknown_effect_is_refused():
    with pytest.raises(ValueError, match="effect must be one of"):
        Primitive("bad", lambda x: x, lambda x: x, effect="sometimes")


# Primitives still defined next to the code that traces their sub-graphs (their kernels
# and gradients run nested graphs through fluxion.graph), segment_reduce (whose gradient
# uses the segment sums of fluxion.ops), and the protobuf codecs (their kernels need the
# message classes fluxion.io builds; protobuf is optional, and a saved graph's
# attributes must be plain data, so the class cannot travel as one).  The list may only
# shrink.
STILL_OUTSIDE = {"graph/cond.py", "graph/while_loop.py", "graph/control_flow.py",
                 "graph/autograph/dataset_loops.py", "ops/segment_ops.py",
                 "io/parsing.py", "io/proto_codec.py", "io/string_codecs.py",
                 "io/tensor_serialization.py"}


def test_no_module_outside_core_primitives_defines_a_primitive():
    defining = set()
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("core/primitives/") or relative == "core/primitive.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "fluxion.core.primitive" \
                    and any(a.name == "define" for a in node.names):
                defining.add(relative)
    assert defining <= STILL_OUTSIDE, sorted(defining - STILL_OUTSIDE)


def test_the_core_imports_every_family_that_defines_primitives():
    init = ast.parse((ROOT / "core" / "__init__.py").read_text())
    imported = {alias.name for node in ast.walk(init) if isinstance(node, ast.ImportFrom)
                and node.module == "fluxion.core.primitives" for alias in node.names}
    families = set()
    for path in (ROOT / "core" / "primitives").glob("*.py"):
        source = path.read_text()
        if "define(" in source or "register_export(" in source or ".simplify = " in source \
                or "declare_rewrite(" in source:
            families.add(path.stem)
    assert families - imported == set()


def test_the_registry_is_complete_once_fluxion_is_imported():
    script = ("import fluxion; from fluxion.core.primitive import REGISTRY; "
              "first = set(REGISTRY); import fluxion.keras, fluxion.io, fluxion.data, "
              "fluxion.ops.image, fluxion.ops.signal, fluxion.ops.strings, fluxion.graph.passes, "
              "fluxion.keras.layers, fluxion.keras.applications; "
              "print(sorted(set(REGISTRY) - first))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=ROOT.parent, check=True)
    late = set(ast.literal_eval(result.stdout.strip()))
    assert late <= _defined_in(STILL_OUTSIDE), sorted(late - _defined_in(STILL_OUTSIDE))


def _defined_in(modules: set) -> set:
    """The names given to ``define`` by ``modules``."""
    names = set()
    for module in modules:
        for node in ast.walk(ast.parse((ROOT / module).read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "define" and node.args \
                    and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
    return names
