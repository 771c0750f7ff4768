"""``keras.datasets.imdb``: 50,000 movie reviews as word-index sequences, labelled by sentiment."""

from __future__ import annotations

import json

import numpy as np

from fluxion.keras.datasets import _sources

ORIGIN = _sources.KERAS_ORIGIN
FILE_HASHES = {"imdb.npz": "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
               "imdb_word_index.json": "bfafd718b763782e994055a2d397834f"}


def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, seed: int = 113, start_char: int | None = 1,
              oov_char: int | None = 2, index_from: int = 3, **kwargs):
    """Loads the IMDB sentiment dataset (Keras 3 semantics).

    Args:
      path: the file name in the cache.
      num_words: keep only the ``num_words`` most frequent words (the others become
        ``oov_char``, or are dropped when it is None).
      skip_top: also fold the ``skip_top`` most frequent words.
      maxlen: drop sequences of ``maxlen`` words or more.
      seed: the shuffle seed.
      start_char: the index marking the start of each sequence (None for none).
      oov_char: the index replacing folded words (None drops them).
      index_from: the first index of real words.

    Returns:
      ``(x_train, y_train), (x_test, y_test)``: 1-D object arrays of lists of ints,
      and integer labels (0 or 1); 25,000 reviews each.
    """
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
    local = _sources.fetch(path, ORIGIN + "imdb.npz", FILE_HASHES["imdb.npz"])
    data = _sources.load_npz(local)
    rng = np.random.RandomState(seed)  # one generator: the test shuffle continues it
    x_train, y_train = _sources.shuffled(rng, data["x_train"], data["y_train"])
    x_test, y_test = _sources.shuffled(rng, data["x_test"], data["y_test"])
    x_train = _sources.shift(x_train, start_char, index_from)
    x_test = _sources.shift(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = _sources.drop_long(maxlen, x_train, y_train)
        x_test, y_test = _sources.drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, "
                             "no sequence was kept. Increase maxlen.")
    sequences = _sources.fold_rare(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(y_train), np.asarray(y_test)])
    cut = len(x_train)
    return ((_sources.object_array(sequences[:cut]), labels[:cut]),
            (_sources.object_array(sequences[cut:]), labels[cut:]))


def get_word_index(path: str = "imdb_word_index.json") -> dict:
    """The word -> index dict of the dataset (indices before ``index_from`` is added)."""
    local = _sources.fetch(path, ORIGIN + "imdb_word_index.json",
                           FILE_HASHES["imdb_word_index.json"])
    with open(local) as handle:
        return json.load(handle)
