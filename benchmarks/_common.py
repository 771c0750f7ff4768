"""Shared helpers for the benchmarks: run from any virtual environment, medians of repeats."""

from __future__ import annotations

import os
import statistics
import sys
import timeit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:  # so the benchmarks run from a venv that has TF/PyTorch but not fluxion
    sys.path.insert(0, ROOT)


def per_call_us(func, number: int, repeats: int = 7) -> float:
    """Median over ``repeats`` of the mean time of one call, in microseconds."""
    func()  # warm up
    times = timeit.repeat(func, number=number, repeat=repeats)
    return statistics.median(times) / number * 1e6


def optional(name: str):
    """Imports ``name`` if installed, else None (benchmarks skip what is absent)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        return __import__(name)
    except ImportError:
        return None


def table(rows: list[tuple], headers: tuple) -> str:
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    line = lambda r: "  ".join(str(c).rjust(w) for c, w in zip(r, widths))  # noqa: E731
    rule = line(tuple("-" * w for w in widths))
    return "\n".join([line(headers), rule] + [line(r) for r in rows])
