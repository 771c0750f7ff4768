"""``keras.datasets.boston_housing``: 506 Boston suburbs, 13 attributes, median home value."""

from __future__ import annotations

import numpy as np

from fluxion.keras.datasets import _sources

ORIGIN = _sources.KERAS_ORIGIN
FILE_HASHES = {"boston_housing.npz":
               "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"}


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113):
    """Loads the Boston housing prices (shuffled by ``seed``, the last ``test_split`` held out).

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: features ``[n, 13]`` and
      targets ``[n]`` (in thousands of dollars); 404 training and 102 test samples.
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be between 0 and 1. Received: test_split={test_split}")
    local = _sources.fetch(path, ORIGIN + "boston_housing.npz",
                           FILE_HASHES["boston_housing.npz"])
    with np.load(local, allow_pickle=False) as data:
        x, y = data["x"], data["y"]
    return _sources.split(test_split, *_sources.shuffled(seed, x, y))
