"""``keras.datasets.cifar100``: 60,000 32x32 colour images in 100 classes (20 superclasses)."""

from __future__ import annotations

import os

import numpy as np

from fluxion.keras.datasets import _cifar, _sources

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASHES = {"cifar-100-python.tar.gz":
               "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"}


def load_data(label_mode: str = "fine"):
    """Loads CIFAR-100 (the Python-pickle archive, downloaded and extracted once).

    Args:
      label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses).

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: ``uint8`` images ``[50000, 32, 32, 3]``
      and ``[10000, 32, 32, 3]``, ``int64`` labels ``[50000, 1]`` and ``[10000, 1]``
      (the dtype Keras gives them).
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`. '
                         f"Received: label_mode={label_mode}.")
    folder = _sources.fetch("cifar-100-python-target", ORIGIN,
                            FILE_HASHES["cifar-100-python.tar.gz"], extract=True)
    folder = os.path.join(folder, "cifar-100-python")
    key = f"{label_mode}_labels"
    x_train, y_train = _cifar.load_batch(os.path.join(folder, "train"), label_key=key)
    x_test, y_test = _cifar.load_batch(os.path.join(folder, "test"), label_key=key)
    return _cifar.finish(x_train, y_train, x_test, y_test, np.int64)
