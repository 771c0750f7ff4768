"""``fit`` throughput on a quiet machine and next to busy processes, side by side.

    python benchmarks/contention.py [--ref-python /work/refvenv/bin/python] [--candidates]

Users train on laptops with a browser open and in containers shared with other jobs; a
framework whose thread pools collapse when another program wants the CPUs is slow for
them.  Each framework trains two models (Adam, batch 128, synthetic data):

- ``mlp``: Dense 784-256-256-10;
- ``convnet``: keras-io's mnist_convnet: Conv2D 32 3x3, MaxPool 2, Conv2D 64 3x3,
  MaxPool 2, Flatten, Dropout 0.5, Dense 10.

in two conditions: ``quiet`` and ``busy`` (``--busy`` processes, two by default, each a
``while`` loop bounded by ``--busy-limit`` seconds, started ``SETTLE_SECONDS`` before
and killed after the busy measurements of each round).  Each framework runs in its own
process and warms up; then, for ``--rounds`` rounds, every framework in turn times
``--repeats`` runs of about ``--seconds`` each, quiet and then busy, so that a busy
spell of a shared machine hits every framework alike (the order rotates from round to
round).  The table shows the median samples/s over rounds, the ratios to
Keras-on-TensorFlow and to Fluxion with one thread in the same condition, and the CPU
time a sample cost (all of the process's threads; on a machine other programs load,
samples/s swing with their load, the CPU cost far less), with the load average.
Fluxion runs from this interpreter; Keras-on-TensorFlow and PyTorch run in
``--ref-python`` (default: this interpreter) and are skipped when not installed.

Fluxion runs with its default backend (oneDNN's convolution and pooling kernels where a
oneDNN 3.x library loads, else NumPy's) and, where oneDNN loads, also as ``fluxion
numpy`` (``FLUXION_BACKEND=numpy``: NumPy's kernels only).

``--candidates`` adds the thread settings Fluxion's default was chosen against: every
pool fixed at one thread per usable CPU, and the same with OpenBLAS's spin timeout at
its shortest (``OPENBLAS_THREAD_TIMEOUT=4``); Fluxion's choice with that timeout
(``fluxion spin 4``); and PyTorch with passive OpenMP waiting
(``OMP_WAIT_POLICY=PASSIVE``), the setting for OpenMP pools such as oneDNN's.
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
import json, os, statistics, sys, time
import numpy as np
sys.path.insert(0, ROOT)
framework, model_name = sys.argv[1], sys.argv[2]
seconds, repeats = float(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(0)
n = 8192 if model_name == "mlp" else 2048
shape = (784,) if model_name == "mlp" else (28, 28, 1)
x = rng.random((n,) + shape, dtype=np.float32)
y = rng.integers(0, 10, n)

if framework == "pytorch":
    import torch
    nn = torch.nn
    if model_name == "mlp":
        net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                            nn.Linear(256, 10))
        data = torch.tensor(x)
    else:
        net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                            nn.Dropout(0.5), nn.Linear(64 * 5 * 5, 10))
        data = torch.tensor(x).permute(0, 3, 1, 2).contiguous()
    labels = torch.tensor(y)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def train(count):
        perm = torch.randperm(n)
        done = 0
        while done < count:
            for i in range(0, n, 128):
                idx = perm[i:i + 128]
                opt.zero_grad()
                loss_fn(net(data[idx]), labels[idx]).backward()
                opt.step()
                done += len(idx)
                if done >= count:
                    break
else:
    if framework.startswith("fluxion"):
        from fluxion import keras
    else:
        os.environ["KERAS_BACKEND"] = "tensorflow"
        import keras
    if model_name == "mlp":
        layers = [keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                  keras.layers.Dense(256, activation="relu"),
                  keras.layers.Dense(10, activation="softmax")]
    else:
        layers = [keras.Input((28, 28, 1)), keras.layers.Conv2D(32, 3, activation="relu"),
                  keras.layers.MaxPooling2D(2), keras.layers.Conv2D(64, 3, activation="relu"),
                  keras.layers.MaxPooling2D(2), keras.layers.Flatten(),
                  keras.layers.Dropout(0.5), keras.layers.Dense(10, activation="softmax")]
    model = keras.Sequential(layers)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

    def train(count):
        epochs, rest = divmod(count, n)
        if epochs:
            model.fit(x, y, batch_size=128, epochs=epochs, verbose=0)
        if rest >= 128:
            model.fit(x[:rest], y[:rest], batch_size=128, epochs=1, verbose=0)

train(512)  # warm up: traces, allocations
print("ready", flush=True)
for command in sys.stdin:
    if command.strip() != "run":
        break
    start = time.perf_counter()
    train(256)  # how many samples make a run of about `seconds`
    rate = 256 / (time.perf_counter() - start)
    count = max(256, int(rate * seconds) // 128 * 128)
    rates, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        train(count)
        rates.append(count / (time.perf_counter() - start))
        cpu.append((time.process_time() - start_cpu) / count * 1e6)  # all threads
    print(json.dumps({"samples_per_s": statistics.median(rates), "runs": rates,
                      "cpu_us_per_sample": statistics.median(cpu)}), flush=True)
"""

