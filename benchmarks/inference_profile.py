"""Where a compiled ``predict`` of a keras.applications model spends its time.

    python benchmarks/inference_profile.py [--models MobileNetV2,ResNet50] [--batch 32]

For each model, ``predict`` compiles its step into one graph; this prints the optimised
graph's node count by primitive, the median milliseconds of one ``predict`` call, and
the per-primitive profile: each node of the optimised graph run on its own on concrete
arrays (median of 3 runs), summed by primitive, most expensive first.  Run it with
``FLUXION_NUM_THREADS=1`` for figures that hold up on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from fluxion import keras
from fluxion.graph.executor import propagate_shapes


def predict_graph(model, x):
    """The concrete function ``predict`` runs, and its graph inputs for ``x``."""
    model.predict(x, batch_size=len(x), verbose=0)
    concrete = model._predict_function._latest()
    return concrete, _graph_inputs(concrete, x)


def _graph_inputs(concrete, x):
    from fluxion.core import nest

    leaves = nest.flatten(((x,), {}))
    return [np.asarray(leaves[i].numpy() if hasattr(leaves[i], "numpy") else leaves[i],
                       dtype=v.aval.dtype.np_dtype)
            for i, v in zip(concrete._input_positions, concrete.graph.inputs)]


def node_profile(graph, inputs, runs: int = 3) -> dict[str, list[float]]:
    """Microseconds per node, by primitive: each node's kernel timed alone."""
    propagate_shapes(graph, tuple(a.shape for a in inputs))
    env = {v.id: a for v, a in zip(graph.inputs, inputs)}
    totals: dict[str, list[float]] = {}
    for node in graph.nodes:
        args = [env[v.id] if v.id in env else v.constant for v in node.inputs]
        attrs = {k: v for k, v in node.attrs.items() if not k.startswith("_")}
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = node.prim.impl(*args, **attrs)
            times.append(time.perf_counter() - start)
        results = result if node.prim.multiple_results else (result,)
        for value, array in zip(node.outputs, results):
            env[value.id] = array
        totals.setdefault(_label(node), []).append(statistics.median(times) * 1e6)
    return totals


def _label(node) -> str:
    name = node.prim.name
    if name.startswith("conv") and node.attrs.get("groups", 1) != 1:
        return name + " (grouped)"
    if name == "fused_elementwise":
        return name + " " + "-".join(step[0] for step in node.attrs["program"])
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="MobileNetV2,ResNet50")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"threads: FLUXION_NUM_THREADS={os.environ.get('FLUXION_NUM_THREADS', 'default')}, "
          f"load average {os.getloadavg()[0]:.2f}")
    x = np.random.default_rng(0).random((args.batch, 224, 224, 3), dtype=np.float32)
    for name in args.models.split(","):
        model = getattr(keras.applications, name)(weights=None)
        concrete, inputs = predict_graph(model, x)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            model.predict(x, batch_size=len(x), verbose=0)
            times.append((time.perf_counter() - start) * 1e3)
        profile = node_profile(concrete.graph, inputs)
        total = sum(sum(ts) for ts in profile.values())
        print(f"{name}: {len(concrete.graph.nodes)} nodes, predict "
              f"{statistics.median(times):.1f} ms (batch {args.batch}), per-node total "
              f"{total / 1e3:.1f} ms")
        for label, ts in sorted(profile.items(), key=lambda kv: -sum(kv[1]))[:14]:
            print(f"    {label:44s} {len(ts):4d} nodes {sum(ts) / 1e3:9.1f} ms")


if __name__ == "__main__":
    main()
