"""``Dataset.list_files``: TensorFlow's matching, ordering and errors (checked against
tensorflow 2.21), shuffling per iteration, and reading the files it lists."""

import numpy as np
import pytest

import fluxion as tf


@pytest.fixture
def files(tmp_path):
    for name in ("b.txt", "a.txt", "c.txt", "d.csv"):
        (tmp_path / name).write_text(f"{name}\n")
    return tmp_path


def names(dataset):
    return [value.decode().rsplit("/", 1)[-1] for value in dataset.as_numpy_iterator()]


def test_matches_sorted_without_shuffle(files):
    dataset = tf.data.Dataset.list_files(str(files / "*.txt"), shuffle=False)
    assert names(dataset) == ["a.txt", "b.txt", "c.txt"]
    assert dataset.element_spec == tf.TensorSpec([], tf.string)
    assert int(dataset.cardinality()) == 3


def test_several_patterns_are_sorted_together_keeping_duplicates(files):
    patterns = [str(files / "*.csv"), str(files / "*.txt"), str(files / "a*")]
    assert names(tf.data.Dataset.list_files(patterns, shuffle=False)) == \
        ["a.txt", "a.txt", "b.txt", "c.txt", "d.csv"]
    tensor = tf.constant([str(files / "*.csv"), str(files / "b*")])
    assert names(tf.data.Dataset.list_files(tensor, shuffle=False)) == ["b.txt", "d.csv"]


def test_shuffles_by_default_in_a_new_order_each_iteration(tmp_path):
    for i in range(12):
        (tmp_path / f"{i:02d}.txt").write_text("x")
    dataset = tf.data.Dataset.list_files(str(tmp_path / "*.txt"), seed=5)
    orders = [names(dataset) for _ in range(4)]
    assert all(sorted(order) == [f"{i:02d}.txt" for i in range(12)] for order in orders)
    assert len({tuple(order) for order in orders}) > 1
    again = tf.data.Dataset.list_files(str(tmp_path / "*.txt"), seed=5)
    assert [names(again) for _ in range(4)] == orders  # the seed repeats the orders


def test_no_match_is_an_error_naming_the_pattern(files):
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"No files matched pattern: .*\*\.zzz"):
        tf.data.Dataset.list_files(str(files / "*.zzz"))


def test_a_pattern_of_the_wrong_type_is_named():
    with pytest.raises(TypeError, match="`file_pattern` must be a glob pattern.*int"):
        tf.data.Dataset.list_files(3)
    with pytest.raises(TypeError, match="tf.string tensor, got int32"):
        tf.data.Dataset.list_files(tf.constant([1, 2]))


def test_the_listed_files_are_read_by_an_interleave(files):
    lines = tf.data.Dataset.list_files(str(files / "*.txt"), shuffle=False).interleave(
        tf.data.TextLineDataset, cycle_length=2)
    assert sorted(np.asarray(list(lines.as_numpy_iterator())).astype(str).tolist()) == \
        ["a.txt", "b.txt", "c.txt"]
