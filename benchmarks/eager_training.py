"""Eager training throughput: the README's digits MLP, one GradientTape step per batch.

    python benchmarks/eager_training.py

The same model (64 -> 64 relu -> 10, sparse softmax cross-entropy, plain SGD), the same
data and batch size, written idiomatically in Fluxion, TensorFlow eager and PyTorch,
in one run.  Prints training samples/s, the median of 5 timed epochs after a warm-up.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from _common import optional, table

import fluxion as fx
from fluxion.datasets import digits

BATCH = 32
EPOCHS = 5
LR = 0.1


def data():
    (x, y), _ = digits.load_data()
    return x.reshape(-1, 64).astype(np.float32) / 16.0, y.astype(np.int32)


def initial_weights():
    rng = np.random.default_rng(0)
    return [rng.uniform(-0.2, 0.2, (64, 64)).astype(np.float32), np.zeros(64, np.float32),
            rng.uniform(-0.2, 0.2, (64, 10)).astype(np.float32), np.zeros(10, np.float32)]


def samples_per_second(run_epoch, n: int) -> float:
    run_epoch()  # warm-up
    times = []
    for _ in range(EPOCHS):
        start = time.perf_counter()
        run_epoch()
        times.append(time.perf_counter() - start)
    return n / statistics.median(times)


def fluxion_epoch(x, y):
    variables = [fx.Variable(w) for w in initial_weights()]
    batches = [(fx.constant(x[i:i + BATCH]), fx.constant(y[i:i + BATCH]))
               for i in range(0, len(x), BATCH)]

    def epoch():
        w1, b1, w2, b2 = variables
        for xb, yb in batches:
            with fx.GradientTape() as tape:
                logits = fx.matmul(fx.nn.relu(fx.matmul(xb, w1) + b1), w2) + b2
                loss = fx.reduce_mean(
                    fx.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits))
            for v, g in zip(variables, tape.gradient(loss, variables)):
                v.assign_sub(LR * g)
    return epoch


def tensorflow_epoch(tf, x, y):
    variables = [tf.Variable(w) for w in initial_weights()]
    batches = [(tf.constant(x[i:i + BATCH]), tf.constant(y[i:i + BATCH]))
               for i in range(0, len(x), BATCH)]

    def epoch():
        w1, b1, w2, b2 = variables
        for xb, yb in batches:
            with tf.GradientTape() as tape:
                logits = tf.matmul(tf.nn.relu(tf.matmul(xb, w1) + b1), w2) + b2
                loss = tf.reduce_mean(
                    tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits))
            for v, g in zip(variables, tape.gradient(loss, variables)):
                v.assign_sub(LR * g)
    return epoch


def torch_epoch(torch, x, y):
    params = [torch.tensor(w, requires_grad=True) for w in initial_weights()]
    batches = [(torch.tensor(x[i:i + BATCH]), torch.tensor(y[i:i + BATCH]).long())
               for i in range(0, len(x), BATCH)]

    def epoch():
        w1, b1, w2, b2 = params
        for xb, yb in batches:
            logits = torch.relu(xb @ w1 + b1) @ w2 + b2
            loss = torch.nn.functional.cross_entropy(logits, yb)
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g in zip(params, grads):
                    p.sub_(LR * g)
    return epoch


def main() -> None:
    x, y = data()
    results = {"fluxion": samples_per_second(fluxion_epoch(x, y), len(x))}
    tf = optional("tensorflow")
    if tf is not None:
        results["tensorflow (eager)"] = samples_per_second(tensorflow_epoch(tf, x, y), len(x))
    torch = optional("torch")
    if torch is not None:
        results["pytorch"] = samples_per_second(torch_epoch(torch, x, y), len(x))
    base = results["fluxion"]
    rows = [(name, f"{value:,.0f}", f"{base / value:.2f}x") for name, value in results.items()]
    print(table(rows, ("framework", "samples/s (median)", "fluxion speed-up")))


if __name__ == "__main__":
    main()
