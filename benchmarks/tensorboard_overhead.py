"""What logging every batch to TensorBoard costs an MLP ``fit`` epoch.

    python benchmarks/tensorboard_overhead.py [--ref-python /path/to/venv/bin/python]

MLP 784-256-256-10, Adam, batch 128, 20,000 synthetic samples. For Fluxion, and for
Keras on TensorFlow when ``--ref-python`` names an interpreter that has them, one
process per framework trains a warm-up epoch and then alternates timed epochs without
a callback and with ``keras.callbacks.TensorBoard(update_freq="batch")`` (scalars every
batch); the table shows the median epoch time of each and the overhead.
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
plain, logged = [], []
log_dir = tempfile.mkdtemp()
for _ in range(repeats):
    start = time.perf_counter()
    model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    plain.append(time.perf_counter() - start)
    callback = keras.callbacks.TensorBoard(log_dir, update_freq="batch", write_graph=False)
    start = time.perf_counter()
    model.fit(x, y, batch_size=128, epochs=1, verbose=0, callbacks=[callback])
    logged.append(time.perf_counter() - start)
print(json.dumps({"plain": statistics.median(plain), "logged": statistics.median(logged)}))
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
            rows.append((framework, f"{result['plain']:.3f}", f"{result['logged']:.3f}",
                         f"{overhead * 100:+.1f}%"))
    print(table(rows, ("framework", "epoch s, no logging", "epoch s, batch logging",
                       "overhead")))


if __name__ == "__main__":
    main()
