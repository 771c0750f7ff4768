"""keras.datasets loaders, against small files in the real formats served from 127.0.0.1
and from file:// folders (the test machines have no internet)."""

import gzip
import hashlib
import io
import json
import os
import pickle
import tarfile

import numpy as np
import pytest
from local_http import LocalServer

from fluxion.keras import config
from fluxion.keras import datasets as kd
from fluxion.keras.datasets import _sources

RNG = np.random.default_rng(0)
MNIST = {"x_train": RNG.integers(0, 256, (12, 28, 28), dtype=np.uint8),
         "y_train": RNG.integers(0, 10, 12, dtype=np.uint8),
         "x_test": RNG.integers(0, 256, (5, 28, 28), dtype=np.uint8),
         "y_test": RNG.integers(0, 10, 5, dtype=np.uint8)}


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _ragged(lengths, high=40):
    out = np.empty(len(lengths), dtype=object)
    out[:] = [RNG.integers(1, high, n).tolist() for n in lengths]
    return out


def _idx(array: np.ndarray, magic: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.tobytes())


def _tar_gz(members: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _cifar_batch(n: int, **labels) -> bytes:
    # The original batches are Python 2 pickles: str keys, read back as bytes.
    batch = {b"data": RNG.integers(0, 256, (n, 3072), dtype=np.uint8)}
    batch.update({k.encode(): v for k, v in labels.items()})
    return pickle.dumps(batch, protocol=2)


IMDB = {"x_train": _ragged([3, 8, 2, 5]), "y_train": np.array([0, 1, 1, 0]),
        "x_test": _ragged([4, 1, 9]), "y_test": np.array([1, 0, 1])}
REUTERS = {"x": _ragged([3, 6, 2, 7, 4, 5, 1, 8, 2, 3]), "y": np.arange(10) % 46}
BOSTON = {"x": RNG.random((20, 13)), "y": RNG.random(20)}
CALIFORNIA = {"x": RNG.random((700, 8)).astype(np.float32), "y": RNG.random(700)}
FASHION = {"train-labels-idx1-ubyte.gz": _idx(MNIST["y_train"], 2049),
           "train-images-idx3-ubyte.gz": _idx(MNIST["x_train"], 2051),
           "t10k-labels-idx1-ubyte.gz": _idx(MNIST["y_test"], 2049),
           "t10k-images-idx3-ubyte.gz": _idx(MNIST["x_test"], 2051)}
CIFAR10 = _tar_gz({**{f"cifar-10-batches-py/data_batch_{i}": _cifar_batch(3, labels=[i] * 3)
                      for i in range(1, 6)},
                   "cifar-10-batches-py/test_batch": _cifar_batch(2, labels=[7, 8])})
CIFAR100 = _tar_gz({"cifar-100-python/train": _cifar_batch(4, fine_labels=[1, 2, 3, 99],
                                                           coarse_labels=[0, 1, 2, 19]),
                    "cifar-100-python/test": _cifar_batch(2, fine_labels=[5, 6],
                                                          coarse_labels=[3, 4])})
FILES = {"mnist.npz": _npz(**MNIST), "imdb.npz": _npz(**IMDB), "reuters.npz": _npz(**REUTERS),
         "imdb_word_index.json": json.dumps({"the": 1, "movie": 2}).encode(),
         "reuters_word_index.json": json.dumps({"the": 1}).encode(),
         "boston_housing.npz": _npz(**BOSTON), "california_housing.npz": _npz(**CALIFORNIA),
         "cifar-10-python.tar.gz": CIFAR10, "cifar-100-python.tar.gz": CIFAR100, **FASHION}
MODULES = ("mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters", "boston_housing",
           "california_housing")


@pytest.fixture(params=["http", "file"])
def mirror(request, tmp_path, monkeypatch):
    """Serves the files by HTTP on 127.0.0.1 or from a file:// folder, with their hashes."""
    root = tmp_path / "mirror"
    root.mkdir()
    for name, data in FILES.items():
        (root / name).write_bytes(data)
    for module in MODULES:
        hashes = getattr(kd, module).FILE_HASHES
        for name in hashes:
            monkeypatch.setitem(hashes, name, hashlib.sha256(FILES[name]).hexdigest())
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    if request.param == "http":
        server = LocalServer(str(root))
        monkeypatch.setenv(_sources.MIRROR_VARIABLE, server.url())
        yield tmp_path / "keras_home"
        server.close()
    else:
        monkeypatch.setenv(_sources.MIRROR_VARIABLE, root.as_uri())
        yield tmp_path / "keras_home"


def test_mnist_and_fashion_mnist(mirror):
    for module in (kd.mnist, kd.fashion_mnist):
        (x_train, y_train), (x_test, y_test) = module.load_data()
        assert x_train.dtype == np.uint8 and x_train.shape == (12, 28, 28)
        assert y_train.dtype == np.uint8 and y_train.shape == (12,)
        np.testing.assert_array_equal(x_test, MNIST["x_test"])
        np.testing.assert_array_equal(y_test, MNIST["y_test"])
    assert (mirror / "datasets" / "mnist.npz").exists()
    assert (mirror / "datasets" / "fashion-mnist" / "t10k-images-idx3-ubyte.gz").exists()


def test_cifar10(mirror):
    (x_train, y_train), (x_test, y_test) = kd.cifar10.load_data()
    assert x_train.shape == (15, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (15, 1) and y_train.dtype == np.uint8
    np.testing.assert_array_equal(y_train[:, 0], np.repeat([1, 2, 3, 4, 5], 3))
    assert x_test.shape == (2, 32, 32, 3) and y_test.tolist() == [[7], [8]]
    assert (mirror / "datasets" / "cifar-10-batches-py-target").is_dir()


def test_cifar10_channels_first(mirror):
    config.set_image_data_format("channels_first")
    try:
        (x_train, _), _ = kd.cifar10.load_data()
    finally:
        config.set_image_data_format("channels_last")
    assert x_train.shape == (15, 3, 32, 32)


def test_cifar100_label_modes(mirror):
    (x_train, y_fine), (_, y_test) = kd.cifar100.load_data()
    assert x_train.shape == (4, 32, 32, 3) and y_fine[:, 0].tolist() == [1, 2, 3, 99]
    assert y_test.shape == (2, 1)
    (_, y_coarse), _ = kd.cifar100.load_data("coarse")
    assert y_coarse[:, 0].tolist() == [0, 1, 2, 19]
    with pytest.raises(ValueError, match="label_mode"):
        kd.cifar100.load_data("medium")


def _reference_text(x, y, seed, start_char, index_from, num_words, oov_char, skip_top):
    """Keras's documented pipeline, written out for the check."""
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    seqs = [[start_char] + [w + index_from for w in x[i]] for i in order]
    return [[w if skip_top <= w < num_words else oov_char for w in s] for s in seqs], y[order]


def test_imdb(mirror):
    (x_train, y_train), (x_test, y_test) = kd.imdb.load_data(num_words=20, seed=5)
    assert x_train.dtype == object and x_train.shape == (4,) and x_test.shape == (3,)
    expected, labels = _reference_text(IMDB["x_train"], IMDB["y_train"], 5, 1, 3, 20, 2, 0)
    assert [list(s) for s in x_train] == expected
    np.testing.assert_array_equal(y_train, labels)
    assert sorted(y_test.tolist()) == [0, 1, 1]
    (x_short, _), (x_short_test, _) = kd.imdb.load_data(maxlen=7)
    assert all(len(s) < 7 for s in x_short) and len(x_short) == 3
    assert all(s[0] == 1 for s in x_short_test)
    with pytest.raises(ValueError, match="maxlen"):
        kd.imdb.load_data(maxlen=1)
    assert kd.imdb.get_word_index() == {"the": 1, "movie": 2}


def test_reuters(mirror):
    (x_train, y_train), (x_test, y_test) = kd.reuters.load_data(test_split=0.3, seed=3,
                                                                 oov_char=None, num_words=25)
    assert len(x_train) == 7 and len(x_test) == 3 and x_train.dtype == object
    order = np.arange(10)
    np.random.RandomState(3).shuffle(order)
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), REUTERS["y"][order])
    assert all(w < 25 for s in x_train for w in s)
    assert kd.reuters.get_label_names()[3] == "earn" and len(kd.reuters.get_label_names()) == 46
    assert kd.reuters.get_word_index() == {"the": 1}


