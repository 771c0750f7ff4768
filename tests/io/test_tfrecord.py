"""TFRecord framing, compression, corruption handling and interchange with TensorFlow."""

import gzip
import os
import struct
import zlib

import numpy as np
import pytest

import fluxion as tf
from fluxion import io as fio
from fluxion.errors import DataLossError, InvalidArgumentError, NotFoundError
from fluxion.io import crc32c as crc
from fluxion.io.tfrecord import encode_record, read_records

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
BYTE_RECORDS = [b"", b"a", b"hello world", bytes(range(256))]


def test_crc32c_known_values():
    # RFC 3720 test vectors, for the native and the Python implementation alike
    for impl in {crc.crc32c, crc._crc32c_python}:
        assert impl(b"") == 0
        assert impl(bytes(32)) == 0x8A9136AA
        assert impl(b"\xff" * 32) == 0x62A8AB43
        assert impl(bytes(range(32))) == 0x46DD794E
        assert impl(b"123456789") == 0xE3069283


def test_framing_layout():
    record = encode_record(b"abc")
    length, length_crc = struct.unpack("<QI", record[:12])
    assert length == 3 and length_crc == crc.masked_crc32c(record[:8])
    assert record[12:15] == b"abc"
    assert struct.unpack("<I", record[15:])[0] == crc.masked_crc32c(b"abc")


def test_reads_tensorflow_byte_records():
    path = os.path.join(FIXTURES, "tf_bytes.tfrecord")
    assert list(fio.tf_record_iterator(path)) == BYTE_RECORDS


@pytest.mark.parametrize("compression", ["", "GZIP", "ZLIB"])
def test_write_matches_tensorflow_bytes(tmp_path, compression):
    """Uncompressed output is byte-identical to TF's; compressed output decompresses to it."""
    path = str(tmp_path / "out.tfrecord")
    with fio.TFRecordWriter(path, fio.TFRecordOptions(compression)) as writer:
        for record in BYTE_RECORDS:
            writer.write(record)
    with open(path, "rb") as handle:
        data = handle.read()
    if compression == "GZIP":
        data = gzip.decompress(data)
    elif compression == "ZLIB":
        data = zlib.decompress(data)
    with open(os.path.join(FIXTURES, "tf_bytes.tfrecord"), "rb") as handle:
        assert data == handle.read()
    assert list(fio.tf_record_iterator(path, compression)) == BYTE_RECORDS


@pytest.mark.parametrize("suffix,compression", [("", None), ("_gzip", "GZIP"),
                                                ("_zlib", "ZLIB")])
def test_reads_tensorflow_compressed_files(suffix, compression):
    path = os.path.join(FIXTURES, f"tf_examples{suffix}.tfrecord")
    records = list(fio.tf_record_iterator(path, compression))
    plain = list(fio.tf_record_iterator(os.path.join(FIXTURES, "tf_examples.tfrecord")))
    assert len(records) == 3 and records == plain


def test_writer_accepts_string_tensors_and_str(tmp_path):
    path = tmp_path / "s.tfrecord"
    with fio.TFRecordWriter(path) as writer:
        writer.write(tf.constant(b"tensor"))
        writer.write("text")
        with pytest.raises(TypeError, match="bytes"):
            writer.write(3)
    assert list(fio.tf_record_iterator(str(path))) == [b"tensor", b"text"]
    with pytest.raises(ValueError, match="closed"):
        writer.write(b"late")


def test_options_and_compression_names():
    assert fio.TFRecordOptions.get_compression_type_string(None) == ""
    assert fio.TFRecordOptions.get_compression_type_string("gzip") == "GZIP"
    assert fio.TFRecordOptions.get_compression_type_string(
        fio.TFRecordCompressionType.ZLIB) == "ZLIB"
    with pytest.raises(InvalidArgumentError, match="compression_type"):
        fio.TFRecordOptions("LZ4")


def test_flush_makes_records_visible(tmp_path):
    path = str(tmp_path / "f.tfrecord")
    writer = fio.TFRecordWriter(path)
    writer.write(b"one")
    writer.flush()
    assert list(fio.tf_record_iterator(path)) == [b"one"]
    writer.close()


def _write(path, records):
    with fio.TFRecordWriter(str(path)) as writer:
        for record in records:
            writer.write(record)


def test_corrupted_data_raises_data_loss(tmp_path):
    path = tmp_path / "bad.tfrecord"
    _write(path, [b"first", b"second"])
    data = bytearray(path.read_bytes())
    data[len(encode_record(b"first")) + 13] ^= 0xFF  # a byte inside the second record
    path.write_bytes(bytes(data))
    records = read_records(str(path))
    assert next(records) == b"first"
    with pytest.raises(DataLossError, match="data checksum"):
        next(records)


def test_corrupted_length_raises_data_loss(tmp_path):
    path = tmp_path / "bad.tfrecord"
    _write(path, [b"x"])
    data = bytearray(path.read_bytes())
    data[0] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(DataLossError, match="length checksum"):
        list(read_records(str(path)))


@pytest.mark.parametrize("cut", [3, 12, 20])
def test_truncated_file_raises_data_loss(tmp_path, cut):
    path = tmp_path / "cut.tfrecord"
    _write(path, [b"complete", b"truncated-record"])
    data = path.read_bytes()
    path.write_bytes(data[:len(encode_record(b"complete")) + cut])
    records = read_records(str(path))
    assert next(records) == b"complete"
    with pytest.raises(DataLossError, match="truncated"):
        next(records)


def test_truncated_gzip_raises_data_loss(tmp_path):
    path = tmp_path / "cut.tfrecord"
    with fio.TFRecordWriter(str(path), "GZIP") as writer:
        writer.write(os.urandom(2000))
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(DataLossError):
        list(read_records(str(path), "GZIP"))


def test_missing_file_raises_not_found(tmp_path):
    with pytest.raises(NotFoundError, match="not found"):
        list(read_records(str(tmp_path / "absent.tfrecord")))


def test_python_fallback_crc_writes_same_file(tmp_path, monkeypatch):
    monkeypatch.setattr(crc, "crc32c", crc._crc32c_python)
    path = tmp_path / "py.tfrecord"
    _write(path, BYTE_RECORDS)
    assert path.read_bytes() == open(os.path.join(FIXTURES, "tf_bytes.tfrecord"), "rb").read()


def test_tensorflow_reads_fluxion_files(tmp_path):
    real = pytest.importorskip("tensorflow")
    for compression in ("", "GZIP", "ZLIB"):
        path = str(tmp_path / f"flux{compression}.tfrecord")
        _write_compressed(path, compression)
        dataset = real.data.TFRecordDataset(path, compression_type=compression)
        assert [r.numpy() for r in dataset] == BYTE_RECORDS


def _write_compressed(path, compression):
    with fio.TFRecordWriter(path, compression) as writer:
        for record in BYTE_RECORDS:
            writer.write(record)


def test_large_record_roundtrip(tmp_path):
    payload = np.random.default_rng(0).bytes(300_000)
    path = tmp_path / "big.tfrecord"
    _write(path, [payload, b"tail"])
    assert list(read_records(str(path), buffer_size=1024)) == [payload, b"tail"]
