"""Checkpoint(iterator=...): a saved iterator resumes exactly where it stood."""

import numpy as np
import pytest

import fluxion as tf


def pipeline():
    return (tf.data.Dataset.range(60).shuffle(60, seed=5).map(lambda x: x * 2)
            .batch(7))


def values(iterator, count=None):
    out = []
    for element in iterator:
        out.append(np.asarray(element).tolist())
        if count is not None and len(out) == count:
            break
    return out


def test_a_restored_iterator_gives_the_rest_of_the_pass(tmp_path):
    dataset = pipeline()
    values(iter(dataset))  # a first pass: the shuffle's pass counter moves on
    iterator = iter(dataset)
    values(iterator, 3)
    prefix = tf.train.Checkpoint(iterator=iterator).write(str(tmp_path / "it"))
    expected = values(iterator)

    other = pipeline()  # a new program: same pipeline, fresh state
    restored = iter(other)
    values(restored, 5)
    tf.train.Checkpoint(iterator=restored).read(prefix)
    assert values(restored) == expected
    assert values(iter(other)) == values(iter(dataset))  # the next passes agree too


def test_a_different_pipeline_is_refused(tmp_path):
    iterator = iter(pipeline())
    values(iterator, 8)
    prefix = tf.train.Checkpoint(iterator=iterator).write(str(tmp_path / "it"))
    short = iter(tf.data.Dataset.range(10).shuffle(10, seed=5).map(lambda x: x).batch(7))
    with pytest.raises(Exception, match="not the same pipeline"):
        tf.train.Checkpoint(iterator=short).read(prefix)
