"""tools/compat/api_coverage.py reads the committed TF name list and counts Fluxion's."""

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load():
    path = os.path.join(ROOT, "tools", "compat", "api_coverage.py")
    spec = importlib.util.spec_from_file_location("api_coverage", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_coverage_rows_and_complete_namespaces():
    coverage = _load()
    rows = {name: (have, want) for name, have, want in coverage.coverage()}
    assert rows[""][1] == 258 and rows["math"][1] == 131  # TF 2.21's counts
    for namespace in ("math", "linalg", "bitwise", "dtypes", "errors", "config", "random"):
        have, want = rows[namespace]
        assert have == want, (namespace, coverage.missing_names(
            namespace, coverage.load_reference()[namespace]))
    assert all(0 <= have <= want for have, want in rows.values())
    assert coverage.missing_names("bitwise", ["invert", "no_such_name"]) == ["no_such_name"]
