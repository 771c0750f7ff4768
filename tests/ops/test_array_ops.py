"""Array ops through the op harness: shape/layout changes, gather/scatter, masks, where."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

rng = np.random.default_rng(2)


def normal(*shape):
    return rng.standard_normal(shape)


# --- shape ops ------------------------------------------------------------------------------
def test_reshape_transpose_broadcast():
    check_op(lambda x: tf.reshape(x, [3, -1]), [normal(2, 3, 2)], lambda x: x.reshape(3, -1))
    check_op(lambda x: tf.transpose(x, [2, 0, 1]), [normal(2, 3, 4)],
             lambda x: x.transpose(2, 0, 1))
    check_op(tf.transpose, [normal(2, 3)], np.transpose)
    check_op(lambda x: tf.broadcast_to(x, [2, 3, 4]), [normal(3, 1)],
             lambda x: np.broadcast_to(x, (2, 3, 4)))


def test_expand_dims_squeeze():
    check_op(lambda x: tf.expand_dims(x, -1), [normal(2, 3)], lambda x: x[..., None])
    check_op(lambda x: tf.squeeze(x), [normal(1, 3, 1)], np.squeeze)
    check_op(lambda x: tf.squeeze(x, [2]), [normal(1, 3, 1)], lambda x: x[:, :, 0])


def test_concat_stack_unstack():
    check_op(lambda a, b: tf.concat([a, b], axis=-1), [normal(2, 3), normal(2, 1)],
             lambda a, b: np.concatenate([a, b], -1))
    check_op(lambda a, b: tf.stack([a, b], axis=1), [normal(2, 3), normal(2, 3)],
             lambda a, b: np.stack([a, b], 1))
    check_op(lambda x: tf.unstack(x, axis=1), [normal(2, 3)],
             lambda x: [x[:, i] for i in range(3)])
    assert len(tf.unstack(tf.zeros([4, 2]), num=4)) == 4
    with pytest.raises(ValueError, match="num=3"):
        tf.unstack(tf.zeros([4, 2]), num=3)


def test_split():
    check_op(lambda x: tf.split(x, 3, axis=1), [normal(2, 6)], lambda x: np.split(x, 3, 1))
    check_op(lambda x: tf.split(x, [1, -1, 2]), [normal(5, 2)],
             lambda x: [x[:1], x[1:3], x[3:]])
    with pytest.raises(ValueError, match="3 equal parts"):
        tf.split(tf.zeros([4]), 3)
    with pytest.raises(ValueError, match="add up"):
        tf.split(tf.zeros([4]), [1, 2])


# --- layout ---------------------------------------------------------------------------------
def test_tile():
    check_op(lambda x: tf.tile(x, [2, 3]), [normal(2, 3)], lambda x: np.tile(x, (2, 3)))
    check_op(lambda x: tf.tile(x, [1, 0, 2]), [normal(2, 1, 2)],
             lambda x: np.tile(x, (1, 0, 2)))


@pytest.mark.parametrize("mode", ["CONSTANT", "REFLECT", "symmetric"])
def test_pad(mode):
    paddings = [[1, 2], [2, 0]]
    check_op(lambda x: tf.pad(x, paddings, mode), [normal(3, 3)],
             lambda x: np.pad(x, paddings, mode=mode.lower()))


def test_pad_constant_values_and_errors():
    out = tf.pad(tf.constant([[1, 2]]), [[1, 0], [0, 1]], constant_values=7)
    np.testing.assert_array_equal(out.numpy(), [[7, 7, 7], [1, 2, 7]])
    assert out.dtype == tf.int32
    with pytest.raises(ValueError, match=r"shape \[2, 2\]"):
        tf.pad(tf.zeros([2, 2]), [[1, 1]])
    with pytest.raises(ValueError, match="at most 1"):
        tf.pad(tf.zeros([2]), [[2, 0]], "REFLECT")
    with pytest.raises(ValueError, match="mode"):
        tf.pad(tf.zeros([2]), [[1, 0]], "EDGE")


def test_reverse_and_slice():
    check_op(lambda x: tf.reverse(x, [0, -1]), [normal(2, 3, 2)],
             lambda x: x[::-1, :, ::-1])
    check_op(lambda x: tf.slice(x, [1, 0], [2, -1]), [normal(3, 4)], lambda x: x[1:3, :])
    with pytest.raises(ValueError, match="out of range"):
        tf.slice(tf.zeros([3]), [2], [2])


def test_roll():
    check_op(lambda x: tf.roll(x, [1, -2], [0, 1]), [normal(3, 4)],
             lambda x: np.roll(x, (1, -2), (0, 1)))


# --- gather / scatter -----------------------------------------------------------------------
def _batched_gather(params, indices, axis, batch_dims):
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    return np.stack([_batched_gather(p, i, axis - 1, batch_dims - 1)
                     for p, i in zip(params, indices, strict=True)])


@pytest.mark.parametrize("shape, indices, axis, batch_dims", [
    ((4, 3), [3, 0, 3, 3], 0, 0),
    ((2, 4, 3), [[1, 1], [0, 3]], 1, 0),
    ((2, 4, 3), 2, -1, 0),
    ((2, 4, 3), [[1, 1, 0], [3, 2, 3]], 1, 1),
    ((2, 3, 4, 2), [[0, 3], [2, 2]], 2, 1),
    ((2, 3, 4), [[[0, 1], [1, 1], [2, 0]], [[0, 0], [2, 2], [1, 0]]], 2, 2),
])
def test_gather(shape, indices, axis, batch_dims):
    indices = np.array(indices, dtype=np.int32)
    check_op(lambda p: tf.gather(p, indices, axis=axis, batch_dims=batch_dims), [normal(*shape)],
             lambda p: _batched_gather(p, indices, axis % len(shape), batch_dims))


def test_gather_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 5 is not in"):
        tf.gather([1, 2, 3], [0, 5])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"= -1 is not in \[0, 3\)"):
        tf.gather([1, 2, 3], [-1])
    with pytest.raises(TypeError, match="int32 or int64"):
        tf.gather([1.0, 2.0], [0.0])
    with pytest.raises(ValueError, match="batch dimensions"):
        tf.gather(tf.zeros([2, 3]), tf.zeros([3, 1], tf.int32), axis=1, batch_dims=1)


def test_gather_nd():
    indices = np.array([[1, 0], [0, 2], [1, 0]])
    check_op(lambda p: tf.gather_nd(p, indices), [normal(2, 3)],
             lambda p: p[indices[:, 0], indices[:, 1]])
    rows = np.array([[1], [1], [0]])
    check_op(lambda p: tf.gather_nd(p, rows), [normal(2, 3)], lambda p: p[rows[:, 0]])
    batched = np.array([[[2], [0]], [[1], [1]]])
    check_op(lambda p: tf.gather_nd(p, batched, batch_dims=1), [normal(2, 3, 2)],
             lambda p: np.stack([p[0][[2, 0]], p[1][[1, 1]]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index"):
        tf.gather_nd([[1, 2]], [[0, 2]])


def test_scatter_nd_sums_duplicates():
    indices = np.array([[0], [2], [0]])
    check_op(lambda u: tf.scatter_nd(indices, u, [4, 2]), [normal(3, 2)],
             lambda u: np.stack([u[0] + u[2], 0 * u[0], u[1], 0 * u[0]]))


def test_tensor_scatter_nd():
    indices = np.array([[0, 1], [2, 0]])

    def updated(t, u):
        t = t.copy()
        t[indices[:, 0], indices[:, 1]] = u
        return t

    def added(t, u):
        t = t.copy()
        np.add.at(t, (indices[:, 0], indices[:, 1]), u)
        return t

    check_op(lambda t, u: tf.tensor_scatter_nd_update(t, indices, u),
             [normal(3, 2), normal(2)], updated)
    check_op(lambda t, u: tf.tensor_scatter_nd_add(t, indices, u),
             [normal(3, 2), normal(2)], added)
    check_op(lambda t, u: tf.tensor_scatter_nd_sub(t, indices, u),
             [normal(3, 2), normal(2)], lambda t, u: added(t, -u))
    with pytest.raises(ValueError, match="updates must have shape"):
        tf.tensor_scatter_nd_add(tf.zeros([3, 2]), indices, tf.zeros([3]))


# --- masks and where ------------------------------------------------------------------------
def test_boolean_mask():
    mask = np.array([True, False, True])
    check_op(lambda x: tf.boolean_mask(x, mask), [normal(3, 2)], lambda x: x[mask])
    check_op(lambda x: tf.boolean_mask(x, mask, axis=1), [normal(2, 3)], lambda x: x[:, mask])
    grid = np.array([[True, False], [True, True]])
    check_op(lambda x: tf.boolean_mask(x, grid), [normal(2, 2, 3)], lambda x: x[grid])
    with pytest.raises(ValueError, match="does not match"):
        tf.boolean_mask(tf.zeros([3]), [True, False])


def test_where():
    coords = tf.where([[True, False], [False, True]])
    assert coords.dtype == tf.int64
    np.testing.assert_array_equal(coords.numpy(), [[0, 0], [1, 1]])
    assert tf.where(tf.zeros([2, 3]) > 1).shape == (0, 2)
    np.testing.assert_array_equal(tf.where([0, 3, 0, 1]).numpy(), [[1], [3]])
    check_op(lambda c, x, y: tf.where(c, x, y), [np.array([[True], [False]]), normal(3),
                                                 normal(2, 1)], np.where)
    with pytest.raises(ValueError, match="both"):
        tf.where([True], [1.0])


def test_where_shape_rule_leaves_the_count_unknown():
    from fluxion.core.primitive import Aval
    from fluxion.core.primitives.gather_scatter import where_p

    assert where_p.shape_rule(Aval((None, 3), tf.bool)) == Aval((None, 2), tf.int64)


# --- composites -----------------------------------------------------------------------------
def test_one_hot():
    np.testing.assert_array_equal(tf.one_hot([0, 2, -1, 3], 3).numpy(),
                                  np.eye(3, dtype=np.float32)[[0, 2]].tolist() + [[0] * 3] * 2)
    out = tf.one_hot([[1], [0]], 2, on_value=5, off_value=-1, axis=0)
    assert out.dtype == tf.int32 and out.shape == (2, 2, 1)
    np.testing.assert_array_equal(out.numpy()[:, :, 0], [[-1, 5], [5, -1]])
    assert tf.one_hot([1], 2, dtype=tf.float64).dtype == tf.float64


def test_repeat():
    check_op(lambda x: tf.repeat(x, [1, 0, 2], axis=1), [normal(2, 3)],
             lambda x: np.repeat(x, [1, 0, 2], axis=1))
    check_op(lambda x: tf.repeat(x, 2), [normal(2, 2)], lambda x: np.repeat(x, 2))


def test_repeat_by_a_count_known_at_run_time():
    # the count is the batch size of a traced input: known only when the graph runs
    @tf.function(input_signature=[tf.TensorSpec([None, 3])])
    def repeat_by_batch(x):
        batch = tf.shape(x)[0]
        return tf.repeat(x, batch, axis=1), tf.repeat(tf.ones([2])[tf.newaxis], batch, axis=0)

    x = normal(4, 3).astype("float32")
    by_columns, tokens = repeat_by_batch(x)
    np.testing.assert_array_equal(by_columns.numpy(), np.repeat(x, 4, axis=1))
    assert tokens.shape == (4, 2)
    with pytest.raises(ValueError, match="single count"):
        tf.function(lambda x: tf.repeat(x, tf.shape(x), axis=0),
                    input_signature=[tf.TensorSpec([None, 2])])(np.ones((2, 2), "float32"))


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid(indexing):
    check_op(lambda a, b, c: tf.meshgrid(a, b, c, indexing=indexing),
             [normal(2), normal(3), normal(4)],
             lambda a, b, c: np.meshgrid(a, b, c, indexing=indexing))


def test_sequence_mask():
    np.testing.assert_array_equal(tf.sequence_mask([1, 3, 0], 4).numpy(),
                                  [[1, 0, 0, 0], [1, 1, 1, 0], [0, 0, 0, 0]])
    assert tf.sequence_mask([2, 1], dtype=tf.float32).numpy().tolist() == [[1, 1], [1, 0]]


def test_where_is_exported():
    assert "where" in tf.__dict__ and tf.where is tf.ops.array_ops.where
