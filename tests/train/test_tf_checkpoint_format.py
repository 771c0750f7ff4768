"""TensorFlow's V2 checkpoint format: files written by real TensorFlow load in Fluxion,
Fluxion's files have TensorFlow's layout (and load in TensorFlow, when it is installed)."""

import os

import numpy as np
import pytest

import fluxion as tf
import fluxion.train as train
from fluxion.errors import DataLossError
from fluxion.train import sstable, tensor_bundle

pytest.importorskip("google.protobuf")

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "tf_checkpoints")
OBJECT = os.path.join(FIXTURES, "object", "ckpt-1")
SAVER = os.path.join(FIXTURES, "saver", "model.ckpt")


def _expected():
    with np.load(os.path.join(FIXTURES, "expected.npz")) as data:
        return {key.replace("|", "/"): data[key] for key in data.files}


def test_reads_tensorflow_object_checkpoint_values():
    expected = _expected()
    names = dict(train.list_variables(OBJECT))
    assert "_CHECKPOINTABLE_OBJECT_GRAPH" in names
    for key in ("v", "step", "nested/w", "flags", "half", "save_counter"):
        full = f"{key}/.ATTRIBUTES/VARIABLE_VALUE"
        value = train.load_variable(OBJECT, full)
        assert value.dtype == expected[full].dtype
        np.testing.assert_array_equal(value, expected[full])
        assert names[full] == list(expected[full].shape)
    reader = train.load_checkpoint(os.path.dirname(OBJECT))  # a directory: its latest
    assert reader.get_variable_to_dtype_map()["half/.ATTRIBUTES/VARIABLE_VALUE"] == tf.float16


def test_restores_tensorflow_object_checkpoint_into_fluxion_objects():
    expected = _expected()
    v = tf.Variable(np.zeros((2, 3), np.float32))
    step = tf.Variable(np.int64(0))
    w = tf.Variable(np.zeros(5))
    flags = tf.Variable([False, False, False])
    half = tf.Variable(np.zeros(3, np.float16))
    ckpt = train.Checkpoint(v=v, step=step, nested=train.Checkpoint(w=w), flags=flags,
                            half=half)
    ckpt.restore(OBJECT).assert_consumed()
    np.testing.assert_array_equal(v.numpy(), expected["v/.ATTRIBUTES/VARIABLE_VALUE"])
    np.testing.assert_array_equal(w.numpy(), expected["nested/w/.ATTRIBUTES/VARIABLE_VALUE"])
    np.testing.assert_array_equal(flags.numpy(), [True, False, True])
    assert int(step) == 42 and int(ckpt.save_counter) == 1
    np.testing.assert_array_equal(half.numpy(), expected["half/.ATTRIBUTES/VARIABLE_VALUE"])


def test_reads_tensorflow_saver_checkpoint_by_variable_name():
    expected = _expected()
    reader = train.load_checkpoint(SAVER)
    assert reader.get_variable_to_shape_map() == {"w1": [3, 4], "layer/b1": [4]}
    np.testing.assert_array_equal(reader.get_tensor("w1"), expected["w1"])
    np.testing.assert_array_equal(reader.get_tensor("layer/b1"), expected["layer/b1"])
    assert train.latest_checkpoint(os.path.dirname(SAVER)) == SAVER


def test_fluxion_checkpoint_has_tensorflows_layout_and_object_graph(tmp_path):
    v = tf.Variable(np.arange(4, dtype=np.float32))
    path = train.Checkpoint(v=v, inner=train.Checkpoint(w=tf.Variable(3))).write(
        tmp_path / "c")
    assert sorted(os.listdir(tmp_path)) == ["c.data-00000-of-00001", "c.index"]
    entries = tensor_bundle.read_entries(path)
    assert entries[""].num_shards == 1 and entries[""].version.producer == 1
    assert sorted(k for k in entries if k) == [
        "_CHECKPOINTABLE_OBJECT_GRAPH", "inner/w/.ATTRIBUTES/VARIABLE_VALUE",
        "v/.ATTRIBUTES/VARIABLE_VALUE"]
    assert entries["v/.ATTRIBUTES/VARIABLE_VALUE"].dtype == 1  # DT_FLOAT
    assert entries["inner/w/.ATTRIBUTES/VARIABLE_VALUE"].dtype == 3  # DT_INT32


