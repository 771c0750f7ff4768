"""conv2d forward + backward, side by side: Fluxion, and PyTorch / TensorFlow when installed.

Batch 32 of 28x28x8 images, a 3x3 filter to 16 channels, 'SAME' padding, float32; the
loss is the sum of the outputs, and the step computes the gradients with respect to both
the input and the filter.  Prints the median of several runs of each framework.

Run from any environment (the repository root is put on ``sys.path``)::

    python benchmarks/conv_bench.py [--repeats 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # runs from any virtual environment, fluxion installed or not
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from _common import table  # noqa: E402

SHAPE_X = (32, 28, 28, 8)
SHAPE_W = (3, 3, 8, 16)


def _median_ms(step, repeats: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def bench_fluxion(x: np.ndarray, w: np.ndarray, repeats: int) -> tuple[float, float]:
    import fluxion as tf

    xt, wt = tf.constant(x), tf.constant(w)

    def forward():
        tf.nn.conv2d(xt, wt, 1, "SAME")

    def step():
        with tf.GradientTape() as tape:
            tape.watch([xt, wt])
            loss = tf.reduce_sum(tf.nn.conv2d(xt, wt, 1, "SAME"))
        tape.gradient(loss, [xt, wt])

    return _median_ms(forward, repeats), _median_ms(step, repeats)


def bench_torch(x: np.ndarray, w: np.ndarray, repeats: int) -> tuple[float, float]:
    import torch

    xt = torch.tensor(x.transpose(0, 3, 1, 2).copy(), requires_grad=True)
    wt = torch.tensor(w.transpose(3, 2, 0, 1).copy(), requires_grad=True)

    def forward():
        with torch.no_grad():
            torch.nn.functional.conv2d(xt, wt, padding=1)

    def step():
        loss = torch.nn.functional.conv2d(xt, wt, padding=1).sum()
        torch.autograd.grad(loss, [xt, wt])

    return _median_ms(forward, repeats), _median_ms(step, repeats)


def bench_tensorflow(x: np.ndarray, w: np.ndarray, repeats: int) -> tuple[float, float]:
    import tensorflow as tf

    xt, wt = tf.constant(x), tf.constant(w)

    def forward():
        tf.nn.conv2d(xt, wt, 1, "SAME").numpy()

    def step():
        with tf.GradientTape() as tape:
            tape.watch([xt, wt])
            loss = tf.reduce_sum(tf.nn.conv2d(xt, wt, 1, "SAME"))
        gx, gw = tape.gradient(loss, [xt, wt])
        gx.numpy(), gw.numpy()

    return _median_ms(forward, repeats), _median_ms(step, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPE_X).astype(np.float32)
    w = rng.standard_normal(SHAPE_W).astype(np.float32)
    print(f"conv2d {list(SHAPE_X)} * {list(SHAPE_W)}, SAME, float32; median of "
          f"{args.repeats} runs")
    rows = []
    for name, bench in [("fluxion", bench_fluxion), ("pytorch", bench_torch),
                        ("tensorflow", bench_tensorflow)]:
        try:
            forward, step = bench(x, w, args.repeats)
        except ImportError:
            rows.append((name, "not installed", "-"))
            continue
        rows.append((name, f"{forward:.2f}", f"{step:.2f}"))
    print(table(rows, ("framework", "forward ms", "fwd+bwd ms")))


if __name__ == "__main__":
    main()
