"""unique / unique_with_counts against NumPy, eager and traced."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op


def _reference(x):
    values, first, counts = [], {}, []
    for v in x.tolist():
        if v not in first:
            first[v] = len(values)
            values.append(v)
            counts.append(0)
        counts[first[v]] += 1
    return np.array(values, x.dtype), np.array([first[v] for v in x.tolist()]), np.array(counts)


@pytest.mark.parametrize("x", [np.array([1, 1, 2, 4, 4, 4, 7, 8, 8], np.int32),
                               np.array([3.5, -1.0, 3.5, 0.0], np.float32),
                               np.array([], np.int64)])
def test_unique_matches_first_appearance_order(x):
    y, idx, count = _reference(x)
    check_op(lambda t: tuple(tf.unique_with_counts(t)), [x], lambda t: (y, idx, count),
             grad=False)
    got = tf.unique(x, out_idx=tf.int64)
    np.testing.assert_array_equal(got.y.numpy(), y)
    assert got.idx.dtype == tf.int64
    np.testing.assert_array_equal(tf.gather(got.y, got.idx).numpy(), x)


def test_unique_strings_and_errors():
    y, idx = tf.unique(tf.constant(["b", "a", "b"]))
    assert [v.decode() if isinstance(v, bytes) else v for v in y.numpy().tolist()] == ["b", "a"]
    np.testing.assert_array_equal(idx.numpy(), [0, 1, 0])
    with pytest.raises(Exception, match="1-D"):
        tf.unique(tf.constant([[1, 2]]))
