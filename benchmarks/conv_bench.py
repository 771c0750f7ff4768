"""conv2d forward + backward, side by side: Fluxion, and PyTorch / TensorFlow when installed.

Three float32 cases: batch 32 of 28x28x8 images, a 3x3 filter to 16 channels, 'SAME'
padding; and the two convolutions of Keras' mnist_convnet at batch 128 ('VALID'):
28x28x1 -> 32 channels and 13x13x32 -> 64 channels.  The loss is the sum of the outputs,
and the step computes the gradients with respect to both the input and the filter.
Prints the median of several runs of each framework (single-threaded BLAS gives the
figures that keras_fit.py compares: set OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1).

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

CASES = [  # x shape, w shape, padding
    ((32, 28, 28, 8), (3, 3, 8, 16), "SAME"),
    ((128, 28, 28, 1), (3, 3, 1, 32), "VALID"),
    ((128, 13, 13, 32), (3, 3, 32, 64), "VALID"),
]


def _median_ms(step, repeats: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def bench_fluxion(x: np.ndarray, w: np.ndarray, padding: str,
                  repeats: int) -> tuple[float, float]:
    import fluxion as tf

    xt, wt = tf.constant(x), tf.constant(w)

    def forward():
        tf.nn.conv2d(xt, wt, 1, padding)

    def step():
        with tf.GradientTape() as tape:
            tape.watch([xt, wt])
            loss = tf.reduce_sum(tf.nn.conv2d(xt, wt, 1, padding))
        tape.gradient(loss, [xt, wt])

    return _median_ms(forward, repeats), _median_ms(step, repeats)


def bench_torch(x: np.ndarray, w: np.ndarray, padding: str,
                repeats: int) -> tuple[float, float]:
    import torch

    pad = w.shape[0] // 2 if padding == "SAME" else 0
    xt = torch.tensor(x.transpose(0, 3, 1, 2).copy(), requires_grad=True)
    wt = torch.tensor(w.transpose(3, 2, 0, 1).copy(), requires_grad=True)

    def forward():
        with torch.no_grad():
            torch.nn.functional.conv2d(xt, wt, padding=pad)

    def step():
        loss = torch.nn.functional.conv2d(xt, wt, padding=pad).sum()
        torch.autograd.grad(loss, [xt, wt])

    return _median_ms(forward, repeats), _median_ms(step, repeats)


def bench_tensorflow(x: np.ndarray, w: np.ndarray, padding: str,
                     repeats: int) -> tuple[float, float]:
    import tensorflow as tf

    xt, wt = tf.constant(x), tf.constant(w)

    def forward():
        tf.nn.conv2d(xt, wt, 1, padding).numpy()

    def step():
        with tf.GradientTape() as tape:
            tape.watch([xt, wt])
            loss = tf.reduce_sum(tf.nn.conv2d(xt, wt, 1, padding))
        gx, gw = tape.gradient(loss, [xt, wt])
        gx.numpy(), gw.numpy()

    return _median_ms(forward, repeats), _median_ms(step, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"conv2d, float32; median of {args.repeats} runs")
    rows = []
    for shape_x, shape_w, padding in CASES:
        x = rng.standard_normal(shape_x).astype(np.float32)
        w = rng.standard_normal(shape_w).astype(np.float32)
        case = f"{list(shape_x)} * {list(shape_w)} {padding}"
        for name, bench in [("fluxion", bench_fluxion), ("pytorch", bench_torch),
                            ("tensorflow", bench_tensorflow)]:
            try:
                forward, step = bench(x, w, padding, args.repeats)
            except ImportError:
                rows.append((case, name, "not installed", "-"))
                continue
            rows.append((case, name, f"{forward:.2f}", f"{step:.2f}"))
    print(table(rows, ("case", "framework", "forward ms", "fwd+bwd ms")))

if __name__ == "__main__":
    main()
