"""tf.compat.v1 sparse_* functions: TF 1 arguments over tf.sparse, against NumPy."""

import numpy as np
import pytest

import fluxion as fx
import fluxion.compat.v1 as tf


def _sparse():
    return fx.sparse.SparseTensor([[0, 0], [1, 2]], [1.0, 5.0], [2, 3])


def _dense(sp):
    return fx.sparse.to_dense(sp).numpy()


def test_add_and_concat():
    a = _sparse()
    np.testing.assert_allclose(_dense(tf.sparse_add(a, a, thresh=0)), 2 * _dense(a))
    joined = tf.sparse_concat(concat_dim=1, sp_inputs=[a, a])
    np.testing.assert_allclose(_dense(joined), np.concatenate([_dense(a)] * 2, 1))


def test_reductions_take_tf1_arguments():
    a = _sparse()
    np.testing.assert_allclose(tf.sparse_reduce_sum(a, reduction_axes=1).numpy(), [1.0, 5.0])
    np.testing.assert_allclose(tf.sparse_reduce_max(a, axis=0, keep_dims=True).numpy(),
                               [[1.0, 0.0, 5.0]])
    summed = tf.sparse_reduce_sum_sparse(a, reduction_axes=0)
    np.testing.assert_allclose(_dense(summed), [1.0, 0.0, 5.0])
    maxed = tf.sparse_reduce_max_sparse(a, 1)
    np.testing.assert_allclose(_dense(maxed), [1.0, 5.0])


def test_segments():
    data = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
    idx, seg = [0, 1, 2], [0, 0, 1]
    np.testing.assert_allclose(tf.sparse_segment_sum(data, idx, seg).numpy(),
                               [[4.0, 6.0], [5.0, 6.0]])
    np.testing.assert_allclose(tf.sparse_segment_mean(data, idx, seg).numpy(),
                               [[2.0, 3.0], [5.0, 6.0]])
    np.testing.assert_allclose(tf.sparse_segment_sqrt_n(data, idx, seg).numpy(),
                               [[4.0 / np.sqrt(2), 6.0 / np.sqrt(2)], [5.0, 6.0]],
                               rtol=1e-6)


def test_split_to_dense_merge_matmul():
    a = _sparse()
    left, right = tf.sparse_split(sp_input=a, num_split=2, split_dim=0)
    np.testing.assert_allclose(_dense(left), _dense(a)[:1])
    np.testing.assert_allclose(_dense(right), _dense(a)[1:])
    dense = tf.sparse_to_dense([[0, 1], [1, 0]], [2, 2], [5, 6], default_value=-1).numpy()
    np.testing.assert_array_equal(dense, [[-1, 5], [6, -1]])
    np.testing.assert_array_equal(tf.sparse_to_dense([0, 2], [3], 7).numpy(), [7, 0, 7])
    with pytest.raises(ValueError, match="sorted"):
        tf.sparse_to_dense([[1, 0], [0, 1]], [2, 2], [5, 6])
    ids = fx.sparse.SparseTensor([[0, 0], [0, 1], [1, 0]], np.int64([3, 1, 0]), [2, 2])
    values = fx.sparse.SparseTensor([[0, 0], [0, 1], [1, 0]], [0.5, 0.25, 1.0], [2, 2])
    merged = tf.sparse_merge(ids, values, vocab_size=4)
    np.testing.assert_allclose(_dense(merged), [[0, 0.25, 0, 0.5], [1.0, 0, 0, 0]])
    a2 = np.random.RandomState(0).rand(2, 3).astype(np.float32)
    b2 = np.random.RandomState(1).rand(2, 3).astype(np.float32)
    np.testing.assert_allclose(tf.sparse_matmul(a2, b2, transpose_b=True,
                                                a_is_sparse=True).numpy(), a2 @ b2.T,
                               rtol=1e-6)


def test_sparse_placeholder_is_fed_a_sparse_value():
    with fx.compat.v1.Graph().as_default():
        sp = tf.sparse_placeholder(tf.float32, shape=[None, 2])
        total = tf.sparse_reduce_sum(sp)
        assert tf.sparse_placeholder(tf.float32).dense_shape.shape.as_list() == [None]
        with tf.Session() as sess:
            value = tf.SparseTensorValue(np.array([[0, 0], [1, 1]], np.int64),
                                         np.array([2.0, 3.0], np.float32),
                                         np.array([2, 2], np.int64))
            assert sess.run(total, {sp: value}) == pytest.approx(5.0)
