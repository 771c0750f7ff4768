"""``keras.datasets.california_housing``: 20,640 Californian districts, 8 features."""

from __future__ import annotations

import numpy as np

from fluxion.keras.datasets import _sources

ORIGIN = _sources.KERAS_ORIGIN
FILE_HASHES = {"california_housing.npz":
               "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"}


def load_data(version: str = "large", path: str = "california_housing.npz",
              test_split: float = 0.2, seed: int = 113):
    """Loads the California housing prices (shuffled by ``seed``).

    Args:
      version: ``"large"`` (all 20,640 samples) or ``"small"`` (the first 600).
      path: the file name in the cache.
      test_split: the fraction held out for testing.
      seed: the shuffle seed.

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: features ``[n, 8]`` and
      median house values ``[n]`` (dollars).
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be between 0 and 1. Received: test_split={test_split}")
    if version not in ("large", "small"):
        raise ValueError(f'Argument `version` must be one of "small", "large". '
                         f"Received: version={version}")
    local = _sources.fetch(path, ORIGIN + "california_housing.npz",
                           FILE_HASHES["california_housing.npz"])
    with np.load(local, allow_pickle=False) as data:
        x, y = data["x"], data["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return _sources.split(test_split, *_sources.shuffled(seed, x, y))
