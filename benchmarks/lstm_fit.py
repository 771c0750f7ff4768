"""LSTM ``fit`` throughput side by side: Fluxion, Keras 3 on its backends, PyTorch nn.LSTM.

    python benchmarks/lstm_fit.py [--quick] [--epochs N] [--repeat R] [--only NAME ...]

The model of the issue: LSTM(64) over sequences of 50 steps x 32 features, then
Dense(10) with softmax, Adam, sparse categorical cross-entropy, batch 128, 5,000 random
samples.  Each framework runs in its own process (Keras picks its backend at import),
trains one warm-up epoch and then timed epochs; the table shows samples/s (median of
the timed epochs; with ``--repeat`` the median over R processes per framework, run in
turns so that a noisy machine slows them alike).  Frameworks not installed in the
interpreter running this script are skipped: run it with a virtual environment that has
keras, tensorflow, jax and torch to see them all (Fluxion is imported from this checkout).
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
import numpy as np
sys.path.insert(0, ROOT)
framework, epochs, quick = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
n, steps, features, units, batch = (1000 if quick else 5000), 50, 32, 64, 128
rng = np.random.default_rng(0)
x = rng.standard_normal((n, steps, features)).astype(np.float32)
y = rng.integers(0, 10, n)
times = []
if framework == "pytorch":
    import torch
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(features, units, batch_first=True)
            self.dense = torch.nn.Linear(units, 10)
        def forward(self, x):
            _, (h, _) = self.lstm(x)
            return self.dense(h[-1])
    net = Net()
    data, labels = torch.tensor(x), torch.tensor(y)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(epochs + 1):
        start = time.perf_counter()
        perm = torch.randperm(n)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(net(data[idx]), labels[idx])
            loss.backward()
            opt.step()
        if epoch:
            times.append(time.perf_counter() - start)
else:
    if framework == "fluxion":
        from fluxion import keras
    else:
        os.environ["KERAS_BACKEND"] = framework.split("-", 1)[1]
        import keras
    model = keras.Sequential([keras.Input((steps, features)), keras.layers.LSTM(units),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    for epoch in range(epochs + 1):
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        if epoch:
            times.append(time.perf_counter() - start)
print(json.dumps({"samples_per_s": n / statistics.median(times)}))
"""

FRAMEWORKS = ["fluxion", "keras-tensorflow", "keras-jax", "keras-torch", "pytorch"]
NEEDS = {"keras-tensorflow": ["keras", "tensorflow"], "keras-jax": ["keras", "jax"],
         "keras-torch": ["keras", "torch"], "pytorch": ["torch"], "fluxion": []}


def available(framework: str, python: str) -> bool:
    for module in NEEDS[framework]:
        probe = subprocess.run([python, "-c", f"import importlib.util, sys; "
                                f"sys.exit(importlib.util.find_spec('{module}') is None)"])
        if probe.returncode != 0:
            return False
    return True


def run(framework: str, epochs: int, quick: bool, python: str):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    code = f"ROOT = {ROOT!r}\n" + WORKER
    result = subprocess.run([python, "-c", code, framework, str(epochs), "1" if quick else "0"],
                            capture_output=True, text=True, env=env, timeout=3600)
    if result.returncode != 0:
        return None, (result.stderr.strip().splitlines() or ["failed"])[-1]
    return json.loads(result.stdout.strip().splitlines()[-1]), None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1,000 samples, not 5,000")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1, help="processes per framework")
    parser.add_argument("--only", nargs="*", help="frameworks to run", default=FRAMEWORKS)
    args = parser.parse_args()
    frameworks = [f for f in args.only if available(f, sys.executable)]
    figures = {f: [] for f in frameworks}
    errors = {}
    for _ in range(args.repeat):
        for framework in frameworks:
            result, error = run(framework, args.epochs, args.quick, sys.executable)
            if result:
                figures[framework].append(result["samples_per_s"])
                print(f"{framework}: {result['samples_per_s']:,.0f}", file=sys.stderr)
            else:
                errors[framework] = error
                print(f"{framework}: failed: {error}", file=sys.stderr)
    rows = []
    for framework in args.only:
        if framework not in figures:
            rows.append((framework, "not installed"))
        elif figures[framework]:
            rows.append((framework, f"{statistics.median(figures[framework]):,.0f}"))
        else:
            rows.append((framework, f"failed: {errors[framework]}"))
    print("LSTM(64), 50 steps x 32 features, Dense(10), batch 128: fit samples/s")
    print(table(rows, ("framework", "samples/s")))


if __name__ == "__main__":
    main()
