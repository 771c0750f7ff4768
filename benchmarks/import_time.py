"""Wall time of ``import fluxion`` in a fresh interpreter, beside NumPy, TensorFlow, PyTorch.

    python benchmarks/import_time.py

Each import runs in a new process 7 times; the table shows the median in seconds.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys

from _common import ROOT, table

RUNS = 7


def import_seconds(module: str) -> float:
    code = (f"import time; t = time.perf_counter(); import {module}; "
            f"print(time.perf_counter() - t)")
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3")
    times = []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def main() -> None:
    rows = []
    for module in ("numpy", "fluxion", "torch", "tensorflow"):
        if module != "fluxion" and importlib.util.find_spec(module) is None:
            continue
        rows.append((module, f"{import_seconds(module):.3f}"))
    print(table(rows, ("import", "seconds (median of 7)")))


if __name__ == "__main__":
    main()
