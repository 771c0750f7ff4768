"""``keras.datasets.fashion_mnist``: 70,000 28x28 grayscale images of 10 kinds of clothing."""

from __future__ import annotations

import gzip
import os

import numpy as np

from fluxion.keras.datasets import _sources

ORIGIN = _sources.KERAS_ORIGIN
FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
FILE_HASHES: dict = dict.fromkeys(FILES)  # Keras publishes none for these files


def _read_idx(path: str, header: int) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        return np.frombuffer(handle.read(), np.uint8, offset=header)


def load_data():
    """Loads Fashion-MNIST (the four IDX files, downloaded once).

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: ``uint8`` images ``[60000, 28, 28]`` and
      ``[10000, 28, 28]``, ``uint8`` labels ``[60000]`` and ``[10000]`` (0-9).
    """
    subdir = os.path.join("datasets", "fashion-mnist")
    paths = [_sources.fetch(name, ORIGIN + name, FILE_HASHES[name], cache_subdir=subdir)
             for name in FILES]
    y_train = _read_idx(paths[0], 8)
    x_train = _read_idx(paths[1], 16).reshape(len(y_train), 28, 28)
    y_test = _read_idx(paths[2], 8)
    x_test = _read_idx(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
