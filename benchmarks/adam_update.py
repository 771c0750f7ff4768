"""Adam's fused update: NumPy's kernel against oneDNN's, per array size, in CPU time.

    python benchmarks/adam_update.py [--threads 1]

Times ``adam_update`` (``fluxion.core.primitives.optimizer_updates``) on arrays of the
sizes of an MLP 784-256-256-10's variables and a few between, alternating the two
kernels for ``--rounds`` rounds (so a busy spell of a shared machine hits both alike),
and prints the best CPU microseconds per call of each, with the load average.  oneDNN's
``MIN_SIZE`` (below it NumPy runs) was chosen from this table.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from _common import table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import fluxion as tf
    from fluxion.backend import numpy_backend, onednn

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    numpy_backend.tune_allocator()  # as in a compiled training step
    api = onednn.api()
    if api is None:
        raise SystemExit("no oneDNN 3.x library: nothing to compare")
    rows = [_time_size(api, size, args.rounds)
            for size in (784 * 256, 256 * 256, 32768, 16384, 4096, 256)]
    print(table(rows, ("elements", "NumPy us", "oneDNN us", "oneDNN speed-up")))
    print(f"threads: {args.threads}; load average at the end: {os.getloadavg()[0]:.1f}")


def _time_size(api, size: int, rounds: int) -> tuple:
    """One table row: the best CPU microseconds per call of each kernel on ``size``."""
    from fluxion.backend.onednn import optimizer
    from fluxion.core.primitives.optimizer_updates import _adam_update_kernel

    rng = np.random.default_rng(0)
    g, m, w = (rng.standard_normal(size).astype(np.float32) for _ in range(3))
    v, alpha = np.abs(g), np.asarray(1e-3, np.float32)
    hyper = (0.9, 0.999, 1e-7)
    plan = optimizer._Plan(api, size, *hyper)
    kernels = {"numpy": lambda: _adam_update_kernel(g, m, v, w, alpha, *hyper),
               "onednn": lambda: plan.run(g, m, v, w, alpha.reshape(1))}
    calls = max(20, 2_000_000 // size)
    best = {name: float("inf") for name in kernels}
    for _ in range(rounds):  # the kernels alternate: a busy spell hits both
        for name, kernel in kernels.items():
            kernel()
            start = time.process_time()
            for _ in range(calls):
                kernel()
            best[name] = min(best[name], (time.process_time() - start) / calls * 1e6)
    return (size, f"{best['numpy']:.1f}", f"{best['onednn']:.1f}",
            f"{best['numpy'] / best['onednn']:.2f}x")


if __name__ == "__main__":
    main()
