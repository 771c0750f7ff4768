"""``fit`` throughput side by side: Fluxion, Keras 3 on its backends, and a PyTorch loop.

    python benchmarks/keras_fit.py [--quick]

Two models on synthetic data, Adam, batch 128:
- MLP 784-256-256-10 on 60,000 samples;
- mnist_convnet (Conv2D 32 3x3, MaxPool, Conv2D 64 3x3, MaxPool, Flatten, Dense 10) on
  10,000 28x28x1 samples.
Each framework runs in its own process (Keras picks its backend at import), trains one
warm-up epoch and then timed epochs; the table shows samples/s (median of the timed
epochs) and the peak resident memory of the process.  Frameworks that are not
installed in the interpreter running this script are skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from _common import ROOT, table

WORKER = r"""
import json, os, resource, statistics, sys, time
import numpy as np
sys.path.insert(0, ROOT)
framework, model_name = sys.argv[1], sys.argv[2]
epochs, quick = int(sys.argv[3]), sys.argv[4] == "1"
n = {"mlp": 60000, "convnet": 10000}[model_name] // (10 if quick else 1)
rng = np.random.default_rng(0)
if model_name == "mlp":
    x = rng.random((n, 784), dtype=np.float32)
else:
    x = rng.random((n, 28, 28, 1), dtype=np.float32)
y = rng.integers(0, 10, n)

def keras_model(keras):
    if model_name == "mlp":
        layers = [keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                  keras.layers.Dense(256, activation="relu"),
                  keras.layers.Dense(10, activation="softmax")]
    else:
        layers = [keras.Input((28, 28, 1)), keras.layers.Conv2D(32, 3, activation="relu"),
                  keras.layers.MaxPooling2D(2), keras.layers.Conv2D(64, 3, activation="relu"),
                  keras.layers.MaxPooling2D(2), keras.layers.Flatten(),
                  keras.layers.Dense(10, activation="softmax")]
    model = keras.Sequential(layers)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model

times = []
if framework == "pytorch":
    import torch
    nn = torch.nn
    if model_name == "mlp":
        net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                            nn.Linear(256, 10))
        data = torch.tensor(x)
    else:
        net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(32, 64, 3), nn.ReLU(),
                            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 5 * 5, 10))
        data = torch.tensor(x).permute(0, 3, 1, 2).contiguous()
    labels = torch.tensor(y)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(epochs + 1):
        start = time.perf_counter()
        perm = torch.randperm(n)
        for i in range(0, n, 128):
            idx = perm[i:i + 128]
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
    model = keras_model(keras)
    for epoch in range(epochs + 1):
        start = time.perf_counter()
        model.fit(x, y, batch_size=128, epochs=1, verbose=0)
        if epoch:
            times.append(time.perf_counter() - start)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"samples_per_s": n / statistics.median(times), "peak_rss_mb": rss}))
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


def run(framework: str, model: str, epochs: int, quick: bool, python: str):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    code = f"ROOT = {ROOT!r}\n" + WORKER
    result = subprocess.run([python, "-c", code, framework, model, str(epochs),
                             "1" if quick else "0"], capture_output=True, text=True, env=env,
                            timeout=3600)
    if result.returncode != 0:
        return None, result.stderr.strip().splitlines()[-1:] or ["failed"]
    return json.loads(result.stdout.strip().splitlines()[-1]), None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a tenth of the data")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter that has the other frameworks installed")
    parser.add_argument("--models", default="mlp,convnet")
    args = parser.parse_args()
    rows = []
    for model in args.models.split(","):
        results = {}
        for framework in FRAMEWORKS:
            if not available(framework, args.python):
                continue
            outcome, error = run(framework, model, args.epochs, args.quick, args.python)
            if outcome is None:
                print(f"{framework} {model}: {error}", file=sys.stderr)
                continue
            results[framework] = outcome
        others = [v["samples_per_s"] for k, v in results.items() if k != "fluxion"]
        best = max(others) if others else None
        for framework, outcome in results.items():
            ratio = outcome["samples_per_s"] / best if best and framework == "fluxion" else None
            rows.append((model, framework, f"{outcome['samples_per_s']:,.0f}",
                         f"{outcome['peak_rss_mb']:,.0f}",
                         f"{ratio:.2f}x best other" if ratio else ""))
    print(table(rows, ("model", "framework", "samples/s", "peak RSS MB", "")))


if __name__ == "__main__":
    main()
