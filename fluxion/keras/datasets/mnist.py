"""``keras.datasets.mnist``: 70,000 28x28 grayscale handwritten digits."""

from __future__ import annotations

import numpy as np

from fluxion.keras.datasets import _sources

ORIGIN = _sources.KERAS_ORIGIN
FILE_HASHES = {"mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"}


def load_data(path: str = "mnist.npz"):
    """Loads MNIST (downloaded once into ``~/.keras/datasets``).

    Args:
      path: the file name in the cache.

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: ``uint8`` images ``[60000, 28, 28]`` and
      ``[10000, 28, 28]``, ``uint8`` labels ``[60000]`` and ``[10000]`` (0-9).
    """
    local = _sources.fetch(path, ORIGIN + "mnist.npz", FILE_HASHES["mnist.npz"])
    with np.load(local, allow_pickle=False) as data:
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