BUSY_LOOP = "import time\nend = time.time() + {limit}\nwhile time.time() < end:\n    pass\n"
SETTLE_SECONDS = 5.0
NEEDS = {"keras-tensorflow": ["keras", "tensorflow"], "pytorch": ["torch"]}


def fluxion_variants(candidates: bool) -> dict[str, dict]:
    """Fluxion's rows: the default, one thread, and (``candidates``) the rejected settings."""
    sys.path.insert(0, ROOT)
    from fluxion.core.usable_cpus import usable_cpu_count

    cpus = str(usable_cpu_count())
    variants = {"fluxion": {}, "fluxion 1 thread": {"FLUXION_NUM_THREADS": "1"}}
    # The default backend is oneDNN's where its library loads: the other one gets a row.
    if onednn_loads():
        variants["fluxion numpy"] = {"FLUXION_BACKEND": "numpy"}
        print("fluxion: default backend onednn (oneDNN's convolutions and pooling)",
              file=sys.stderr)
    else:
        print("fluxion: default backend numpy (no oneDNN library loads)", file=sys.stderr)
    if candidates:
        variants[f"fluxion {cpus} threads"] = {"FLUXION_NUM_THREADS": cpus}
        variants[f"fluxion {cpus} threads, spin 4"] = {"FLUXION_NUM_THREADS": cpus,
                                                      "OPENBLAS_THREAD_TIMEOUT": "4"}
        # Fluxion's choice with OpenBLAS's idle threads sleeping at once after a product.
        variants["fluxion spin 4"] = {"OPENBLAS_THREAD_TIMEOUT": "4"}
    return variants


def onednn_loads() -> bool:
    code = "from fluxion.backend.onednn import library; import sys; " \
           "sys.exit(library.load() is None)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=ROOT)).returncode == 0


def available(modules: list[str], python: str) -> bool:
    code = "import importlib.util, sys; sys.exit(any(importlib.util.find_spec(m) is None " \
           f"for m in {modules!r}))"
    return subprocess.run([python, "-c", code]).returncode == 0


