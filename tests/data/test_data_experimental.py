"""``tf.data.experimental`` against outputs recorded from real TensorFlow
(fixtures/tf_data_experimental.json), plus the sources and sinks TF cannot record here
(SQLite, TFRecord writing, random datasets, batched feature files)."""

import json
import os
import sqlite3

import numpy as np
import pytest
from experimental_pipelines import PIPELINES
from tf_pipelines import to_json

import fluxion as tf

with open(os.path.join(os.path.dirname(__file__), "fixtures",
                       "tf_data_experimental.json")) as _f:
    FIXTURE = json.load(_f)
E = tf.data.experimental


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_pipeline_matches_tf(name):
    expected = FIXTURE["pipelines"][name]
    dataset = PIPELINES[name](tf)
    assert [to_json(e) for e in dataset.as_numpy_iterator()] == expected["elements"]
    assert int(dataset.cardinality()) == expected["cardinality"]


def test_grouping_specs_and_errors():
    grouped = tf.data.Dataset.range(10).apply(
        E.group_by_window(lambda x: x % 2, lambda k, w: w.batch(3), window_size=3))
    assert grouped.element_spec == tf.TensorSpec([None], tf.int64)
    with pytest.raises(ValueError, match="exactly one"):
        E.group_by_window(lambda x: x, lambda k, w: w)
    with pytest.raises(ValueError, match="batch sizes"):
        E.bucket_by_sequence_length(lambda x: 1, [3], [1])


def test_helpers():
    dataset = tf.data.Dataset.range(5)
    assert int(E.at(dataset, 3)) == 3
    with pytest.raises(tf.errors.OutOfRangeError):
        E.at(dataset, 5)
    assert E.get_structure(dataset) == tf.TensorSpec([], tf.int64)
    assert E.get_structure(iter(dataset)) == tf.TensorSpec([], tf.int64)
    assert int(E.get_single_element(tf.data.Dataset.from_tensors(7))) == 7
    assert E.SHARD_HINT == -1
    assert {p.name for p in E.ExternalStatePolicy} == {"WARN", "IGNORE", "FAIL"}
    assert list(dataset.apply(E.copy_to_device("/gpu:0")).as_numpy_iterator()) == \
        list(range(5))
    assert list(dataset.apply(E.prefetch_to_device("/gpu:0", 2)).as_numpy_iterator()) == \
        list(range(5))
    with pytest.raises(TypeError, match="different element types"):
        E.from_list([1, "a"])


def test_save_and_load(tmp_path):
    dataset = tf.data.Dataset.range(4).map(lambda x: (x, x * 2))
    E.save(dataset, str(tmp_path / "saved"))
    loaded = E.load(str(tmp_path / "saved"))
    assert [to_json(e) for e in loaded.as_numpy_iterator()] == \
        [to_json(e) for e in dataset.as_numpy_iterator()]


def test_random_dataset_is_reproducible():
    first = list(E.RandomDataset(seed=5).take(4).as_numpy_iterator())
    again = list(E.RandomDataset(seed=5).take(4).as_numpy_iterator())
    other = list(E.RandomDataset(seed=6).take(4).as_numpy_iterator())
    assert first == again and first != other
    assert E.RandomDataset(seed=1).element_spec == tf.TensorSpec([], tf.int64)
    assert E.RandomDataset(seed=1).cardinality() == tf.data.INFINITE_CARDINALITY


def test_sql_dataset(tmp_path):
    path = str(tmp_path / "t.db")
    connection = sqlite3.connect(path)
    connection.execute("create table t(a integer, b text, c real)")
    connection.executemany("insert into t values (?, ?, ?)", [(1, "x", 0.5), (2, "y", 1.5)])
    connection.commit()
    connection.close()
    dataset = E.SqlDataset("sqlite", path, "select a, b, c from t order by a",
                           (tf.int32, tf.string, tf.float64))
    assert dataset.element_spec == (tf.TensorSpec([], tf.int32), tf.TensorSpec([], tf.string),
                                    tf.TensorSpec([], tf.float64))
    assert [to_json(e) for e in dataset.as_numpy_iterator()] == \
        [to_json((np.int32(1), b"x", 0.5)), to_json((np.int32(2), b"y", 1.5))]
    single = E.SqlDataset("sqlite", path, "select b from t order by a", tf.string)
    assert list(single.as_numpy_iterator()) == [b"x", b"y"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="columns"):
        list(E.SqlDataset("sqlite", path, "select a, b from t", (tf.int32,)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="sqlite"):
        E.SqlDataset("mysql", path, "select 1", tf.int32)


@pytest.mark.parametrize("compression", [None, "GZIP"])
def test_tfrecord_writer_and_batched_features(tmp_path, compression):
    pytest.importorskip("google.protobuf")
    from fluxion.io.example_proto import Example, Feature, Features, FloatList, Int64List

    def example(i):
        return Example(features=Features(feature={
            "x": Feature(float_list=FloatList(value=[i * 0.5, i * 1.5])),
            "label": Feature(int64_list=Int64List(value=[i]))})).SerializeToString()

    path = str(tmp_path / "data.tfrecord")
    records = tf.data.Dataset.from_tensor_slices(np.array([example(i) for i in range(5)],
                                                          dtype=object))
    E.TFRecordWriter(path, compression).write(records)
    read = tf.data.TFRecordDataset(path, compression_type=compression)
    assert list(read.as_numpy_iterator()) == [example(i) for i in range(5)]
    if compression:
        return
    features = {"x": tf.io.FixedLenFeature([2], tf.float32),
                "label": tf.io.FixedLenFeature([], tf.int64)}
    batches = E.make_batched_features_dataset(str(tmp_path / "*.tfrecord"), 2, features,
                                              label_key="label", num_epochs=1, shuffle=False)
    got = list(batches.as_numpy_iterator())
    assert [b[1].tolist() for b in got] == [[0, 1], [2, 3], [4]]
    np.testing.assert_allclose(got[0][0]["x"], [[0.0, 0.0], [0.5, 1.5]])
    with pytest.raises(TypeError, match="scalar strings"):
        E.TFRecordWriter(path).write(tf.data.Dataset.range(2))


def test_optional_and_get_next_as_optional():
    value = tf.experimental.Optional.from_value((1, 2.0))
    assert bool(value.has_value())
    first, second = value.get_value()
    assert int(first) == 1 and float(second) == 2.0
    assert value.element_spec == (tf.TensorSpec([], tf.int32), tf.TensorSpec([], tf.float32))
    empty = tf.experimental.Optional.empty(tf.TensorSpec([], tf.int32))
    assert not bool(empty.has_value())
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not have a value"):
        empty.get_value()
    iterator = iter(tf.data.Dataset.range(1))
    present = iterator.get_next_as_optional()
    assert bool(present.has_value()) and int(present.get_value()) == 0
    absent = E.get_next_as_optional(iterator)
    assert not bool(absent.has_value())
    assert absent.element_spec == tf.TensorSpec([], tf.int64)


def test_batching_errors():
    ragged_2d = tf.data.Dataset.from_generator(
        lambda: (np.ones((n, n)) for n in [1, 2]),
        output_signature=tf.TensorSpec([None, None], tf.float64))
    with pytest.raises(tf.errors.InvalidArgumentError, match="first dimension"):
        list(ragged_2d.apply(E.dense_to_ragged_batch(2)))
    too_long = tf.data.Dataset.from_tensor_slices(np.ones((2, 5)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="exceeds"):
        list(too_long.apply(E.dense_to_sparse_batch(2, [3])))
