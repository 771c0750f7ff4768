"""What logging every batch to TensorBoard costs an MLP ``fit`` epoch.

    python benchmarks/tensorboard_overhead.py [--ref-python /path/to/venv/bin/python]

MLP 784-256-256-10, Adam, batch 128, 20,000 synthetic samples. For Fluxion, and for
Keras on TensorFlow when ``--ref-python`` names an interpreter that has them, one
process per framework trains a warm-up epoch and then alternates timed epochs without
a callback and with ``keras.callbacks.TensorBoard(update_freq="batch")`` (scalars every
batch); the table shows the median epoch wall time of each, the process CPU time (all
threads; steadier than wall time on a shared machine) and the overheads.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from _common import ROOT, table

WORKER = r"""
import json, os, statistics, sys, tempfile, time
import numpy as np
sys.path.insert(0, ROOT)
framework, repeats = sys.argv[1], int(sys.argv[2])
if framework == "fluxion":
    from fluxion import keras
else:
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import keras
rng = np.random.default_rng(0)
x = rng.random((20000, 784), dtype=np.float32)
y = rng.integers(0, 10, 20000)
model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                          keras.layers.Dense(256, activation="relu"), keras.layers.Dense(10)])
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
model.fit(x, y, batch_size=128, epochs=1, verbose=0)
plain, logged, plain_cpu, logged_cpu = [], [], [], []
log_dir = tempfile.mkdtemp()
model.fit(x[:1280], y[:1280], batch_size=128, epochs=1, verbose=0, callbacks=[
    keras.callbacks.TensorBoard(log_dir, update_freq="batch", write_graph=False)])  # imports
for _ in range(repeats):
    start, cpu = time.perf_counter(), time.process_time()
    model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    plain.append(time.perf_counter() - start); plain_cpu.append(time.process_time() - cpu)
    callback = keras.callbacks.TensorBoard(log_dir, update_freq="batch", write_graph=False)
    start, cpu = time.perf_counter(), time.process_time()
    model.fit(x, y, batch_size=128, epochs=1, verbose=0, callbacks=[callback])
    logged.append(time.perf_counter() - start); logged_cpu.append(time.process_time() - cpu)
print(json.dumps({"plain": statistics.median(plain), "logged": statistics.median(logged),
                  "plain_cpu": statistics.median(plain_cpu),
                  "logged_cpu": statistics.median(logged_cpu)}))
"""


def run(python: str, framework: str, repeats: int) -> dict | None:
    code = WORKER.replace("ROOT", repr(ROOT), 1)
    done = subprocess.run([python, "-c", code, framework, str(repeats)], capture_output=True,
                          text=True, timeout=1800)
    if done.returncode != 0:
        print(f"{framework}: failed\n{done.stderr[-1500:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ref-python", help="an interpreter with tensorflow + keras")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for framework, python in (("fluxion", sys.executable), ("keras-tensorflow", args.ref_python)):
        if python is None:
            continue
        result = run(python, framework, args.repeats)
        if result:
            overhead = result["logged"] / result["plain"] - 1
            cpu_overhead = result["logged_cpu"] / result["plain_cpu"] - 1
            rows.append((framework, f"{result['plain']:.3f}", f"{result['logged']:.3f}",
                         f"{overhead * 100:+.1f}%", f"{result['plain_cpu']:.3f}",
                         f"{result['logged_cpu']:.3f}", f"{cpu_overhead * 100:+.1f}%"))
    print(table(rows, ("framework", "wall s, no logging", "wall s, logging", "overhead",
                       "CPU s, no logging", "CPU s, logging", "CPU overhead")))


if __name__ == "__main__":
    main()
