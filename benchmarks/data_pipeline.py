"""Input pipeline throughput: Fluxion's ``fluxion.data`` against ``tf.data``.

The pipeline, as in the Keras MNIST examples::

    from_tensor_slices((x: 60000 x 784 float32, y: 60000 int64))
      -> shuffle(10000) -> map(normalise) -> batch(128) -> prefetch(AUTOTUNE)

iterated once; batches per second, median of 3 runs.  The map runs per element (it
is before ``batch``), so this measures per-element overhead.  A second row runs the
map with ``num_parallel_calls=AUTOTUNE``.

Run: ``python benchmarks/data_pipeline.py`` (any environment; TF is timed when
installed, e.g. ``/work/refenv/bin/python benchmarks/data_pipeline.py``).
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from _common import optional, table

import fluxion as flx
import fluxion.data

RUNS = 3


def normalise(image, label):
    return image / 255.0, label


def _batches_per_second(make_dataset) -> float:
    rates = []
    for _ in range(RUNS):
        dataset = make_dataset()
        start = time.perf_counter()
        count = sum(1 for _ in dataset)
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def _pipeline(data_module, x, y, parallel):
    def make():
        dataset = data_module.Dataset.from_tensor_slices((x, y)).shuffle(10_000)
        dataset = dataset.map(normalise, num_parallel_calls=parallel)
        return dataset.batch(128).prefetch(data_module.AUTOTUNE)
    return make


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((60_000, 784), dtype=np.float32) * 255
    y = rng.integers(0, 10, 60_000).astype(np.int64)
    tf = optional("tensorflow")
    rows = []
    for label, parallel in (("map", None), ("map, num_parallel_calls=AUTOTUNE", -1)):
        ours = _batches_per_second(_pipeline(flx.data, x, y, parallel))
        theirs = (_batches_per_second(_pipeline(tf.data, x, y, parallel))
                  if tf is not None else None)
        ratio = f"{ours / theirs:.2f}x" if theirs else "-"
        rows.append((label, f"{ours:.0f}", f"{theirs:.0f}" if theirs else "n/a", ratio))
    print("from_tensor_slices(60000x784) -> shuffle(10000) -> map -> batch(128) -> prefetch")
    print(table(rows, ("pipeline", "fluxion batches/s", "tf.data batches/s", "fluxion/tf")))


if __name__ == "__main__":
    main()
