"""``keras.datasets.reuters``: 11,228 newswires as word-index sequences, in 46 topics."""

from __future__ import annotations

import json

import numpy as np

from fluxion.keras.datasets import _sources

ORIGIN = _sources.KERAS_ORIGIN
FILE_HASHES = {"reuters.npz": "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
               "reuters_word_index.json": "4d44cc38712099c9e383dc6e5f11a921"}
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(path: str = "reuters.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, test_split: float = 0.2, seed: int = 113,
              start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3):
    """Loads the Reuters newswire topics (Keras 3 semantics).

    Args:
      path, num_words, skip_top, maxlen, seed, start_char, oov_char, index_from: as for
        ``imdb.load_data``.
      test_split: the fraction of the (shuffled) newswires held out for testing.

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: 1-D object arrays of lists of ints, and
      integer topic labels (0-45).
    """
    local = _sources.fetch(path, ORIGIN + "reuters.npz", FILE_HASHES["reuters.npz"])
    data = _sources.load_npz(local)
    xs, labels = _sources.shuffled(seed, data["x"], data["y"])
    xs = _sources.shift(xs, start_char, index_from)
    if maxlen:
        xs, labels = _sources.drop_long(maxlen, xs, labels)
    xs = _sources.fold_rare(xs, num_words, skip_top, oov_char)
    labels = np.asarray(labels)
    cut = int(len(xs) * (1 - test_split))
    return ((_sources.object_array(xs[:cut]), np.array(labels[:cut])),
            (_sources.object_array(xs[cut:]), np.array(labels[cut:])))


def get_word_index(path: str = "reuters_word_index.json") -> dict:
    """The word -> index dict of the dataset (indices before ``index_from`` is added)."""
    local = _sources.fetch(path, ORIGIN + "reuters_word_index.json",
                           FILE_HASHES["reuters_word_index.json"])
    with open(local) as handle:
        return json.load(handle)


def get_label_names() -> tuple:
    """The 46 topic names, indexed by label."""
    return LABEL_NAMES
