"""Synthetic stand-ins for the data keras-io programs download.

Nothing here reaches the network. Two kinds of stand-in:

* ``DATASETS``: replacements for ``keras.datasets.<name>.load_data`` that return random
  arrays of the real per-sample shapes and dtypes (and the real sample counts, which some
  programs slice by: ``x_train[:-10000]``).
* ``FILES``: generators for the files programs fetch by URL (``keras.utils.get_file``,
  ``pandas.read_csv(url)``, ``np.loadtxt(url)``), keyed by the URL's last path part. A URL
  handler installed into ``urllib`` serves them, so each library's own download code runs.

The text and images are random, so a program's numbers are meaningless; only whether it
runs is measured.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import zipfile

import numpy as np

_RNG = np.random.default_rng(0)
_WORDS = [
    "the", "a", "cat", "dog", "runs", "sees", "house", "red", "blue", "big", "small",
    "tree", "car", "goes", "to", "is", "was", "and", "or", "not", "good", "bad", "film",
    "movie", "great", "boring", "love", "hate", "very", "quite", "this", "that", "it",
]


def _images(count: int, shape: tuple, classes: int, label_shape: tuple = ()):
    """Random uint8 images and labels of the given shapes."""
    images = _RNG.integers(0, 256, size=(count,) + shape, dtype=np.uint8)
    labels = _RNG.integers(0, classes, size=(count,) + label_shape).astype(np.uint8)
    return images, labels


def _image_dataset(train: int, test: int, shape: tuple, classes: int,
                   label_shape: tuple = ()):
    def load_data(*args, **kwargs):
        del args, kwargs
        return (_images(train, shape, classes, label_shape),
                _images(test, shape, classes, label_shape))
    return load_data


def _sequence_dataset(train: int, test: int, classes: int, vocabulary: int):
    """imdb / reuters: object arrays of int lists, shaped like the real loaders' output."""
    def load_data(path=None, num_words=None, skip_top=0, maxlen=None, seed=113,
                  start_char=1, oov_char=2, index_from=3, **kwargs):
        del path, seed, kwargs
        top = num_words or vocabulary

        def split(count):
            sequences, labels = [], []
            for _ in range(count):
                length = int(_RNG.integers(20, 400))
                if maxlen is not None and length >= maxlen:
                    length = max(1, maxlen - 1)
                body = _RNG.integers(index_from + skip_top, max(top, index_from + 2),
                                     size=length)
                sequence = ([start_char] if start_char is not None else []) + body.tolist()
                sequences.append(sequence)
                labels.append(int(_RNG.integers(0, classes)))
            array = np.empty(len(sequences), dtype=object)
            array[:] = sequences
            return array, np.asarray(labels, dtype=np.int64)
        del oov_char
        return split(train), split(test)
    return load_data


def _regression_dataset(train: int, test: int, features: int):
    def load_data(*args, **kwargs):
        del args, kwargs
        def split(count):
            return (_RNG.normal(size=(count, features)) * 10 + 20,
                    _RNG.normal(size=(count,)) * 5 + 22)
        return split(train), split(test)
    return load_data


def _california(version="large", path=None, test_split=0.2, seed=113):
    del path, seed
    count = 20640 if version == "large" else 600
    test = int(count * test_split)
    x = _RNG.normal(size=(count, 8)).astype(np.float32)
    y = np.abs(_RNG.normal(size=(count,)) * 100000).astype(np.float32)
    return (x[test:], y[test:]), (x[:test], y[:test])


DATASETS = {
    "mnist": _image_dataset(60000, 10000, (28, 28), 10),
    "fashion_mnist": _image_dataset(60000, 10000, (28, 28), 10),
    "cifar10": _image_dataset(50000, 10000, (32, 32, 3), 10, (1,)),
    "cifar100": _image_dataset(50000, 10000, (32, 32, 3), 100, (1,)),
    "imdb": _sequence_dataset(25000, 25000, 2, 88585),
    "reuters": _sequence_dataset(8982, 2246, 46, 30980),
    "boston_housing": _regression_dataset(404, 102, 13),
    "california_housing": _california,
}


# --- files fetched by URL ---------------------------------------------------------------

def _sentence(low: int = 3, high: int = 9) -> str:
    return " ".join(_RNG.choice(_WORDS, size=int(_RNG.integers(low, high)))).capitalize()


def _text_bytes(characters: int = 100_000) -> bytes:
    parts, total = [], 0
    while total < characters:
        sentence = _sentence() + ". "
        parts.append(sentence)
        total += len(sentence)
    return "".join(parts).encode()


