"""``fit`` on a prefetched ``Dataset`` against ``fit`` on the same NumPy arrays.

    python benchmarks/fit_dataset_vs_arrays.py

MLP 784-256-256-10, Adam, batch 128, 12,800 samples; the Dataset is
from_tensor_slices -> shuffle(10,000) -> batch(128) -> prefetch(AUTOTUNE).  Prints
samples/s for both (median of 3 epochs after a warm-up) and their ratio.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from _common import table

import fluxion as tf
from fluxion import keras

N = 12800


def model() -> keras.Model:
    m = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                          keras.layers.Dense(256, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return m


def samples_per_second(fit) -> float:
    fit()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        fit()
        times.append(time.perf_counter() - start)
    return N / statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((N, 784), dtype=np.float32)
    y = rng.integers(0, 10, N)
    on_arrays, on_dataset = model(), model()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(10000, seed=1).batch(128) \
        .prefetch(tf.data.AUTOTUNE)
    arrays = samples_per_second(lambda: on_arrays.fit(x, y, batch_size=128, verbose=0))
    dataset = samples_per_second(lambda: on_dataset.fit(ds, verbose=0))
    print(table([("NumPy arrays", f"{arrays:,.0f}", "1.00x"),
                 ("prefetched Dataset", f"{dataset:,.0f}", f"{dataset / arrays:.2f}x")],
                ("fit input", "samples/s", "vs arrays")))


if __name__ == "__main__":
    main()
