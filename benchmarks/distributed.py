"""Data-parallel scaling: MLP 784-256-256-10 ``fit`` on 1 and 2 MPI ranks, 1 thread each.

    python benchmarks/distributed.py [--ranks 2] [--epochs 3] [--rounds 3]
                                     [--batch 256,1024]

Each configuration runs under ``mpiexec`` (so every rank pays the same costs), at each
global batch of ``--batch`` (a table each: scaling depends on the samples a rank gets,
as the per-step work every rank repeats weighs less on larger ones), 24,000 synthetic
samples, Adam.  The configurations alternate
(1 rank, N ranks, 1 rank, ...) for ``--rounds`` rounds, so a machine whose load
changes treats both alike; the load average is printed with the results.

Columns: samples/s (median epoch, wall clock), the speed-up and scaling efficiency
against one rank, the share of the wall-clock step spent inside the gradient
all-reduce (waiting for the slower rank included), the CPU time a rank spends per
step and how much of it went to the all-reduce (polling while waiting included).
On a machine shared with other programs the wall-clock speed-up measures the CPUs the
ranks got as much as Fluxion; the CPU-time speed-up (one rank's CPU time a step over
the busiest of N ranks') is what N ranks on N free cores would reach, less the time a
rank polls a barrier waiting for a descheduled one (the last column leaves that out).
``--compare unsharded,mpi`` adds the N ranks updating every parameter each, and MPI's
bucketed ``Iallreduce`` instead of the shared-memory reduction.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

from _common import ROOT, table

SAMPLES = 24000

WORKER = r"""
import json, os, statistics, sys, time
import numpy as np
sys.path.insert(0, ROOT)
import fluxion as tf
from fluxion import keras
from fluxion.distribute import mpi_comm
spent, spent_cpu = [0.0], [0.0]
def timed(original):
    def run(*args, **kwargs):
        start, cpu = time.perf_counter(), time.process_time()
        out = original(*args, **kwargs)
        spent[0] += time.perf_counter() - start; spent_cpu[0] += time.process_time() - cpu
        return out
    return run
for name in ("allreduce", "start_allreduce", "finish_allreduce"):  # gradients: start/finish
    if hasattr(mpi_comm, name):
        setattr(mpi_comm, name, timed(getattr(mpi_comm, name)))
waited, waited_cpu = [0.0], [0.0]
try:  # the shared-memory reduction and the sharded update
    from fluxion.distribute import node_memory, sharded_update
    sharded_update._Mean.__call__ = timed(sharded_update._Mean.__call__)
    sharded_update._Step.__call__ = timed(sharded_update._Step.__call__)
    barrier = node_memory.NodeGroup.barrier
    def timed_barrier(*args):
        start, cpu = time.perf_counter(), time.process_time()
        barrier(*args)
        waited[0] += time.perf_counter() - start; waited_cpu[0] += time.process_time() - cpu
    node_memory.NodeGroup.barrier = timed_barrier
except ImportError:
    pass
epochs, batch, samples = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
strategy = tf.distribute.MultiWorkerMirroredStrategy(  # bytes_per_pack: MPI's buckets
    communication_options=tf.distribute.experimental.CommunicationOptions(
        bytes_per_pack=int(os.environ.get("FLUXION_BYTES_PER_PACK", "0"))))
rng = np.random.default_rng(0)
x = rng.random((samples, 784), dtype=np.float32); y = rng.integers(0, 10, samples)
with strategy.scope():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(256, activation="relu"), keras.layers.Dense(10)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x[:10 * batch], y[:10 * batch], batch_size=batch, epochs=1, verbose=0)
times, shares, cpus, reduce_cpus, waits, wait_cpus = [], [], [], [], [], []
for _ in range(epochs):
    spent[0] = spent_cpu[0] = waited[0] = waited_cpu[0] = 0.0
    start, cpu = time.perf_counter(), time.process_time()
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    elapsed = time.perf_counter() - start
    times.append(elapsed); shares.append(spent[0] / elapsed)
    cpus.append(time.process_time() - cpu); reduce_cpus.append(spent_cpu[0])
    waits.append(waited[0]); wait_cpus.append(waited_cpu[0])