def _zip_bytes(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar_gz_bytes(members: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _jpeg_bytes(height: int, width: int) -> bytes:
    from PIL import Image
    pixels = _RNG.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG")
    return buffer.getvalue()


def _translation_pairs(count: int, attribution: bool) -> bytes:
    lines = []
    for _ in range(count):
        fields = [_sentence() + ".", _sentence() + "."]
        if attribution:
            fields.append("CC-BY 2.0 (France) Attribution: tatoeba.org")
        lines.append("\t".join(fields))
    return ("\n".join(lines) + "\n").encode()


def _ucr_series(rows: int, length: int = 500) -> bytes:
    labels = _RNG.choice([-1, 1], size=(rows, 1)).astype(float)
    values = _RNG.normal(size=(rows, length))
    buffer = io.StringIO()
    np.savetxt(buffer, np.concatenate([labels, values], axis=1), delimiter="\t", fmt="%.5f")
    return buffer.getvalue().encode()


def _heart_csv() -> bytes:
    header = ("age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,"
              "target")
    rows = [header]
    for _ in range(303):
        rows.append(",".join([
            str(int(_RNG.integers(29, 78))), str(int(_RNG.integers(0, 2))),
            str(int(_RNG.integers(0, 5))), str(int(_RNG.integers(94, 200))),
            str(int(_RNG.integers(126, 564))), str(int(_RNG.integers(0, 2))),
            str(int(_RNG.integers(0, 3))), str(int(_RNG.integers(71, 202))),
            str(int(_RNG.integers(0, 2))), f"{_RNG.uniform(0, 6.2):.1f}",
            str(int(_RNG.integers(1, 4))), str(int(_RNG.integers(0, 4))),
            str(_RNG.choice(["fixed", "normal", "reversible"])),
            str(int(_RNG.integers(0, 2)))]))
    return ("\n".join(rows) + "\n").encode()


def _jena_climate_zip(rows: int = 30000) -> bytes:
    columns = ["p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)",
               "VPmax (mbar)", "VPact (mbar)", "VPdef (mbar)", "sh (g/kg)",
               "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)", "max. wv (m/s)", "wd (deg)"]
    values = _RNG.normal(size=(rows, len(columns))) * 5 + 20
    lines = ['"Date Time",' + ",".join(f'"{c}"' for c in columns)]
    for index in range(rows):
        minutes = index * 10
        day, rest = divmod(minutes, 24 * 60)
        stamp = f"{1 + day % 28:02d}.{1 + (day // 28) % 12:02d}.2009 " \
                f"{rest // 60:02d}:{rest % 60:02d}:00"
        lines.append(stamp + "," + ",".join(f"{v:.2f}" for v in values[index]))
    return _zip_bytes({"jena_climate_2009_2016.csv": "\n".join(lines) + "\n"})


def _bsds500_tgz() -> bytes:
    members = {}
    for split, count in (("train", 20), ("val", 10), ("test", 10)):
        for index in range(count):
            members[f"BSR/BSDS500/data/images/{split}/{index}.jpg"] = _jpeg_bytes(321, 481)
    return _tar_gz_bytes(members)


def _moving_mnist() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, _RNG.integers(0, 256, size=(20, 200, 64, 64), dtype=np.uint8))
    return buffer.getvalue()


def _imdb_word_index() -> bytes:
    index = {f"word{i}": i for i in range(1, 88585)}
    for rank, word in enumerate(_WORDS, start=1):
        index[word] = rank
    return json.dumps(index).encode()


FILES = {
    "nietzsche.txt": _text_bytes,
    "fra-eng.zip": lambda: _zip_bytes({"fra.txt": _translation_pairs(12000, True)}),
    "spa-eng.zip": lambda: _zip_bytes({"spa-eng/spa.txt": _translation_pairs(3000, False)}),
    "FordA_TRAIN.tsv": lambda: _ucr_series(600),
    "FordA_TEST.tsv": lambda: _ucr_series(200),
    "heart.csv": _heart_csv,
    "jena_climate_2009_2016.csv.zip": _jena_climate_zip,
    "BSR_bsds500.tgz": _bsds500_tgz,
    "mnist_test_seq.npy": _moving_mnist,
    "imdb_word_index.json": _imdb_word_index,
}


def file_for_url(url: str) -> bytes | None:
    """The synthetic bytes served for ``url``, or None when there is no stand-in."""
    name = os.path.basename(url.split("?")[0].rstrip("/"))
    make = FILES.get(name)
    return make() if make is not None else None
