"""``tf.data.FixedLengthRecordDataset``, ``NumpyIterator`` and ``IteratorSpec``."""

from __future__ import annotations

import gzip
import zlib

import numpy as np
import pytest

import fluxion as tf


def _write(path, data: bytes, compression: str = "") -> str:
    if compression == "GZIP":
        data = gzip.compress(data)
    elif compression == "ZLIB":
        data = zlib.compress(data)
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("compression", ["", "GZIP", "ZLIB"])
def test_fixed_length_records_are_the_body_sliced(tmp_path, compression):
    body = bytes(range(24))
    path = _write(tmp_path / "a.bin", b"HDR" + body + b"FT", compression)
    dataset = tf.data.FixedLengthRecordDataset(path, 6, header_bytes=3, footer_bytes=2,
                                               compression_type=compression)
    assert dataset.element_spec == tf.TensorSpec([], tf.string)
    assert list(dataset.as_numpy_iterator()) == [body[i:i + 6] for i in range(0, 24, 6)]
    assert list(dataset.as_numpy_iterator()) == list(dataset.as_numpy_iterator())


def test_fixed_length_records_of_several_files_and_decode_raw(tmp_path):
    values = [np.arange(4, dtype=np.float32), np.arange(4, 8, dtype=np.float32)]
    paths = [_write(tmp_path / f"{i}.bin", v.tobytes()) for i, v in enumerate(values)]
    dataset = tf.data.FixedLengthRecordDataset(paths, 8)
    decoded = [tf.io.decode_raw(r, tf.float32).numpy() for r in dataset]
    np.testing.assert_array_equal(np.concatenate(decoded), np.arange(8, dtype=np.float32))
    interleaved = tf.data.FixedLengthRecordDataset(paths, 8, num_parallel_reads=2)
    firsts = [tf.io.decode_raw(r, tf.float32).numpy()[0] for r in interleaved]
    assert firsts == [0.0, 4.0, 2.0, 6.0]  # one record from each file in turn


def test_fixed_length_records_reject_a_partial_record(tmp_path):
    path = _write(tmp_path / "a.bin", b"H" + bytes(10))
    dataset = tf.data.FixedLengthRecordDataset(path, 4, header_bytes=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not an exact multiple"):
        list(dataset)
    with pytest.raises(ValueError, match="record_bytes"):
        tf.data.FixedLengthRecordDataset(path, 0)
    with pytest.raises(tf.errors.NotFoundError):
        list(tf.data.FixedLengthRecordDataset(str(tmp_path / "missing"), 4))


def test_numpy_iterator(tmp_path):
    iterator = tf.data.Dataset.range(5).map(lambda x: {"x": x, "y": x * 2}).as_numpy_iterator()
    assert isinstance(iterator, tf.data.NumpyIterator)
    assert iter(iterator) is iterator
    first = next(iterator)
    assert first == {"x": 0, "y": 0} and isinstance(first["x"], np.integer)
    assert iterator.next() == {"x": 1, "y": 2}
    checkpoint = tf.train.Checkpoint(iterator=iterator)
    path = checkpoint.save(str(tmp_path / "ckpt"))
    assert next(iterator)["x"] == 2
    checkpoint.restore(path)
    assert [e["x"] for e in iterator] == [2, 3, 4]
    with pytest.raises(StopIteration):
        next(iterator)
    assert "NumpyIterator" in repr(iterator)


def test_iterator_spec():
    spec = tf.data.IteratorSpec(tf.TensorSpec([None], tf.float32))
    assert spec.element_spec == tf.TensorSpec([None], tf.float32)
    assert spec.value_type is tf.data.Iterator
    dataset = tf.data.Dataset.from_tensor_slices(np.ones((3, 2), np.float32))
    from_value = tf.data.IteratorSpec.from_value(iter(dataset))
    assert from_value == tf.data.IteratorSpec(tf.TensorSpec([2], tf.float32))
    assert spec.is_compatible_with(from_value)
    assert spec.is_compatible_with(iter(dataset))
    assert not spec.is_compatible_with(tf.data.IteratorSpec(tf.TensorSpec([2], tf.int32)))
    assert not spec.is_compatible_with(tf.TensorSpec([2], tf.float32))
