"""``keras.datasets.cifar10``: 60,000 32x32 colour images in 10 classes."""

from __future__ import annotations

import os

import numpy as np

from fluxion.keras.datasets import _cifar, _sources

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASHES = {"cifar-10-python.tar.gz":
               "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"}


def load_data():
    """Loads CIFAR-10 (the Python-pickle archive, downloaded and extracted once).

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: ``uint8`` images ``[50000, 32, 32, 3]``
      and ``[10000, 32, 32, 3]`` (channels-first if ``keras.config.image_data_format()``
      says so), ``uint8`` labels ``[50000, 1]`` and ``[10000, 1]`` (0-9).
    """
    folder = _sources.fetch("cifar-10-batches-py-target", ORIGIN,
                            FILE_HASHES["cifar-10-python.tar.gz"], extract=True)
    folder = os.path.join(folder, "cifar-10-batches-py")
    parts = [_cifar.load_batch(os.path.join(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([data for data, _ in parts])
    y_train = np.concatenate([np.asarray(labels, np.uint8) for _, labels in parts])
    x_test, y_test = _cifar.load_batch(os.path.join(folder, "test_batch"))
    return _cifar.finish(x_train, y_train, x_test, y_test, np.uint8)
