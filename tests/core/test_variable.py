"""Variable: creation, assignment semantics, scatter updates, use in ops."""

import numpy as np
import pytest

import fluxion as tf


def test_creation_and_metadata():
    v = tf.Variable([1.0, 2.0], name="weights")
    assert v.name == "weights:0" and v.dtype is tf.float32 and v.shape == (2,)
    assert v.trainable
    assert tf.Variable(lambda: tf.zeros([3])).shape == (3,)
    assert tf.Variable(1, trainable=False).dtype is tf.int32
    assert tf.Variable([1, 2], dtype=tf.float64).dtype is tf.float64
    assert repr(tf.Variable(3.0)) == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=3.0>"
    with pytest.raises(ValueError, match="initial_value"):
        tf.Variable()


def test_assign_family():
    v = tf.Variable([1.0, 2.0])
    assert v.assign([3.0, 4.0]) is v
    np.testing.assert_allclose(v.numpy(), [3.0, 4.0])
    v.assign_add([1.0, 1.0])
    v.assign_sub(tf.constant([0.5, 0.5]))
    np.testing.assert_allclose(v.read_value().numpy(), [3.5, 4.5])


def test_assign_with_wrong_shape_is_a_value_error():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match=r"shape mismatch.*\(2,\).*\(3,\)"):
        v.assign([1.0, 2.0, 3.0])
    np.testing.assert_allclose(v.numpy(), [1.0, 2.0])  # unchanged


def test_unknown_shape_allows_other_shapes():
    v = tf.Variable([1.0], shape=tf.TensorShape(None))
    v.assign([1.0, 2.0, 3.0])
    assert v.numpy().shape == (3,)


def test_reads_are_snapshots():
    v = tf.Variable([1.0, 2.0])
    before = v.read_value()
    v.assign([5.0, 6.0])
    np.testing.assert_allclose(before.numpy(), [1.0, 2.0])


def test_caller_arrays_are_not_aliased():
    array = np.array([1.0, 2.0], dtype=np.float32)
    v = tf.Variable(array)
    array[0] = 100.0
    assert v.numpy()[0] == 1.0
    v.numpy()[1] = 50.0  # numpy() returns a copy
    assert v.numpy()[1] == 2.0


def test_scatter_updates():
    v = tf.Variable([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    v.scatter_update(tf.IndexedSlices(tf.constant([[9.0, 9.0]]), tf.constant([1])))
    v.scatter_add(tf.IndexedSlices(tf.constant([[1.0, 1.0], [1.0, 1.0]]), tf.constant([0, 0])))
    np.testing.assert_allclose(v.numpy(), [[2.0, 2.0], [9.0, 9.0], [2.0, 2.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[0, 3\)"):
        v.scatter_update(tf.IndexedSlices(tf.constant([[1.0, 1.0]]), tf.constant([7])))


def test_acts_like_a_tensor_in_ops():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose((v + 1).numpy(), [[2.0, 3.0], [4.0, 5.0]])
    np.testing.assert_allclose((v @ v).numpy(), [[7.0, 10.0], [15.0, 22.0]])
    np.testing.assert_allclose(tf.exp(v).numpy(), np.exp(v.numpy()), rtol=1e-6)
    np.testing.assert_allclose(v[1].numpy(), [3.0, 4.0])
    np.testing.assert_allclose((2.0 * v - v).numpy(), v.numpy())
    assert tf.reduce_sum(v).numpy() == 10.0
    np.testing.assert_allclose(np.asarray(v), v.numpy())


def test_constraint_is_kept():
    v = tf.Variable([1.0], constraint=lambda x: tf.clip_by_value(x, 0.0, 1.0))
    assert v.constraint is not None
    with pytest.raises(ValueError, match="callable"):
        tf.Variable([1.0], constraint=3)


def test_dtype_conversion_on_assign():
    v = tf.Variable([1, 2])
    with pytest.raises(TypeError, match="int32"):
        v.assign([1.5, 2.0])
