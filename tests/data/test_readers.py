"""TextLineDataset, TFRecordDataset, CsvDataset and make_csv_dataset (TF's semantics)."""

import gzip
import os
import zlib

import numpy as np
import pytest

import fluxion as tf
from fluxion.data.csv_readers import CsvDataset, make_csv_dataset
from fluxion.data.dataset import Dataset
from fluxion.data.readers import TextLineDataset, TFRecordDataset
from fluxion.errors import DataLossError, InvalidArgumentError, NotFoundError
from fluxion.io import TFRecordWriter

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "io", "fixtures")


def _lines_files(tmp_path, count=3):
    paths = []
    for i in range(count):
        path = tmp_path / f"{i}.txt"
        path.write_text("".join(f"f{i}l{j}\n" for j in range(i + 2)))
        paths.append(str(path))
    return paths


def test_text_lines_in_file_order(tmp_path):
    paths = _lines_files(tmp_path)
    ds = TextLineDataset(paths)
    assert isinstance(ds, Dataset)
    assert ds.element_spec == tf.TensorSpec([], tf.string)
    assert int(ds.cardinality()) == tf.data.UNKNOWN_CARDINALITY
    expected = [f"f{i}l{j}".encode() for i in range(3) for j in range(i + 2)]
    assert list(ds.as_numpy_iterator()) == expected
    assert list(ds.as_numpy_iterator()) == expected  # re-iterable


def test_text_parallel_reads_interleave_like_tf(tmp_path):
    # TF 2.21 gives this order for num_parallel_reads=2 (checked with the real package).
    ds = TextLineDataset(_lines_files(tmp_path), num_parallel_reads=2)
    assert list(ds.as_numpy_iterator()) == [b"f0l0", b"f1l0", b"f0l1", b"f1l1", b"f1l2",
                                            b"f2l0", b"f2l1", b"f2l2", b"f2l3"]


def test_text_line_endings_and_compression(tmp_path):
    text = b"a\r\nb\n\nlast"
    (tmp_path / "p.txt").write_bytes(text)
    (tmp_path / "g.txt.gz").write_bytes(gzip.compress(text))
    (tmp_path / "z.txt").write_bytes(zlib.compress(text))
    expected = [b"a", b"b", b"", b"last"]
    assert list(TextLineDataset(str(tmp_path / "p.txt")).as_numpy_iterator()) == expected
    assert list(TextLineDataset(str(tmp_path / "g.txt.gz"), "GZIP").as_numpy_iterator()) \
        == expected
    assert list(TextLineDataset(str(tmp_path / "z.txt"), "ZLIB").as_numpy_iterator()) \
        == expected


def test_filenames_forms(tmp_path):
    paths = _lines_files(tmp_path, 2)
    by_tensor = TextLineDataset(tf.constant(paths))
    by_dataset = TextLineDataset(Dataset.from_tensor_slices(paths))
    assert list(by_tensor.as_numpy_iterator()) == list(by_dataset.as_numpy_iterator())
    nested = Dataset.from_tensor_slices(paths).interleave(TextLineDataset, cycle_length=2)
    assert len(list(nested)) == 5
    with pytest.raises(TypeError, match="filenames"):
        TextLineDataset(3)
    with pytest.raises(InvalidArgumentError, match="empty"):
        TextLineDataset([])
    with pytest.raises(NotFoundError):
        list(TextLineDataset(str(tmp_path / "absent.txt")))


def test_tfrecord_dataset_reads_tensorflow_files():
    for suffix, compression in (("", None), ("_gzip", "GZIP"), ("_zlib", "ZLIB")):
        path = os.path.join(FIXTURES, f"tf_examples{suffix}.tfrecord")
        records = list(TFRecordDataset(path, compression_type=compression).as_numpy_iterator())
        assert len(records) == 3 and all(isinstance(r, bytes) for r in records)
    path = os.path.join(FIXTURES, "tf_bytes.tfrecord")
    assert list(TFRecordDataset([path]).as_numpy_iterator()) == [b"", b"a", b"hello world",
                                                                bytes(range(256))]


def test_tfrecord_dataset_pipeline_with_parsing(tmp_path):
    pytest.importorskip("google.protobuf")
    from fluxion.io import FixedLenFeature, parse_single_example
    spec = {"label": FixedLenFeature([], tf.int64), "pixels": FixedLenFeature([4], tf.float32)}
    path = os.path.join(FIXTURES, "tf_examples.tfrecord")
    ds = TFRecordDataset(path).map(lambda r: parse_single_example(r, spec)).batch(2)
    batches = list(ds)
    np.testing.assert_array_equal(batches[0]["label"].numpy(), [0, 1])
    assert batches[1]["pixels"].shape == (1, 4)


