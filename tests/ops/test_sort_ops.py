"""Sorting through the op harness: values, stability, gradients to the selected positions."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

rng = np.random.default_rng(1)


def _descending(a, axis):
    return -np.sort(-a, axis=axis)


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("direction", ["ASCENDING", "DESCENDING"])
def test_sort(axis, direction):
    x = rng.standard_normal((3, 4))
    reference = (lambda a: np.sort(a, axis=axis)) if direction == "ASCENDING" else (
        lambda a: _descending(a, axis))
    check_op(lambda t: tf.sort(t, axis=axis, direction=direction), [x], reference)


def test_argsort_is_stable_in_both_directions():
    x = [1, 2, 1, 2]
    assert tf.argsort(x).numpy().tolist() == [0, 2, 1, 3]
    assert tf.argsort(x, direction="DESCENDING").numpy().tolist() == [1, 3, 0, 2]
    result = tf.argsort(tf.constant([[3.0, 1.0], [0.0, 2.0]]), axis=0)
    assert result.dtype == tf.int32 and result.numpy().tolist() == [[1, 0], [0, 1]]
    check_op(lambda t: tf.argsort(t, axis=0, direction="DESCENDING"),
             [rng.standard_normal((3, 2))], lambda a: np.argsort(-a, axis=0, kind="stable"),
             grad=False)


def test_sort_of_integers_and_bad_direction():
    assert tf.sort([3, 1, 2], direction="DESCENDING").numpy().tolist() == [3, 2, 1]
    with pytest.raises(ValueError, match="direction"):
        tf.sort([1.0], direction="UP")
    with pytest.raises(TypeError, match="sort"):
        tf.sort([True, False])


@pytest.mark.parametrize("k", [0, 1, 3, 5])
def test_top_k(k):
    x = rng.standard_normal((2, 3, 5))

    def reference(a):
        order = np.argsort(-a, axis=-1, kind="stable")[..., :k]
        return np.take_along_axis(a, order, axis=-1), order.astype(np.int32)

    check_op(lambda t: tuple(tf.math.top_k(t, k=k)), [x], reference)


def test_top_k_result_and_ties():
    result = tf.math.top_k([1, 2, 1, 2], 3)
    assert result.values.numpy().tolist() == [2, 2, 1]
    assert result.indices.numpy().tolist() == [1, 3, 0]
    values, indices = result
    assert indices.dtype == tf.int32
    assert tf.math.top_k([1.0, 2.0], k=tf.constant(1), index_type=tf.int64).indices.dtype \
        == tf.int64


def test_top_k_gradient_scatters_to_selected_positions():
    x = tf.constant([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        values = tf.math.top_k(x, 2).values
        loss = tf.reduce_sum(values * tf.constant([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), [[1, 0, 2], [0, 3, 4]])


def test_top_k_errors():
    with pytest.raises(ValueError, match="top_k.*k must be in"):
        tf.math.top_k([1.0, 2.0], k=3)
    with pytest.raises(ValueError, match="rank >= 1"):
        tf.math.top_k(1.0, k=1)


def test_in_top_k():
    predictions = [[1.0, 1.0, 0.0], [0.5, 0.2, 0.5], [0.1, 0.9, np.nan]]
    result = tf.math.in_top_k(targets=[0, 1, 2], predictions=predictions, k=1)
    assert result.dtype == tf.bool and result.numpy().tolist() == [True, False, False]
    assert tf.math.in_top_k([1, 5], [[0.3, 0.7], [0.2, 0.8]], 2).numpy().tolist() == [True,
                                                                                   False]
    with pytest.raises(ValueError, match="targets"):
        tf.math.in_top_k([[0]], [[1.0]], 1)


def test_searchsorted_batched_and_sides():
    import fluxion as tf

    seq = np.array([[0, 3, 9, 9, 10], [1, 2, 3, 4, 5]])
    values = np.array([[2, 9, 11], [0, 3, 6]])
    for side in ("left", "right"):
        want = np.stack([np.searchsorted(s, v, side=side) for s, v in zip(seq, values)])
        got = tf.searchsorted(seq, values, side=side)
        assert got.dtype == tf.int32
        np.testing.assert_array_equal(got.numpy(), want)
    assert tf.searchsorted([0, 3, 9, 10], [2, 9, 11]).numpy().tolist() == [1, 2, 4]
