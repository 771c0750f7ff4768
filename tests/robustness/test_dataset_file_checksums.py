"""Dataset.save / cache files detect damage: a flipped bit is a DataLossError, never data."""

import os
import random

import numpy as np
import pytest

import fluxion as tf
from fluxion.core.errors import DataLossError


def element_file_of(directory: str) -> str:
    files = [os.path.join(parent, name) for parent, _, names in os.walk(directory)
             for name in names]
    with_elements = [f for f in files if open(f, "rb").read(6) == b"FXDATA"]
    return max(with_elements, key=os.path.getsize)


def load_all(path, spec):
    return [tuple(np.asarray(t) for t in element) for element in tf.data.Dataset.load(path, spec)]


def test_single_bit_flips_never_load_different_data(tmp_path):
    features = np.arange(40, dtype=np.float32).reshape(20, 2)
    labels = np.array([b"cat", b"dog"] * 10, dtype=object)
    dataset = tf.data.Dataset.from_tensor_slices((features, labels))
    path = str(tmp_path / "saved")
    dataset.save(path)
    spec = dataset.element_spec
    expected = load_all(path, spec)
    target = element_file_of(path)
    original = open(target, "rb").read()
    rng = random.Random(1234)
    silent = 0
    for _ in range(300):
        damaged = bytearray(original)
        position = rng.randrange(len(damaged))
        damaged[position] ^= 1 << rng.randrange(8)
        with open(target, "wb") as f:
            f.write(damaged)
        try:
            loaded = load_all(path, spec)
        except DataLossError:
            continue
        same = len(loaded) == len(expected) and all(
            all(np.array_equal(a, b) for a, b in zip(x, y)) for x, y in zip(loaded, expected))
        silent += not same
    with open(target, "wb") as f:
        f.write(original)
    assert silent == 0
    assert len(load_all(path, spec)) == 20


def test_cache_file_bit_flip_is_data_loss(tmp_path):
    filename = str(tmp_path / "cache")
    dataset = tf.data.Dataset.range(50).map(lambda x: x * 3).cache(filename)
    assert [int(v) for v in dataset] == list(range(0, 150, 3))
    cache_file = element_file_of(str(tmp_path))
    damaged = bytearray(open(cache_file, "rb").read())
    damaged[len(damaged) // 2] ^= 0x10
    with open(cache_file, "wb") as f:
        f.write(damaged)
    with pytest.raises(DataLossError, match="checksum|corrupt"):
        list(tf.data.Dataset.range(50).map(lambda x: x * 3).cache(filename))


def test_a_damaged_size_never_allocates_what_the_file_does_not_hold(tmp_path):
    import struct


    path = str(tmp_path / "saved")
    tf.data.Dataset.from_tensor_slices(np.zeros((3, 2), np.float32)).save(path)
    target = element_file_of(path)
    data = bytearray(open(target, "rb").read())
    (header_length,) = struct.unpack("<Q", data[8:16])
    first_record = 16 + header_length + 4
    assert data[first_record:first_record + 1] == b"R"
    data[first_record + 2:first_record + 10] = struct.pack("<Q", 10**12)  # its first dim
    with open(target, "wb") as f:
        f.write(data)
    with pytest.raises(DataLossError):
        list(tf.data.Dataset.load(path))
