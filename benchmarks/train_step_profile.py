"""The compiled Keras training step of an MLP and a small convnet: step time and node profile.

    python benchmarks/train_step_profile.py [--nodes] [--models mlp,convnet,mnist_convnet]
                                            [--batch 64]

For each model, ``fit`` compiles its training step into one graph; this prints the
graph's node count, the median milliseconds of one step (median of 7 blocks of 20
steps), and with ``--nodes`` the per-primitive profile: each node of the optimised
graph run on its own on concrete arrays, summed by primitive (median of 5 runs),
most expensive first.  The profile shows where a step's time goes; the step time
is what a user sees (the executor's generated code runs the same kernels).
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from fluxion import keras
from fluxion.graph.executor import propagate_shapes

BATCH = 64
BLOCKS, STEPS = 7, 20


def mlp():
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    x = np.random.default_rng(0).normal(size=(BATCH, 784)).astype("float32")
    return model, x


def convnet():
    model = keras.Sequential([
        keras.Input((28, 28, 1)), keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(), keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(), keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax")])
    x = np.random.default_rng(0).normal(size=(BATCH, 28, 28, 1)).astype("float32")
    return model, x


def mnist_convnet():
    """keras-io's mnist_convnet, as ``benchmarks/contention.py`` trains it."""
    model = keras.Sequential([
        keras.Input((28, 28, 1)), keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(2), keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(2), keras.layers.Flatten(), keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax")])
    x = np.random.default_rng(0).normal(size=(BATCH, 28, 28, 1)).astype("float32")
    return model, x


MODELS = {"mlp": mlp, "convnet": convnet, "mnist_convnet": mnist_convnet}


def compiled_step(build):
    """The model, its compiled training step's concrete function, and one batch."""
    model, x = build()
    y = np.random.default_rng(1).integers(0, 10, BATCH).astype("int32")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    step = model._train_function
    return step._latest(), (x, y)


def step_ms(concrete, arrays) -> float:
    data = ((arrays[0], arrays[1]),)
    for _ in range(3):
        concrete.call_structured(data)
    blocks = []
    for _ in range(BLOCKS):
        start = time.perf_counter()
        for _ in range(STEPS):
            concrete.call_structured(data)
        blocks.append((time.perf_counter() - start) / STEPS * 1e3)
    return statistics.median(blocks)


def node_profile(concrete, arrays) -> dict[str, float]:
    """Microseconds per primitive: each node's kernel timed alone, on concrete arrays."""
    graph = concrete.graph
    inputs = [np.asarray(a) for a in _graph_inputs(concrete, arrays)]
    propagate_shapes(graph, tuple(a.shape for a in inputs))
    compiled = concrete._compiled
    source_namespace = compiled._runners  # warm: the specialisation exists after fit
    del source_namespace
    env = {v.id: a for v, a in zip(graph.inputs, inputs)}
    totals: dict[str, list[float]] = {}
    for node in graph.nodes:
        args = [env[v.id] if v.id in env else v.constant for v in node.inputs]
        attrs = {k: v for k, v in node.attrs.items() if not k.startswith("_")}
        times = []
        for _ in range(5):
            start = time.perf_counter()
            result = node.prim.impl(*args, **attrs)
            times.append(time.perf_counter() - start)
        results = result if node.prim.multiple_results else (result,)
        for value, array in zip(node.outputs, results):
            env[value.id] = array
        totals.setdefault(node.prim.name, []).append(statistics.median(times) * 1e6)
    return {name: sum(ts) for name, ts in totals.items()}


def _graph_inputs(concrete, arrays):
    from fluxion.core import nest

    leaves = nest.flatten((((arrays[0], arrays[1]),), {}))
    return [np.asarray(leaves[i].numpy() if hasattr(leaves[i], "numpy") else leaves[i],
                       dtype=v.aval.dtype.np_dtype)
            for i, v in zip(concrete._input_positions, concrete.graph.inputs)]


def main() -> None:
    global BATCH
    show_nodes = "--nodes" in sys.argv
    if "--batch" in sys.argv:
        BATCH = int(sys.argv[sys.argv.index("--batch") + 1])
    chosen = "mlp,convnet"
    if "--models" in sys.argv:
        chosen = sys.argv[sys.argv.index("--models") + 1]
    for name in chosen.split(","):
        build = MODELS[name]
        concrete, arrays = compiled_step(build)
        names = [n.prim.name for n in concrete.graph.nodes]
        print(f"{name}: {len(names)} nodes, softmax nodes: {names.count('softmax')}, "
              f"step {step_ms(concrete, arrays):.3f} ms (batch {BATCH})")
        if show_nodes:
            profile = node_profile(concrete, arrays)
            total = sum(profile.values())
            print(f"  per-node kernel total {total:.0f} us")
            for prim, us in sorted(profile.items(), key=lambda kv: -kv[1])[:12]:
                print(f"    {prim:32s} {us:9.1f} us")


if __name__ == "__main__":
    main()
