"""Data-parallel scaling: MLP 784-256-256-10 ``fit`` on 1 and 2 MPI ranks, 1 thread each.

    python benchmarks/distributed.py [--ranks 2] [--epochs 3]

Each configuration runs under ``mpiexec`` (so every rank pays the same costs), global
batch 256, 24,000 synthetic samples; the table shows samples/s (median epoch), the
speed-up, the scaling efficiency, and the share of a step spent in the gradient
all-reduce (timed inside the collective on rank 0).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys

from _common import ROOT, table

WORKER = r"""
import json, os, statistics, sys, time
import numpy as np
sys.path.insert(0, ROOT)
import fluxion as tf
from fluxion import keras
from fluxion.distribute import mpi_comm
spent = [0.0]
original = mpi_comm.allreduce
def timed(array, op="sum"):
    start = time.perf_counter(); out = original(array, op); spent[0] += time.perf_counter() - start
    return out
mpi_comm.allreduce = timed
epochs = int(sys.argv[1])
strategy = tf.distribute.MultiWorkerMirroredStrategy()
rng = np.random.default_rng(0)
x = rng.random((24000, 784), dtype=np.float32); y = rng.integers(0, 10, 24000)
with strategy.scope():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(256, activation="relu"), keras.layers.Dense(10)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x[:2560], y[:2560], batch_size=256, epochs=1, verbose=0)
times, shares = [], []
for _ in range(epochs):
    spent[0] = 0.0
    start = time.perf_counter()
    model.fit(x, y, batch_size=256, epochs=1, verbose=0, shuffle=False)
    elapsed = time.perf_counter() - start
    times.append(elapsed); shares.append(spent[0] / elapsed)
if strategy.cluster_resolver.task_id == 0:
    print(json.dumps({"samples_per_s": 24000 / statistics.median(times),
                      "allreduce_share": statistics.median(shares)}))
"""


def run(ranks: int, epochs: int) -> dict:
    env = dict(os.environ, FLUXION_NUM_THREADS="1")
    done = subprocess.run([shutil.which("mpiexec"), "-n", str(ranks), sys.executable, "-c",
                           WORKER.replace("ROOT", repr(ROOT), 1), str(epochs)],
                          capture_output=True, text=True, env=env, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    one, many = run(1, args.epochs), run(args.ranks, args.epochs)
    speedup = many["samples_per_s"] / one["samples_per_s"]
    rows = [("1 rank x 1 thread", f"{one['samples_per_s']:,.0f}", "1.00x", "100%",
             f"{one['allreduce_share'] * 100:.1f}%"),
            (f"{args.ranks} ranks x 1 thread", f"{many['samples_per_s']:,.0f}",
             f"{speedup:.2f}x", f"{speedup / args.ranks * 100:.0f}%",
             f"{many['allreduce_share'] * 100:.1f}%")]
    print(table(rows, ("configuration", "samples/s", "speed-up", "efficiency",
                       "all-reduce share")))


if __name__ == "__main__":
    main()