def test_tfrecord_roundtrip_and_corruption(tmp_path):
    paths = []
    for i in range(2):
        path = str(tmp_path / f"{i}.tfrecord")
        with TFRecordWriter(path, "GZIP") as writer:
            for j in range(3):
                writer.write(f"{i}-{j}".encode())
        paths.append(path)
    ds = TFRecordDataset(paths, "GZIP", num_parallel_reads=2)
    assert list(ds.as_numpy_iterator()) == [b"0-0", b"1-0", b"0-1", b"1-1", b"0-2", b"1-2"]
    bad = tmp_path / "bad.tfrecord"
    with TFRecordWriter(str(bad)) as writer:
        writer.write(b"payload")
    bad.write_bytes(bad.read_bytes()[:-2])
    with pytest.raises(DataLossError):
        list(TFRecordDataset(str(bad)))


CSV = 'x,y,name,label\n1,2.5,"a,b",0\n3,,c,1\n5,6.5,NA,1\n7,8,e,0\n'


def test_csv_dataset_types_defaults_and_quotes(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(CSV)
    ds = CsvDataset(str(path), [tf.int32, [0.0], [b"?"], tf.int64], header=True, na_value="NA")
    assert ds.element_spec == (tf.TensorSpec([], tf.int32), tf.TensorSpec([], tf.float32),
                               tf.TensorSpec([], tf.string), tf.TensorSpec([], tf.int64))
    # the same tuples TF 2.21 yields for this file
    assert list(ds.as_numpy_iterator()) == [(1, 2.5, b"a,b", 0), (3, 0.0, b"c", 1),
                                            (5, 6.5, b"?", 1), (7, 8.0, b"e", 0)]
    picked = CsvDataset(str(path), [tf.int32, tf.int64], header=True, select_cols=[0, 3])
    assert list(picked.as_numpy_iterator())[0] == (1, 0)
    dropped = CsvDataset(str(path), [tf.int32, tf.string], header=True, exclude_cols=[1, 3])
    assert list(dropped.as_numpy_iterator())[0] == (1, b"a,b")


def test_csv_dataset_errors(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(CSV)
    required = CsvDataset(str(path), [tf.int32, tf.float32, [b""], tf.int64], header=True)
    with pytest.raises(InvalidArgumentError, match="Field 1 is required"):
        list(required)
    bad_type = CsvDataset(str(path), [tf.int32, tf.float32, tf.int32, tf.int64], header=True)
    with pytest.raises(InvalidArgumentError, match="not a valid int32"):
        list(bad_type)
    with pytest.raises(InvalidArgumentError, match="Expect 2 fields"):
        list(CsvDataset(str(path), [tf.int32, tf.int32], header=True))
    with pytest.raises(TypeError, match="dtype"):
        CsvDataset(str(path), [tf.bool])


def test_make_csv_dataset(tmp_path):
    (tmp_path / "a.csv").write_text(CSV)
    (tmp_path / "b.csv").write_text("x,y,name,label\n9,1.5,f,1\n")
    ds = make_csv_dataset(str(tmp_path / "*.csv"), batch_size=2, label_name="label",
                          num_epochs=1, shuffle=False)
    batches = [({k: v.numpy() for k, v in f.items()}, y.numpy()) for f, y in ds]
    # the batches TF 2.21 gives for these files
    assert [list(f) for f, _ in batches] == [["x", "y", "name"]] * 3
    np.testing.assert_array_equal(batches[0][0]["x"], np.array([1, 3], np.int32))
    assert batches[0][0]["y"].dtype == np.float32 and batches[0][1].dtype == np.int32
    assert batches[1][0]["name"].tolist() == [b"NA", b"e"]
    assert [len(y) for _, y in batches] == [2, 2, 1]


def test_make_csv_dataset_shuffle_repeat_select(tmp_path):
    (tmp_path / "a.csv").write_text(CSV)
    def build():
        return make_csv_dataset(str(tmp_path / "a.csv"), batch_size=3,
                                select_columns=["x", "label"], shuffle=True, shuffle_seed=1)

    ds = build()
    first = [next(iter(d))["x"].numpy().tolist() for d in (ds, build())]
    assert first[0] == first[1]  # the same seed gives the same order
    taken = list(ds.take(5))
    assert all(b["x"].shape == (3,) for b in taken)  # num_epochs=None: full batches forever
    assert sorted(taken[0]) == ["label", "x"]
    with pytest.raises(ValueError, match="label_name"):
        make_csv_dataset(str(tmp_path / "a.csv"), 2, label_name="nope")
    with pytest.raises(ValueError, match="No files match"):
        make_csv_dataset(str(tmp_path / "*.tsv"), 2)
