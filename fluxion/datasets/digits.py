"""The UCI optical-recognition handwritten digits, bundled (1,797 images of 8x8 pixels).

Each pixel counts the "on" pixels of a 4x4 block of a 32x32 bitmap, so values run
from 0 to 16.  Source: E. Alpaydin and C. Kaynak, UCI Machine Learning Repository,
"Optical Recognition of Handwritten Digits" (CC BY 4.0); this is the copy of its test
set that scikit-learn distributes.  See ``data/digits.LICENSE.txt``.
"""

from __future__ import annotations

import gzip
import os

import numpy as np

_PATH = os.path.join(os.path.dirname(__file__), "data", "digits.csv.gz")
NUM_SAMPLES = 1797


def load_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All samples: images ``uint8 [1797, 8, 8]`` (values 0..16) and labels ``uint8 [1797]``."""
    with gzip.open(_PATH, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.uint8)
    if table.shape != (NUM_SAMPLES, 65):
        raise ValueError(f"{_PATH} is damaged: expected {NUM_SAMPLES} rows of 65 values, "
                         f"got an array of shape {table.shape}")
    return table[:, :64].reshape(-1, 8, 8), table[:, 64]


def load_data(test_split: float = 0.2, seed: int = 113):
    """The digits as ``(x_train, y_train), (x_test, y_test)``, like ``keras.datasets``.

    Args:
      test_split: the fraction of samples held out for testing.
      seed: the shuffle seed; the same seed always gives the same split.

    Returns:
      Two tuples of NumPy arrays: images ``uint8 [n, 8, 8]`` and labels ``uint8 [n]``.

    >>> (x_train, y_train), (x_test, y_test) = load_data()
    >>> x_train.shape, x_test.shape
    ((1438, 8, 8), (359, 8, 8))
    """
    if not 0.0 <= test_split < 1.0:
        raise ValueError(f"test_split must be in [0, 1), got {test_split}")
    images, labels = load_arrays()
    order = np.random.default_rng(seed).permutation(len(labels))
    images, labels = images[order], labels[order]
    cut = len(labels) - int(round(len(labels) * test_split))
    return (images[:cut], labels[:cut]), (images[cut:], labels[cut:])