def test_every_dtype_and_strings_round_trip(tmp_path):
    values = {
        "f16": np.array([1.5, -2.0], np.float16), "f64": np.linspace(0, 1, 7),
        "i8": np.array([-3, 4], np.int8), "u16": np.array([7], np.uint16),
        "u64": np.array([2 ** 63], np.uint64), "c64": np.array([1 + 2j], np.complex64),
        "c128": np.array([[3 - 1j]]), "b": np.array(True), "empty": np.zeros((0, 3)),
        "s": np.array([b"a", b"", "\u00e9".encode()], dtype=object),
        "scalar_s": np.array(b"hello", dtype=object),
    }
    tensor_bundle.write(str(tmp_path / "t"), values)
    back = tensor_bundle.read(str(tmp_path / "t"))
    assert set(back) == set(values)
    for key, value in values.items():
        assert back[key].shape == value.shape, key
        if value.dtype != object:
            assert back[key].dtype == value.dtype, key
        np.testing.assert_array_equal(back[key], value)


def test_sstable_with_many_blocks_and_restart_points(monkeypatch):
    monkeypatch.setattr(sstable, "BLOCK_SIZE", 200)
    items = [(f"layer_{i:04d}/kernel".encode(), bytes([i % 256]) * (i % 7)) for i in range(500)]
    data = sstable.build_table(items)
    assert sstable.read_table(data) == items
    with pytest.raises(ValueError, match="sorted"):
        sstable.build_table([(b"b", b""), (b"a", b"")])
    damaged = bytearray(data)
    damaged[50] ^= 1
    with pytest.raises(DataLossError, match="checksum"):
        sstable.read_table(bytes(damaged))
    with pytest.raises(DataLossError, match="magic"):
        sstable.read_table(bytes(data[:-1]) + b"\x00")


def test_overwriting_keeps_the_old_data_until_the_new_index_is_in_place(tmp_path):
    prefix = str(tmp_path / "c")
    for version in range(3):
        tensor_bundle.write(prefix, {"x": np.full(3, version)})
        np.testing.assert_array_equal(tensor_bundle.read(prefix)["x"], np.full(3, version))
    # the shard count alternates (1, 2, 1): the previous data files were never overwritten
    assert sorted(os.listdir(tmp_path)) == ["c.data-00000-of-00001", "c.index"]


def test_corrupt_tensor_is_reported(tmp_path):
    prefix = str(tmp_path / "c")
    tensor_bundle.write(prefix, {"x": np.arange(100, dtype=np.float32)})
    data_path = tensor_bundle.data_file(prefix)
    data = bytearray(open(data_path, "rb").read())
    data[40] ^= 0xFF
    open(data_path, "wb").write(bytes(data))
    with pytest.raises(DataLossError, match="'x' fails its checksum"):
        tensor_bundle.read(prefix)


def test_tensorflow_reads_fluxion_and_fluxion_reads_tensorflow(tmp_path):
    real_tf = pytest.importorskip("tensorflow")
    v = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
    step = tf.Variable(np.int64(9))
    ours = train.Checkpoint(v=v, step=step)
    path = ours.save(str(tmp_path / "flux" / "ckpt"))
    theirs_v = real_tf.Variable(np.zeros((2, 3), np.float32))
    theirs_step = real_tf.Variable(np.int64(0))
    theirs = real_tf.train.Checkpoint(v=theirs_v, step=theirs_step)
    theirs.restore(real_tf.train.latest_checkpoint(str(tmp_path / "flux"))).assert_consumed()
    np.testing.assert_array_equal(theirs_v.numpy(), v.numpy())
    assert int(theirs_step.numpy()) == 9
    assert dict(real_tf.train.list_variables(path)) == dict(train.list_variables(path))
    theirs_v.assign(theirs_v + 1.0)
    back = theirs.save(str(tmp_path / "tf" / "ckpt"))
    ours.restore(back).assert_consumed()
    np.testing.assert_array_equal(v.numpy(), np.arange(6).reshape(2, 3) + 1.0)
