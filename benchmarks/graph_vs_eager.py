"""A training step eager vs compiled: 784-256-256-10 MLP, forward + GradientTape + SGD.

    python benchmarks/graph_vs_eager.py

Fluxion eager, Fluxion ``function``, TensorFlow ``tf.function`` and PyTorch (when
installed), in one run, at batch 32 and 128: milliseconds per step (median of 7 blocks)
and Fluxion-compiled's speed-up over each.  Also the time to trace and compile the
step, and the per-call overhead of a compiled function with one ``add``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from _common import optional, per_call_us, table

import fluxion as fx

SIZES = [784, 256, 256, 10]
LR = 0.01
STEPS = 30


def weights():
    rng = np.random.default_rng(0)
    out = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        out.append(rng.uniform(-0.05, 0.05, (fan_in, fan_out)).astype(np.float32))
        out.append(np.zeros(fan_out, np.float32))
    return out


def batch(size: int):
    rng = np.random.default_rng(1)
    return (rng.normal(size=(size, SIZES[0])).astype(np.float32),
            rng.integers(0, SIZES[-1], size).astype(np.int32))


def ms_per_step(step, x, y) -> float:
    step(x, y)
    step(x, y)
    blocks = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(STEPS):
            step(x, y)
        blocks.append((time.perf_counter() - start) / STEPS * 1e3)
    return statistics.median(blocks)


def fluxion_step(compiled: bool):
    variables = [fx.Variable(w) for w in weights()]

    def step(x, y):
        with fx.GradientTape() as tape:
            h = x
            for i in range(0, len(variables) - 2, 2):
                h = fx.nn.relu(fx.matmul(h, variables[i]) + variables[i + 1])
            logits = fx.matmul(h, variables[-2]) + variables[-1]
            loss = fx.reduce_mean(
                fx.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        for v, g in zip(variables, tape.gradient(loss, variables)):
            v.assign_sub(LR * g)
        return loss

    return fx.function(step) if compiled else step


def tensorflow_step(tf):
    variables = [tf.Variable(w) for w in weights()]

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            h = x
            for i in range(0, len(variables) - 2, 2):
                h = tf.nn.relu(tf.matmul(h, variables[i]) + variables[i + 1])
            logits = tf.matmul(h, variables[-2]) + variables[-1]
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        for v, g in zip(variables, tape.gradient(loss, variables)):
            v.assign_sub(LR * g)
        return loss

    return step


def torch_step(torch):
    params = [torch.tensor(w, requires_grad=True) for w in weights()]

    def step(x, y):
        h = x
        for i in range(0, len(params) - 2, 2):
            h = torch.relu(h @ params[i] + params[i + 1])
        loss = torch.nn.functional.cross_entropy(h @ params[-2] + params[-1], y)
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(LR * g)
        return loss

    return step


def trace_seconds() -> float:
    step = fluxion_step(compiled=True)
    x, y = batch(32)
    start = time.perf_counter()
    step.get_concrete_function(fx.constant(x), fx.constant(y))
    step(fx.constant(x), fx.constant(y))  # plus the first specialisation's code generation
    return time.perf_counter() - start


def main() -> None:
    tf = optional("tensorflow")
    torch = optional("torch")
    rows = []
    for size in (32, 128):
        x, y = batch(size)
        fx_x, fx_y = fx.constant(x), fx.constant(y)
        results = {"fluxion eager": ms_per_step(fluxion_step(False), fx_x, fx_y),
                   "fluxion function": ms_per_step(fluxion_step(True), fx_x, fx_y)}
        if tf is not None:
            results["tf.function"] = ms_per_step(tensorflow_step(tf), tf.constant(x),
                                                 tf.constant(y))
        if torch is not None:
            results["pytorch"] = ms_per_step(torch_step(torch), torch.tensor(x),
                                             torch.tensor(y).long())
        compiled = results["fluxion function"]
        for name, value in results.items():
            rows.append((size, name, f"{value:.3f}", f"{value / compiled:.2f}x"))
    print(table(rows, ("batch", "step", "ms/step (median)", "fluxion function speed-up")))
    print(f"\ntrace + optimise + compile of the step: {trace_seconds():.3f} s")
    add = fx.function(lambda a, b: a + b)
    a = fx.constant([1.0, 2.0])
    print(f"compiled function with one add: {per_call_us(lambda: add(a, a), 20000):.2f} us/call")
    if tf is not None:
        tf_add = tf.function(lambda a, b: a + b)
        ta = tf.constant([1.0, 2.0])
        print(f"tf.function with one add: {per_call_us(lambda: tf_add(ta, ta), 2000):.2f} us/call")


if __name__ == "__main__":
    main()