steps = -(-samples // batch)
cpu_per_step = np.array([statistics.median(cpus) / steps,
                         statistics.median(reduce_cpus) / steps,
                         statistics.median(waits) / steps,
                         statistics.median(wait_cpus) / steps, 0.0])
cpu_per_step[4] = cpu_per_step[0] - cpu_per_step[3]  # working, not polling a barrier
busiest = mpi_comm.allgather(cpu_per_step).max(axis=0) \
    if strategy.num_replicas_in_sync > 1 else cpu_per_step
if strategy.cluster_resolver.task_id == 0:
    print(json.dumps({"samples_per_s": samples / statistics.median(times),
                      "allreduce_share": statistics.median(shares),
                      "cpu_ms_per_step": busiest[0] * 1e3,
                      "reduce_cpu_ms_per_step": busiest[1] * 1e3,
                      "barrier_wait_ms_per_step": busiest[2] * 1e3,
                      "barrier_wait_cpu_ms_per_step": busiest[3] * 1e3,
                      "working_cpu_ms_per_step": busiest[4] * 1e3,
                      "threads": tf.config.threading.get_intra_op_parallelism_threads()}))
"""


def run(ranks: int, epochs: int, batch: int, variant: str = "") -> dict:
    # No FLUXION_NUM_THREADS: the strategy gives each rank its share of the CPUs (one
    # thread each for 2 ranks on 2 cores); one rank alone is pinned to one thread here.
    env = dict(os.environ)
    if ranks == 1:
        env["FLUXION_NUM_THREADS"] = "1"
    else:
        env.pop("FLUXION_NUM_THREADS", None)
    env.update(VARIANTS[variant][1])
    done = subprocess.run([shutil.which("mpiexec"), "-n", str(ranks), sys.executable, "-c",
                           WORKER.replace("ROOT", repr(ROOT), 1), str(epochs), str(batch),
                           str(SAMPLES)],
                          capture_output=True, text=True, env=env, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["threads"] != 1:
        raise RuntimeError(f"expected 1 thread a rank, the ranks used {result['threads']}")
    return result


# Ways to run the N ranks: Fluxion's default (gradients reduced through the host's shared
# memory, Adam's update sharded across the ranks), every rank updating all parameters
# after the same reduction, and MPI's Iallreduce in 4 MB buckets (no sharding).
VARIANTS = {"": ("", {}),
            "unsharded": ("unsharded update", {"FLUXION_SHARDED_UPDATE": "0"}),
            "mpi": ("MPI Iallreduce buckets", {"FLUXION_BYTES_PER_PACK": str(4 << 20)})}


def median_of(results: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", default="256,1024",
                        help="comma-separated global batch sizes, a table each")
    parser.add_argument("--compare", default="",
                        help="comma-separated extra ways to run the N ranks, interleaved "
                             "with the others: unsharded, mpi")
    args = parser.parse_args()
    for batch in (int(b) for b in args.batch.split(",") if b):
        report(args, batch)


def report(args, batch: int) -> None:
    """Runs the interleaved configurations at one global batch and prints their table."""
    variants = [""] + [v for v in args.compare.split(",") if v]
    configs = [(1, "")] + [(args.ranks, v) for v in variants]
    load_before = os.getloadavg()[0]
    results: dict = {config: [] for config in configs}
    for round_ in range(args.rounds):  # interleaved, the order alternating
        for config in (configs if round_ % 2 == 0 else configs[::-1]):
            results[config].append(run(config[0], args.epochs, batch, config[1]))
    load_after = os.getloadavg()[0]
    one = median_of(results[(1, "")])
    rows = []
    for ranks, variant in configs:
        many = median_of(results[(ranks, variant)])
        speedup = many["samples_per_s"] / one["samples_per_s"]
        name = f"{ranks} rank{'s' if ranks > 1 else ''} x 1 thread" + \
            (f", {VARIANTS[variant][0]}" if variant else "")
        rows.append((name, f"{many['samples_per_s']:,.0f}", f"{speedup:.2f}x",
                     f"{speedup / ranks * 100:.0f}%",
                     f"{many['allreduce_share'] * 100:.1f}%",
                     f"{many['cpu_ms_per_step']:.2f}",
                     f"{many['reduce_cpu_ms_per_step']:.2f}" if ranks > 1 else "-",
                     f"{many['barrier_wait_ms_per_step']:.2f}" if ranks > 1 else "-",
                     f"{one['cpu_ms_per_step'] / many['cpu_ms_per_step']:.2f}x",
                     f"{one['cpu_ms_per_step'] / many['working_cpu_ms_per_step']:.2f}x"))
    print(f"global batch {batch}, {args.rounds} interleaved rounds of {args.epochs} "
          f"epochs; 1-minute load average {load_before:.2f} before, {load_after:.2f} after "
          f"on {os.cpu_count()} CPUs")
    print(table(rows, ("configuration", "samples/s", "speed-up", "efficiency",
                       "reduce+update share", "CPU ms/step", "of it reduce+update",
                       "barrier wait ms/step", "CPU-time speed-up",
                       "same, barrier polling excluded")))


if __name__ == "__main__":
    main()
