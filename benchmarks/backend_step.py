"""Compiled training steps per backend: an MLP (the executor's hot path) and mnist_convnet.

    python benchmarks/backend_step.py [--backends numpy,onednn] [--tree OTHER_CHECKOUT]
                                      [--rounds 5] [--threads 1]

Each (tree, backend) runs in its own process, which times a ``tf.function`` training
step (forward, tape gradients, Adam update) of two models after warming up:

- ``mlp``: Dense 784-256-256-10, batch 32 (a few dozen small nodes: per-node overhead);
- ``convnet``: keras-io's mnist_convnet, batch 128 (two convolutions, two max-pools).

The processes take turns for ``--rounds`` rounds, so a busy spell of the shared machine
hits every row alike; the table shows the median over rounds of each round's median
step time.  ``--tree`` adds the same rows for another source tree (e.g. an export of
the commit before a change) to compare the two side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from _common import ROOT, table

WORKER = r"""
import json, os, statistics, sys, time
sys.path.insert(0, TREE)
import numpy as np
import fluxion as tf
from fluxion import keras

def make_step(model):
    optimizer = keras.optimizers.Adam()
    loss_fn = keras.losses.SparseCategoricalCrossentropy()

    @tf.function(autograph=False)  # the source lives in a string: nothing to convert
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss
    return step

rng = np.random.default_rng(0)
L = keras.layers
models = {
    "mlp": (keras.Sequential([keras.Input((784,)), L.Dense(256, activation="relu"),
                              L.Dense(256, activation="relu"), L.Dense(10, activation="softmax")]),
            rng.random((32, 784), dtype=np.float32), rng.integers(0, 10, 32), 300),
    "convnet": (keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"),
                                  L.MaxPooling2D(2), L.Conv2D(64, 3, activation="relu"),
                                  L.MaxPooling2D(2), L.Flatten(), L.Dropout(0.5),
                                  L.Dense(10, activation="softmax")]),
                rng.random((128, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 128), 25),
}
steps = {name: make_step(m[0]) for name, m in models.items()}
for name, (_, x, y, _) in models.items():
    for _ in range(5):
        steps[name](x, y)
print("ready", flush=True)
for command in sys.stdin:
    if command.strip() != "run":
        break
    result = {}
    for name, (_, x, y, count) in models.items():
        times = []
        for _ in range(count):
            start = time.perf_counter()
            steps[name](x, y)
            times.append(time.perf_counter() - start)
        result[name] = statistics.median(times) * 1e3
    print(json.dumps(result), flush=True)
"""


def start(tree: str, backend: str, threads: str) -> subprocess.Popen:
    env = dict(os.environ, FLUXION_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONWARNINGS="ignore")
    if threads:
        env["FLUXION_NUM_THREADS"] = threads
    process = subprocess.Popen([sys.executable, "-c", f"TREE = {tree!r}\n" + WORKER],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    if process.stdout.readline().strip() != "ready":
        raise RuntimeError(f"the worker for {tree} / {backend} failed to start")
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="numpy,onednn")
    parser.add_argument("--tree", help="another source tree to time beside this one")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", default="1", help="FLUXION_NUM_THREADS ('' : default)")
    args = parser.parse_args()

    rows = [("this tree", ROOT, b) for b in args.backends.split(",")]
    if args.tree:  # an older tree may not know a backend: only numpy there
        rows.insert(0, ("other tree", os.path.abspath(args.tree), "numpy"))
    workers = {row: start(row[1], row[2], args.threads) for row in rows}
    results: dict[tuple, list[dict]] = {row: [] for row in rows}
    try:
        for _ in range(args.rounds):
            for row, process in workers.items():
                process.stdin.write("run\n")
                process.stdin.flush()
                results[row].append(json.loads(process.stdout.readline()))
    finally:
        for process in workers.values():
            process.stdin.close()
            process.wait(timeout=60)
    table_rows = []
    for row in rows:
        medians = {m: statistics.median(r[m] for r in results[row]) for m in ("mlp", "convnet")}
        table_rows.append((row[0], row[2], f"{medians['mlp']:.3f}", f"{medians['convnet']:.2f}"))
    print(table(table_rows, ("tree", "backend", "MLP step ms (b32)", "convnet step ms (b128)")))
    print(f"threads: {args.threads or 'default'}; rounds: {args.rounds}; load average at the "
          f"end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
