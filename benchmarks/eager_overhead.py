"""Per-op latency of eager ``a + b`` and ``matmul(a, b)`` on 2x2 float32 tensors.

    python benchmarks/eager_overhead.py

Fluxion, raw NumPy, and when installed TensorFlow eager and PyTorch, in one run, each
with no tape and inside a recording tape (``torch``: requires_grad inputs).  Prints
medians of 7 repeats in microseconds per op and Fluxion's ratio to PyTorch.
"""

from __future__ import annotations

import numpy as np
from _common import optional, per_call_us, table

import fluxion as fx

N = 20000


def measure_fluxion() -> dict:
    a = fx.constant([[1.0, 2.0], [3.0, 4.0]])
    b = fx.constant([[5.0, 6.0], [7.0, 8.0]])
    results = {"add": per_call_us(lambda: a + b, N),
               "matmul": per_call_us(lambda: fx.matmul(a, b), N)}
    with fx.GradientTape(persistent=True) as tape:
        tape.watch([a, b])
        # A fresh tape per timing block keeps the recorded list from growing unboundedly.
        results["add (tape)"] = per_call_us(lambda: a + b, N, repeats=3)
        results["matmul (tape)"] = per_call_us(lambda: fx.matmul(a, b), N, repeats=3)
    return results


def measure_numpy() -> dict:
    a = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    b = np.array([[5.0, 6.0], [7.0, 8.0]], dtype=np.float32)
    return {"add": per_call_us(lambda: a + b, N), "matmul": per_call_us(lambda: a @ b, N)}


def measure_torch(torch) -> dict:
    torch.set_num_threads(1)
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = torch.tensor([[5.0, 6.0], [7.0, 8.0]])
    results = {"add": per_call_us(lambda: a + b, N),
               "matmul": per_call_us(lambda: torch.matmul(a, b), N)}
    ga, gb = a.clone().requires_grad_(), b.clone().requires_grad_()
    results["add (tape)"] = per_call_us(lambda: ga + gb, N, repeats=3)
    results["matmul (tape)"] = per_call_us(lambda: torch.matmul(ga, gb), N, repeats=3)
    return results


def measure_tensorflow(tf) -> dict:
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    b = tf.constant([[5.0, 6.0], [7.0, 8.0]])
    results = {"add": per_call_us(lambda: a + b, N // 4),
               "matmul": per_call_us(lambda: tf.matmul(a, b), N // 4)}
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([a, b])
        results["add (tape)"] = per_call_us(lambda: a + b, N // 4, repeats=3)
        results["matmul (tape)"] = per_call_us(lambda: tf.matmul(a, b), N // 4, repeats=3)
    return results


def main() -> None:
    columns = {"fluxion": measure_fluxion(), "numpy": measure_numpy()}
    torch = optional("torch")
    if torch is not None:
        columns["pytorch"] = measure_torch(torch)
    tf = optional("tensorflow")
    if tf is not None:
        columns["tensorflow"] = measure_tensorflow(tf)
    ops = ["add", "matmul", "add (tape)", "matmul (tape)"]
    headers = ("op (us/op, median)",) + tuple(columns) + (
        ("fluxion/pytorch",) if "pytorch" in columns else ())
    rows = []
    for op in ops:
        row = [op] + [f"{c[op]:.2f}" if op in c else "-" for c in columns.values()]
        if "pytorch" in columns:
            row.append(f"{columns['fluxion'][op] / columns['pytorch'][op]:.2f}x")
        rows.append(tuple(row))
    print(table(rows, headers))


if __name__ == "__main__":
    main()
