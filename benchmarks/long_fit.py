"""``fit`` over a long run: the first epochs against the steady state, denormals flushed or not.

    python benchmarks/long_fit.py [--rounds 12] [--epochs 2] [--threads 1 default]

A short benchmark sees only a training run's first few hundred steps.  Later steps can
cost more: Adam's first moment of a weight whose gradient stays zero (a dead ReLU unit)
decays by 0.9 a step and becomes a denormal float after ~750 steps, and CPUs compute
denormals 10-100x slower.  Fluxion flushes denormals to zero inside compiled graphs, as
TensorFlow does (``fluxion/backend/denormals.py``); ``FLUXION_FLUSH_DENORMALS=0`` turns that
off, and is the "ieee" row here.

Each variant (flush or IEEE, at each ``--threads`` setting: ``1`` sets
``FLUXION_NUM_THREADS=1``, ``default`` leaves Fluxion's choice) is its own process
training keras's MLP 784-256-256-10 (relu, softmax; Adam; sparse categorical
crossentropy; batch 128) on 8,192 random samples, as ``benchmarks/contention.py`` does.
For ``--rounds`` rounds every variant in turn trains ``--epochs`` epochs with ``fit``,
so that a busy spell of a shared machine hits all alike.  The table shows each variant's
samples/s and CPU microseconds a sample (all threads) in the first round, the median of
the last half of the rounds (the steady state), and how many of the first layer's Adam
first moments are denormal at the end; with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from _common import ROOT, table

WORKER = r"""
import json, sys, time
import numpy as np
sys.path.insert(0, ROOT)
from fluxion import keras
epochs = int(sys.argv[1])
rng = np.random.default_rng(0)
x = rng.random((8192, 784), dtype=np.float32)
y = rng.integers(0, 10, 8192)
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                          keras.layers.Dense(256, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x[:256], y[:256], batch_size=128, epochs=1, verbose=0)  # traces, allocations
print("ready", flush=True)
for command in sys.stdin:
    if command.strip() != "run":
        break
    start, start_cpu = time.perf_counter(), time.process_time()
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    m = next(v.numpy() for v in model.optimizer.variables if "momentum" in v.name)
    denormal = int(np.count_nonzero((m != 0) & (np.abs(m) < np.finfo(m.dtype).tiny)))
    count = 8192 * epochs
    print(json.dumps({"samples_per_s": count / wall, "cpu_us": cpu / count * 1e6,
                      "denormal": denormal, "size": int(m.size)}), flush=True)
"""


def start(flush: bool, threads: str, epochs: int) -> subprocess.Popen:
    env = dict(os.environ, FLUXION_FLUSH_DENORMALS="1" if flush else "0")
    env.pop("FLUXION_NUM_THREADS", None)
    if threads != "default":
        env["FLUXION_NUM_THREADS"] = threads
    worker = subprocess.Popen([sys.executable, "-c", WORKER.replace("ROOT", repr(ROOT)),
                               str(epochs)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, env=env)
    if worker.stdout.readline().strip() != "ready":
        raise RuntimeError(f"the worker (flush={flush}, threads={threads}) did not start")
    return worker


def ask(worker: subprocess.Popen) -> dict:
    worker.stdin.write("run\n")
    worker.stdin.flush()
    return json.loads(worker.stdout.readline())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--epochs", type=int, default=2, help="epochs of 8,192 per round")
    parser.add_argument("--threads", nargs="+", default=["1", "default"])
    args = parser.parse_args()
    variants = {(f"{'flush' if flush else 'ieee'}, threads {threads}"): (flush, threads)
                for threads in args.threads for flush in (True, False)}
    workers = {name: start(*spec, args.epochs) for name, spec in variants.items()}
    results = {name: [] for name in variants}
    loads = [os.getloadavg()[0]]
    try:
        for _ in range(args.rounds):
            for name, worker in workers.items():
                results[name].append(ask(worker))
            loads.append(os.getloadavg()[0])
    finally:
        for worker in workers.values():
            worker.stdin.close()
            worker.wait()
    rows = []
    for name, runs in results.items():
        steady = runs[len(runs) // 2:]
        rows.append((name, f"{runs[0]['samples_per_s']:,.0f}", f"{runs[0]['cpu_us']:.1f}",
                     f"{statistics.median(r['samples_per_s'] for r in steady):,.0f}",
                     f"{statistics.median(r['cpu_us'] for r in steady):.1f}",
                     f"{runs[-1]['denormal']:,} of {runs[-1]['size']:,}"))
    steps = args.rounds * args.epochs * 64
    print(f"MLP 784-256-256-10 fit, batch 128, {args.rounds} rounds of {args.epochs} "
          f"epochs ({steps} steps); load average {min(loads):.1f}-{max(loads):.1f}; "
          f"{time.strftime('%H:%M')}")
    print(table(rows, ("variant", "first samples/s", "first CPU us/sample",
                       "steady samples/s", "steady CPU us/sample",
                       "denormal first moments, layer 1")))


if __name__ == "__main__":
    main()
