"""tf.train.Example messages and parse_single_example / parse_example / decode_raw."""

import os

import numpy as np
import pytest

import fluxion as tf
from fluxion import io as fio
from fluxion.errors import InvalidArgumentError

pytest.importorskip("google.protobuf")
from fluxion.io import example_proto as ep  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def _example(**features) -> bytes:
    built = {}
    for key, value in features.items():
        if isinstance(value, list) and value and isinstance(value[0], bytes):
            built[key] = ep.Feature(bytes_list=ep.BytesList(value=value))
        elif isinstance(value, list) and value and isinstance(value[0], float):
            built[key] = ep.Feature(float_list=ep.FloatList(value=value))
        else:
            built[key] = ep.Feature(int64_list=ep.Int64List(value=value))
    return ep.Example(features=ep.Features(feature=built)).SerializeToString()


def test_parses_tensorflow_written_examples():
    records = list(fio.tf_record_iterator(os.path.join(FIXTURES, "tf_examples.tfrecord")))
    spec = {"label": fio.FixedLenFeature([], tf.int64),
            "pixels": fio.FixedLenFeature([2, 2], tf.float32),
            "name": fio.FixedLenFeature([], tf.string),
            "tags": fio.VarLenFeature(tf.int64)}
    for index, record in enumerate(records):
        parsed = fio.parse_single_example(record, spec)
        assert parsed["label"].dtype == tf.int64 and int(parsed["label"]) == index
        np.testing.assert_array_equal(parsed["pixels"].numpy(),
                                      np.arange(4, dtype=np.float32).reshape(2, 2) + index + 0.5)
        assert parsed["name"].numpy() == f"item{index}".encode()
        np.testing.assert_array_equal(parsed["tags"].values.numpy(), np.arange(index))
        np.testing.assert_array_equal(parsed["tags"].dense_shape.numpy(), [index])
    batch = fio.parse_example(records, spec)
    np.testing.assert_array_equal(batch["label"].numpy(), [0, 1, 2])
    assert batch["pixels"].shape == (3, 2, 2)
    np.testing.assert_array_equal(batch["tags"].indices.numpy(), [[1, 0], [2, 0], [2, 1]])
    np.testing.assert_array_equal(batch["tags"].dense_shape.numpy(), [3, 2])


def test_example_bytes_match_tensorflow():
    """Message classes built from the in-code descriptor serialize exactly as TF's."""
    first = next(iter(fio.tf_record_iterator(os.path.join(FIXTURES, "tf_examples.tfrecord"))))
    message = ep.Example.FromString(first)
    assert message.features.feature["name"].bytes_list.value[0] == b"item0"
    again = ep.Example.FromString(message.SerializeToString())
    assert again == message


def test_defaults_and_required_features():
    record = _example(a=[1])
    spec = {"a": fio.FixedLenFeature([], tf.int64),
            "b": fio.FixedLenFeature([2], tf.float32, default_value=[0.5, 1.5]),
            "c": fio.FixedLenFeature([], tf.string, default_value="none")}
    parsed = fio.parse_single_example(record, spec)
    np.testing.assert_array_equal(parsed["b"].numpy(), [0.5, 1.5])
    assert parsed["c"].numpy() == b"none"
    with pytest.raises(InvalidArgumentError, match="Feature: z .* is required"):
        fio.parse_single_example(record, {"z": fio.FixedLenFeature([], tf.int64)})


def test_type_and_size_mismatch_errors():
    record = _example(a=[1, 2, 3])
    with pytest.raises(InvalidArgumentError, match="Data types don't match"):
        fio.parse_single_example(record, {"a": fio.FixedLenFeature([3], tf.float32)})
    with pytest.raises(InvalidArgumentError, match="Values size: 3"):
        fio.parse_single_example(record, {"a": fio.FixedLenFeature([2], tf.int64)})
    with pytest.raises(ValueError, match="float32, int64 or string"):
        fio.parse_single_example(record, {"a": fio.FixedLenFeature([3], tf.int32)})
    with pytest.raises(InvalidArgumentError, match="not a serialized"):
        fio.parse_single_example(b"\xff\xff\xff", {"a": fio.FixedLenFeature([3], tf.int64)})
    with pytest.raises(ValueError, match="allow_missing"):
        fio.parse_single_example(record, {"a": fio.FixedLenSequenceFeature([], tf.int64)})


def test_sequence_feature_pads_in_batch():
    records = [_example(s=[1.0, 2.0, 3.0, 4.0]), _example(s=[5.0, 6.0]), _example(o=[1])]
    spec = {"s": fio.FixedLenSequenceFeature([2], tf.float32, allow_missing=True,
                                             default_value=-1.0)}
    out = fio.parse_example(records, spec)["s"].numpy()
    np.testing.assert_array_equal(out, [[[1, 2], [3, 4]], [[5, 6], [-1, -1]],
                                        [[-1, -1], [-1, -1]]])
    single = fio.parse_single_example(records[0], spec)["s"]
    assert single.shape == (2, 2)


def test_parse_traced_in_function():
    spec = {"a": fio.FixedLenFeature([3], tf.int64)}
    doubled = tf.function(lambda s: fio.parse_single_example(s, spec)["a"] * 2)
    np.testing.assert_array_equal(doubled(tf.constant(_example(a=[1, 2, 3]))).numpy(), [2, 4, 6])


def test_decode_raw():
    out = fio.decode_raw(tf.constant([b"\x01\x00\x00\x00", b"\x02\x00\x00\x01"]), tf.int32)
    np.testing.assert_array_equal(out.numpy(), [[1], [2 + (1 << 24)]])
    big = fio.decode_raw(b"\x00\x01", tf.int16, little_endian=False)
    np.testing.assert_array_equal(big.numpy(), [1])
    padded = fio.decode_raw([b"\x01", b"\x02\x03\x04"], tf.uint8, fixed_length=2)
    np.testing.assert_array_equal(padded.numpy(), [[1, 0], [2, 3]])
    with pytest.raises(InvalidArgumentError, match="same size"):
        fio.decode_raw([b"\x01", b"\x02\x03"], tf.uint8)
    with pytest.raises(TypeError, match="out_type"):
        fio.decode_raw(b"ab", tf.string)


def test_missing_protobuf_names_the_extra(monkeypatch):
    import sys

    ep.message_classes.cache_clear()
    monkeypatch.setitem(sys.modules, "google.protobuf", None)
    try:
        with pytest.raises(ImportError, match=r"fluxion-ml\[protobuf\]"):
            ep.Example  # noqa: B018
        with pytest.raises(ImportError, match="protobuf"):
            fio.parse_single_example(b"", {"a": fio.FixedLenFeature([], tf.int64)})
    finally:
        monkeypatch.undo()
        ep.message_classes.cache_clear()
    assert ep.Example is not None
