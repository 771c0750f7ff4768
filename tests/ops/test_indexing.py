"""Tensor indexing (``x[key]``) and ``strided_slice`` against NumPy, with derivatives."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

rng = np.random.default_rng(1)
X = rng.standard_normal((3, 4, 5))


BASIC_KEYS = [
    1, -1, (slice(None), 2), (slice(None, None, 2), slice(1, None, -1)),
    (Ellipsis, 0), (None, 1, Ellipsis, None), (slice(-2, None), None, slice(None, None, -2)),
    (0, -1, 4), (slice(5, 10),), (Ellipsis,),
]


@pytest.mark.parametrize("key", BASIC_KEYS, ids=repr)
def test_basic_indexing(key):
    check_op(lambda x: x[key], [X], lambda x: x[key])


ADVANCED_KEYS = [
    [2, 0, 2],                                   # int list, repeated
    (slice(None), np.array([3, -1, 0])),         # x[:, int_array] with a negative index
    (slice(None), slice(None), [[0, 1], [4, 4]]),  # 2-D index array on the last axis
    ([0, 2], slice(None), [1, 3]),               # separated: new dimension goes first
    (slice(None), [0, 1], [1, 2]),               # adjacent in the middle: stays in place
    ([[0], [2]], [1, 3]),                        # index arrays broadcast together
    (1, slice(None), [0, 0, 4]),                 # an int counts as an advanced index
    (Ellipsis, [4, 0]),
    (None, [1, 0]),
]


@pytest.mark.parametrize("key", ADVANCED_KEYS, ids=repr)
def test_advanced_indexing_matches_numpy(key):
    check_op(lambda x: x[key], [X], lambda x: x[key])


def test_integer_tensor_index():
    index = tf.constant([3, 1, 3])
    check_op(lambda x: x[:, index], [X], lambda x: x[:, [3, 1, 3]])


def test_boolean_masks():
    full = X > 0
    check_op(lambda x: x[tf.constant(full)], [X], lambda x: x[full])
    leading = np.array([[True, False, True, True], [False, False, True, False],
                        [True, True, False, False]])
    check_op(lambda x: x[leading], [X], lambda x: x[leading])
    rows = np.array([True, False, True])
    check_op(lambda x: x[rows, 1:3], [X], lambda x: x[rows, 1:3])
    middle = np.array([False, True, True, False])
    check_op(lambda x: x[:, middle, 0], [X], lambda x: x[:, middle, 0])


def test_tensor_comparison_mask():
    x = tf.constant([[1.0, -2.0], [-3.0, 4.0]])
    np.testing.assert_array_equal(x[x > 0].numpy(), [1.0, 4.0])


def test_repeated_indices_accumulate_gradients():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x[[0, 0, 2, 0]])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [3.0, 0.0, 1.0])


def test_empty_index_list():
    assert tf.constant(X)[[]].shape == (0, 4, 5)


def test_out_of_range_indices_raise():
    x = tf.constant(X)
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds|out of range"):
        x[3]
    with pytest.raises(tf.errors.InvalidArgumentError, match="index 7 is out of bounds"):
        x[:, [0, 7]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="index -5 is out of bounds"):
        x[[-5]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="too many indices"):
        x[0, 0, [0], 0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not match"):
        x[np.array([True, False])]
    with pytest.raises(tf.errors.InvalidArgumentError, match="broadcast"):
        x[[0, 1], [0, 1, 2]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="valid indices"):
        x[[0.5]]


STRIDED = [
    # (begin, end, strides, masks, equivalent NumPy key)
    ([0, 1], [3, 4], [2, 2], {}, (slice(0, 3, 2), slice(1, 4, 2))),
    ([1, 0], [0, 3], [1, 1], {"begin_mask": 1, "end_mask": 1},
     (slice(None), slice(0, 3))),
    ([1, 0], [2, 0], [1, 1], {"shrink_axis_mask": 1, "end_mask": 2}, (1, slice(0, None))),
    ([0, 2], [0, 0], [1, -1], {"ellipsis_mask": 1, "end_mask": 2},
     (Ellipsis, slice(2, None, -1))),
    ([0, 0, 1], [0, 2, 3], [1, 1, 1], {"new_axis_mask": 1}, (None, slice(0, 2), slice(1, 3))),
    ([-1], [0], [1], {"shrink_axis_mask": 1}, (-1,)),
    ([0, 0], [0, 0], [1, 1], {"ellipsis_mask": 2, "new_axis_mask": 1}, (None, Ellipsis)),
]


@pytest.mark.parametrize("begin, end, strides, masks, key", STRIDED)
def test_strided_slice(begin, end, strides, masks, key):
    check_op(lambda x: tf.strided_slice(x, begin, end, strides, **masks), [X],
             lambda x: x[key])


def test_strided_slice_errors():
    with pytest.raises(ValueError, match="same length"):
        tf.strided_slice(X, [0], [1, 2])
    with pytest.raises(ValueError, match="non-zero"):
        tf.strided_slice(X, [0], [1], [0])


def test_iteration_uses_indexing():
    rows = list(tf.constant([[1, 2], [3, 4]]))
    assert [r.numpy().tolist() for r in rows] == [[1, 2], [3, 4]]


def test_traced_integer_index_gathers():
    import fluxion as tf

    x = np.arange(24.0).reshape(2, 3, 4)

    t = tf.constant(x)

    @tf.function
    def pick(i, j):
        return t[i], t[:, j], t[..., i, 1:3], t[-1, j, i]

    got = pick(tf.constant(1), tf.constant(-1))
    for g, want in zip(got, (x[1], x[:, -1], x[..., 1, 1:3], x[-1, -1, 1])):
        np.testing.assert_array_equal(g.numpy(), want)
