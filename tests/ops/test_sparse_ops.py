"""SparseTensor and tf.sparse.*: against dense NumPy, eager and traced, with gradients."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

DENSE = np.array([[0.0, 2.0, 0.0, 0.0], [1.5, 0.0, 0.0, -3.0], [0.0, 0.0, 0.0, 0.0]])
IDX = np.array([[0, 1], [1, 0], [1, 3]])


def st(values=None):
    return tf.SparseTensor(IDX, DENSE[tuple(IDX.T)] if values is None else values, [3, 4])


def test_from_dense_to_dense_roundtrip_and_attributes():
    sp = tf.sparse.from_dense(DENSE)
    np.testing.assert_array_equal(sp.indices.numpy(), IDX)
    np.testing.assert_array_equal(sp.values.numpy(), [2.0, 1.5, -3.0])
    assert sp.dense_shape.numpy().tolist() == [3, 4] and sp.shape == tf.TensorShape([3, 4])
    assert sp.dtype == tf.float64 and sp.indices.dtype == tf.int64
    np.testing.assert_array_equal(tf.sparse.to_dense(sp).numpy(), DENSE)
    filled = tf.sparse.to_dense(sp, default_value=7.0).numpy()
    np.testing.assert_array_equal(filled, np.where(DENSE == 0, 7.0, DENSE))


@pytest.mark.parametrize("adjoint_a,adjoint_b", [(False, False), (True, False),
                                                 (False, True), (True, True)])
def test_sparse_dense_matmul_values_and_gradients(adjoint_a, adjoint_b):
    b = np.random.default_rng(0).normal(size=(3, 2) if adjoint_a else (4, 2))
    if adjoint_b:
        b = b.T.copy()

    def fn(values, b):
        sp = tf.SparseTensor(IDX, values, [3, 4])
        return tf.sparse.sparse_dense_matmul(sp, b, adjoint_a=adjoint_a, adjoint_b=adjoint_b)

    def expected(values, b):
        a = np.zeros((3, 4))
        a[tuple(IDX.T)] = values
        a = a.T if adjoint_a else a
        return a @ (b.T if adjoint_b else b)

    check_op(fn, [DENSE[tuple(IDX.T)].copy(), b], expected)


def test_dense_times_sparse():
    a = np.arange(6.0).reshape(2, 3)
    got = tf.sparse.sparse_dense_matmul(a, st())
    np.testing.assert_allclose(got.numpy(), a @ DENSE)


def test_add_reorder_retain_reduce():
    other = tf.SparseTensor([[1, 0], [2, 2]], [1.0, 4.0], [3, 4])
    total = tf.sparse.add(st(), other)
    want = DENSE.copy()
    want[1, 0] += 1.0
    want[2, 2] += 4.0
    np.testing.assert_allclose(tf.sparse.to_dense(total).numpy(), want)
    assert total.indices.numpy().tolist() == [[0, 1], [1, 0], [1, 3], [2, 2]]
    np.testing.assert_allclose(tf.sparse.add(st(), DENSE).numpy(), 2 * DENSE)
    shuffled = tf.SparseTensor(IDX[::-1], DENSE[tuple(IDX.T)][::-1], [3, 4])
    ordered = tf.sparse.reorder(shuffled)
    np.testing.assert_array_equal(ordered.indices.numpy(), IDX)
    kept = tf.sparse.retain(st(), [True, False, True])
    assert kept.values.numpy().tolist() == [2.0, -3.0]
    np.testing.assert_allclose(tf.sparse.reduce_sum(st(), axis=1).numpy(), DENSE.sum(1))
    np.testing.assert_allclose(tf.sparse.reduce_sum(st()).numpy(), DENSE.sum())
    assert tf.sparse.reduce_max(st(), axis=1).numpy().tolist() == [2.0, 1.5, 0.0]


def test_reshape_slice_concat_transpose_expand_split():
    r = tf.sparse.reshape(st(), [2, -1])
    np.testing.assert_array_equal(tf.sparse.to_dense(r).numpy(), DENSE.reshape(2, 6))
    s = tf.sparse.slice(st(), [1, 0], [2, 2])
    np.testing.assert_array_equal(tf.sparse.to_dense(s).numpy(), DENSE[1:3, 0:2])
    c = tf.sparse.concat(1, [st(), st()])
    np.testing.assert_array_equal(tf.sparse.to_dense(c).numpy(), np.concatenate([DENSE] * 2, 1))
    c0 = tf.sparse.concat(0, [st(), st()])
    np.testing.assert_array_equal(tf.sparse.to_dense(c0).numpy(), np.concatenate([DENSE] * 2))
    t = tf.sparse.transpose(st())
    np.testing.assert_array_equal(tf.sparse.to_dense(t).numpy(), DENSE.T)
    e = tf.sparse.expand_dims(st(), 1)
    np.testing.assert_array_equal(tf.sparse.to_dense(e).numpy(), DENSE[:, None, :])
    parts = tf.sparse.split(sp_input=st(), num_split=2, axis=1)
    np.testing.assert_array_equal(tf.sparse.to_dense(parts[1]).numpy(), DENSE[:, 2:])


def test_eye_fill_empty_rows_indicator_minmax_softmax():
    np.testing.assert_array_equal(tf.sparse.to_dense(tf.sparse.eye(2, 3)).numpy(), np.eye(2, 3))
    filled, empty = tf.sparse.fill_empty_rows(st(), -1.0)
    assert empty.numpy().tolist() == [False, False, True]
    want = DENSE.copy()
    want[2, 0] = -1.0
    np.testing.assert_array_equal(tf.sparse.to_dense(filled).numpy(), want)
    ids = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], [2, 0, 3], [2, 2])
    np.testing.assert_array_equal(tf.sparse.to_indicator(ids, 4).numpy(),
                                  [[True, False, True, False], [False, False, False, True]])
    other = tf.SparseTensor([[0, 1], [2, 0]], np.array([5.0, -1.0]), [3, 4])
    mx = tf.sparse.to_dense(tf.sparse.maximum(st(), other)).numpy()
    np.testing.assert_array_equal(mx, np.maximum(DENSE, tf.sparse.to_dense(other).numpy()))
    sm = tf.sparse.softmax(st())
    row1 = np.exp([1.5, -3.0]) / np.exp([1.5, -3.0]).sum()
    np.testing.assert_allclose(sm.values.numpy(), [1.0, *row1])


def test_through_function_and_map_values():
    @tf.function
    def double(sp):
        return tf.sparse.map_values(tf.multiply, sp, 2.0)

    out = double(st())
    assert isinstance(out, tf.SparseTensor)
    np.testing.assert_array_equal(tf.sparse.to_dense(out).numpy(), 2 * DENSE)
    np.testing.assert_array_equal(tf.sparse.to_dense(st() * 3.0).numpy(), 3 * DENSE)


def test_sparse_segment_ops():
    data = np.arange(12.0).reshape(4, 3)
    got = tf.sparse.segment_sum(data, [0, 2, 3], [0, 0, 1])
    np.testing.assert_array_equal(got.numpy(), [data[0] + data[2], data[3]])
    got = tf.sparse.segment_mean(data, [0, 2, 3], [0, 0, 1])
    np.testing.assert_array_equal(got.numpy(), [(data[0] + data[2]) / 2, data[3]])


def test_cross_and_sampled_addmm_as_tf():
    st_strings = tf.sparse.from_dense([["a", "b"], ["c", ""]])
    crossed = tf.sparse.to_dense(tf.sparse.cross([st_strings, tf.constant([["x"], ["y"]])]))
    assert crossed.numpy().tolist() == [[b"a_X_x", b"b_X_x"], [b"c_X_y", b""]]
    joined = tf.sparse.cross([st_strings, tf.constant([["x"], ["y"]])], separator="#")
    assert joined.values.numpy().tolist() == [b"a#x", b"b#x", b"c#y"]
    ragged = tf.ragged.cross([tf.ragged.constant([[1, 2], [3]]), tf.constant([["x"], ["y"]])])
    assert ragged.to_list() == [[b"1_X_x", b"2_X_x"], [b"3_X_y"]]
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(6.0).reshape(3, 2)
    idx = np.array([[0, 0], [1, 1]])

    def fn(values, m1, m2):
        return tf.sparse.sampled_addmm(idx, values, [2, 2], m1, m2, beta=0.5, alpha=2.0)[1]

    check_op(fn, [np.array([1.0, 2.0]), a, b],
             lambda v, m1, m2: 2.0 * (m1 @ m2)[tuple(idx.T)] + 0.5 * v)


def test_hashed_crosses_and_fingerprint_match_tf():
    # expected values computed by TensorFlow 2.21
    assert tf.fingerprint(tf.constant(["abc", "hello"])).numpy().tolist() == [
        [105, 243, 231, 116, 160, 179, 165, 36], [232, 12, 56, 49, 169, 229, 139, 180]]
    assert tf.fingerprint(tf.constant([["abc", "d"], ["x", "y"]])).numpy().tolist() == [
        [42, 36, 211, 10, 152, 245, 170, 130], [186, 9, 112, 82, 61, 81, 48, 156]]
    assert tf.fingerprint(tf.constant([[1, 2], [3, 4]], tf.int32)).numpy().tolist() == [
        [76, 18, 253, 133, 168, 204, 240, 10], [254, 162, 60, 240, 103, 244, 53, 255]]
    st_strings = tf.sparse.from_dense([["a", "b"], ["c", ""]])
    words = tf.constant([["x"], ["y"]])
    hashed = tf.sparse.cross_hashed([st_strings, words], num_buckets=100)
    assert hashed.values.numpy().tolist() == [92, 4, 60]
    raw = tf.sparse.cross_hashed([st_strings, tf.constant([[7], [8]], tf.int64)])
    assert raw.values.numpy().tolist() == [3509787333349122856, 443223928722139976,
                                           6432631460089690489]
    keyed = tf.sparse.cross_hashed([st_strings, words], num_buckets=100, hash_key=123)
    assert keyed.values.numpy().tolist() == [61, 17, 80]
    ragged = tf.ragged.cross_hashed([tf.ragged.constant([["a", "b"], ["c"]]), words],
                                    num_buckets=50)
    assert ragged.to_list() == [[42, 4], [10]]