class Worker:
    """One framework training one model in its own process, timed on request."""

    def __init__(self, framework: str, model: str, python: str, env: dict, args):
        clean = {k: v for k, v in os.environ.items()
                 if k not in ("FLUXION_NUM_THREADS", "FLUXION_BACKEND", "OMP_NUM_THREADS",
                              "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                              "OPENBLAS_THREAD_TIMEOUT", "OMP_WAIT_POLICY")}
        clean.update(env, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
        code = f"ROOT = {ROOT!r}\n" + WORKER
        self.process = subprocess.Popen(
            [python, "-c", code, framework.split(" ")[0], model, str(args.seconds),
             str(args.repeats)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=clean)
        self.error = None if self._read() == "ready" else self._failure()

    def _read(self) -> str:
        return self.process.stdout.readline().strip()

    def _failure(self) -> str:
        self.process.kill()
        lines = self.process.stderr.read().strip().splitlines()
        return lines[-1] if lines else "failed"

    def measure(self) -> tuple[float, float] | None:
        """(samples/s, CPU microseconds per sample over all the process's threads)."""
        if self.error:
            return None
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        line = self._read()
        if not line:
            self.error = self._failure()
            return None
        result = json.loads(line)
        return result["samples_per_s"], result["cpu_us_per_sample"]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=60)


class BusyProcesses:
    """``count`` CPU-bound loops, each ending by itself after ``limit`` seconds at most."""

    def __init__(self, count: int, limit: float):
        self.count, self.limit, self.processes = count, limit, []

    def __enter__(self):
        code = BUSY_LOOP.format(limit=self.limit)
        self.processes = [subprocess.Popen([sys.executable, "-c", code])
                          for _ in range(self.count)]
        if self.processes:
            # The first seconds after the loops start are erratic on the 2-core machine
            # (one thread ran an MLP at 12-20k samples/s there, then steadily at 45k):
            # measure the steady state.
            time.sleep(SETTLE_SECONDS)
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.kill()
        for process in self.processes:
            process.wait()
        self.processes = []


def ratio(value, reference) -> str:
    return f"{value / reference:.2f}x" if value and reference else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref-python", default=sys.executable,
                        help="interpreter with TensorFlow/Keras and PyTorch installed")
    parser.add_argument("--models", default="mlp,convnet")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one timed run")
    parser.add_argument("--repeats", type=int, default=1,
                        help="timed runs per cell and round (median)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds in which every framework takes a turn (median)")
    parser.add_argument("--busy", type=int, default=2, help="busy processes beside the run")
    parser.add_argument("--busy-limit", type=float, default=300.0,
                        help="seconds after which a busy process stops by itself")
    parser.add_argument("--candidates", action="store_true",
                        help="also the thread settings Fluxion's default was chosen against")
    parser.add_argument("--only", help="comma-separated rows to run (e.g. 'fluxion,pytorch')")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    frameworks = {name: (sys.executable, env)
                  for name, env in fluxion_variants(args.candidates).items()}
    for name, modules in NEEDS.items():
        if available(modules, args.ref_python):
            frameworks[name] = (args.ref_python, {})
            if name == "pytorch" and args.candidates:
                frameworks["pytorch OMP passive"] = (args.ref_python,
                                                     {"OMP_WAIT_POLICY": "PASSIVE"})
        else:
            print(f"{name}: not installed in {args.ref_python}; skipped", file=sys.stderr)
    if args.only:
        wanted = args.only.split(",")
        frameworks = {k: v for k, v in frameworks.items() if k in wanted}

    results: dict[tuple, float | None] = {}
    cpu_costs: dict[tuple, float | None] = {}
    loads: list[float] = []
    for model in args.models.split(","):
        # Every framework's process is up before timing starts; they take turns, round by
        # round, so a busy spell of the (shared) machine hits each alike.
        workers = {framework: Worker(framework, model, python, env, args)
                   for framework, (python, env) in frameworks.items()}
        runs: dict[tuple, list] = {}
        try:
            order = list(workers)
            for _ in range(args.rounds):
                for condition in ("quiet", "busy"):
                    busy = BusyProcesses(args.busy if condition == "busy" else 0,
                                         args.busy_limit)
                    with busy:
                        for framework in order:
                            worker = workers[framework]
                            runs.setdefault((condition, framework), []).append(
                                worker.measure())
                    loads.append(os.getloadavg()[0])
                order = order[1:] + order[:1]  # each framework takes each turn in turn
        finally:
            for worker in workers.values():
                worker.close()
        for framework, worker in workers.items():
            if worker.error:
                print(f"{framework} {model}: {worker.error}", file=sys.stderr)
            for condition in ("quiet", "busy"):
                values = [v for v in runs.get((condition, framework), []) if v]
                results[model, condition, framework] = (
                    statistics.median(v[0] for v in values) if values else None)
                cpu_costs[model, condition, framework] = (
                    statistics.median(v[1] for v in values) if values else None)
            print(f"  {model} {framework}: quiet {results[model, 'quiet', framework]}, "
                  f"busy {results[model, 'busy', framework]}", file=sys.stderr, flush=True)

    rows = []
    for model in args.models.split(","):
        for condition in ("quiet", "busy"):
            keras_tf = results.get((model, condition, "keras-tensorflow"))
            one_thread = results.get((model, condition, "fluxion 1 thread"))
            for framework in frameworks:
                value = results.get((model, condition, framework))
                if value is None:
                    continue
                cpu = cpu_costs.get((model, condition, framework))
                rows.append((model, condition if condition == "quiet" else f"{args.busy} busy",
                             framework, f"{value:,.0f}", ratio(value, keras_tf),
                             ratio(value, one_thread) if framework.startswith("fluxion") else "",
                             f"{cpu:,.1f}" if cpu else ""))
    print(table(rows, ("model", "machine", "framework", "samples/s", "vs Keras-TF",
                       "vs Fluxion 1 thread", "CPU us/sample")))
    print(f"load average after each condition: {min(loads):.1f}-{max(loads):.1f}; at the "
          f"end: {os.getloadavg()[0]:.1f}; CPUs: {os.cpu_count()}")
    if args.json:
        with open(args.json, "w") as file:
            json.dump([{"model": m, "condition": c, "framework": f, "samples_per_s": v,
                        "cpu_us_per_sample": cpu_costs.get((m, c, f))}
                       for (m, c, f), v in results.items()], file, indent=1)


if __name__ == "__main__":
    main()
