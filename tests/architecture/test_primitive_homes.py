"""Every primitive is defined under fluxion/core/primitives/, but for the few DESIGN.md names.

The exceptions are primitives whose kernels need a layer above core: control flow runs
traced subgraphs (graph's interpreter), the I/O codecs need the file formats' protobuf
classes (io).  docs/DESIGN.md ("Primitives defined above core") says why for each.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# module -> why it defines primitives outside core/primitives (mirrors docs/DESIGN.md)
DEFINED_ABOVE_CORE = {
    "fluxion/graph/cond.py": "cond's kernel runs a traced branch subgraph",
    "fluxion/graph/while_loop.py": "while's kernel runs traced body/condition subgraphs",
    "fluxion/graph/control_flow.py": "case_check guards switch_case built on cond",
    "fluxion/graph/autograph/dataset_loops.py": "a for-loop over a Dataset runs a subgraph",
    "fluxion/io/parsing.py": "parse_example decodes Example protos (io.example_proto)",
    "fluxion/io/proto_codec.py": "decode_proto reads protobuf messages",
    "fluxion/io/string_codecs.py": "decode_json_example builds Example protos",
    "fluxion/io/tensor_serialization.py": "serialize_tensor writes TensorProtos",
}


def _defines_primitive(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = any(isinstance(node, ast.ImportFrom) and node.module == "fluxion.core.primitive"
                   and any(alias.name == "define" for alias in node.names)
                   for node in ast.walk(tree))
    calls = any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "define" for node in ast.walk(tree))
    return imported and calls


def test_primitives_live_under_core_primitives():
    found = {str(path.relative_to(ROOT)) for path in sorted((ROOT / "fluxion").rglob("*.py"))
             if _defines_primitive(path)
             and not str(path.relative_to(ROOT)).startswith("fluxion/core/primitives/")
             and path.name != "primitive.py"}
    assert found == set(DEFINED_ABOVE_CORE), (
        "primitives defined outside fluxion/core/primitives/: "
        f"{sorted(found - set(DEFINED_ABOVE_CORE))}; no longer there: "
        f"{sorted(set(DEFINED_ABOVE_CORE) - found)} (update docs/DESIGN.md and this list)")


def test_design_names_each_exception():
    design = (ROOT / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    missing = [module for module in DEFINED_ABOVE_CORE if f"`{module[len('fluxion/'):]}`"
               not in design]
    assert missing == [], f"docs/DESIGN.md does not explain {missing}"