def test_housing(mirror):
    (x_train, y_train), (x_test, y_test) = kd.boston_housing.load_data()
    assert x_train.shape == (16, 13) and x_test.shape == (4, 13) and y_train.shape == (16,)
    order = np.arange(20)
    np.random.RandomState(113).shuffle(order)
    np.testing.assert_array_equal(x_train, BOSTON["x"][order][:16])
    (x_train, _), (x_test, _) = kd.california_housing.load_data(version="small")
    assert x_train.shape == (480, 8) and x_test.shape == (120, 8)
    (x_train, _), _ = kd.california_housing.load_data(test_split=0.5)
    assert x_train.shape == (350, 8) and x_train.dtype == np.float32
    with pytest.raises(ValueError, match="test_split"):
        kd.boston_housing.load_data(test_split=1.5)
    with pytest.raises(ValueError, match="version"):
        kd.california_housing.load_data(version="huge")


def test_wrong_checksum_is_refused(mirror, monkeypatch):
    monkeypatch.setitem(kd.mnist.FILE_HASHES, "mnist.npz", "0" * 64)
    with pytest.raises(ValueError, match="hash"):
        kd.mnist.load_data()
    assert not (mirror / "datasets" / "mnist.npz").exists()


def test_malicious_pickle_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    bad = np.empty(1, dtype=object)
    bad[0] = Evil()
    path = tmp_path / "evil.npz"
    path.write_bytes(_npz(x=bad))
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        _sources.load_npz(str(path))


def test_digits_needs_no_network():
    (x_train, y_train), (x_test, y_test) = kd.digits.load_data()
    assert x_train.shape == (1438, 8, 8) and x_test.shape == (359, 8, 8)
    assert y_train.dtype == np.uint8


def test_dir_lists_datasets():
    assert "mnist" in dir(kd) and "digits" in kd.__all__
    with pytest.raises(AttributeError):
        kd.not_a_dataset  # noqa: B018
