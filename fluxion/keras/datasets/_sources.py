"""Fetching and safely reading the dataset files shared by the ``keras.datasets`` loaders."""

from __future__ import annotations

import io
import os
import pickle
import zipfile

import numpy as np

from fluxion.keras.utils.file_utils import get_file

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
MIRROR_VARIABLE = "FLUXION_DATASETS_MIRROR"


def fetch(fname: str, origin: str, file_hash: str | None, **options) -> str:
    """``get_file`` for a dataset file, through ``$FLUXION_DATASETS_MIRROR`` when it is set."""
    mirror = os.environ.get(MIRROR_VARIABLE)
    if mirror:
        origin = mirror.rstrip("/") + "/" + origin.rsplit("/", 1)[-1]
    return get_file(fname=fname, origin=origin, file_hash=file_hash, **options)


# Object arrays (the ragged word sequences of IMDB and Reuters) can only be stored as
# pickles.  Rebuilding a NumPy array needs these globals and nothing else; refusing
# every other global keeps a tampered file from running code while it is loaded.
# (``_codecs.encode`` only turns text into bytes: Python 3 writes bytes that way in
# protocol-2 pickles such as re-saved CIFAR batches.)
_NUMPY_GLOBALS = frozenset({("_codecs", "encode"),("numpy", "ndarray"), ("numpy", "dtype"),
                            ("numpy.core.multiarray", "_reconstruct"),
                            ("numpy._core.multiarray", "_reconstruct"),
                            ("numpy.core.multiarray", "scalar"),
                            ("numpy._core.multiarray", "scalar")})


class NumpyOnlyUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds NumPy arrays and plain Python containers, nothing else."""

    def find_class(self, module: str, name: str):
        if (module, name) in _NUMPY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a dataset file; "
                                     "the file may be damaged or malicious")


def _read_npy(buffer: io.BytesIO) -> np.ndarray:
    try:
        return np.lib.format.read_array(buffer, allow_pickle=False)
    except ValueError:  # an object array: its data is a pickle after the header
        buffer.seek(0)
        major, _minor = np.lib.format.read_magic(buffer)
        if major == 1:
            np.lib.format.read_array_header_1_0(buffer)
        else:  # versions 2 and 3 share the header layout
            np.lib.format.read_array_header_2_0(buffer)
        return NumpyOnlyUnpickler(buffer).load()


def load_npz(path: str) -> dict:
    """The arrays of an ``.npz`` file, reading object arrays without trusting their pickles."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                arrays[member[:-4]] = _read_npy(io.BytesIO(archive.read(member)))
    return arrays


def shuffled(seed, *arrays):
    """The arrays permuted alike, by ``np.random.RandomState(seed)`` as Keras does.

    ``seed`` may be a ``RandomState`` already in use, to continue its sequence.
    """
    rng = seed if isinstance(seed, np.random.RandomState) else np.random.RandomState(seed)
    indices = np.arange(len(arrays[0]))
    rng.shuffle(indices)
    return tuple(array[indices] for array in arrays)


def split(test_split: float, x: np.ndarray, y: np.ndarray):
    """``(x_train, y_train), (x_test, y_test)`` with the last ``test_split`` held out."""
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be between 0 and 1. Received: test_split={test_split}")
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


def shift(sequences, start_char, index_from) -> list:
    """Adds ``index_from`` to every word id and prepends ``start_char`` (unless None)."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in sequences]
    return [[w + index_from for w in x] for x in sequences]


def fold_rare(sequences, num_words, skip_top, oov_char) -> list:
    """Replaces ids outside ``[skip_top, num_words)`` by ``oov_char`` (drops them if None)."""
    if not num_words:
        num_words = max((max(x) for x in sequences if len(x)), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in sequences]
    return [[w for w in x if skip_top <= w < num_words] for x in sequences]


def drop_long(maxlen, sequences, labels):
    """Keeps the sequences shorter than ``maxlen`` (Keras's rule: strictly shorter)."""
    kept = [(x, y) for x, y in zip(sequences, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def object_array(sequences) -> np.ndarray:
    """A 1-D object array of lists (``np.array`` would make a 2-D array of equal lengths)."""
    out = np.empty(len(sequences), dtype=object)
    out[:] = [list(x) for x in sequences]
    return out
