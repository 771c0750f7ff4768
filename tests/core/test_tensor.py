"""Tensor: metadata, conversion rules, Python protocols, repr."""

import numpy as np
import pytest

import fluxion as tf


def test_metadata():
    x = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert x.shape == (2, 3) and x.shape == tf.TensorShape([2, 3])
    assert x.dtype is tf.float32 and x.ndim == 2
    assert "CPU:0" in x.device
    assert isinstance(x.numpy(), np.ndarray)


@pytest.mark.parametrize("value, dtype", [
    (1.0, tf.float32), (1, tf.int32), (True, tf.bool), ([1.5, 2], tf.float32),
    ([[1, 2], [3, 4]], tf.int32), (2**40, tf.int64), ("a", tf.string), ([b"x", "y"], tf.string),
    (np.array([1.0]), tf.float64), (np.float16(1), tf.float16), (1 + 2j, tf.complex128)])
def test_conversion_dtypes_follow_tf(value, dtype):
    assert tf.convert_to_tensor(value).dtype is dtype


def test_numpy_arrays_are_not_copied():
    array = np.arange(4.0)
    assert np.shares_memory(tf.convert_to_tensor(array).numpy(), array)


def test_requested_dtype_that_loses_information_is_an_error():
    with pytest.raises(TypeError, match="1.5"):
        tf.constant(1.5, dtype=tf.int32)
    assert tf.convert_to_tensor(np.array([1.0, 2.0]), dtype=tf.float32).dtype is tf.float32
    assert tf.constant(3, dtype=tf.float32).dtype is tf.float32


def test_constant_with_shape():
    assert tf.constant(7.0, shape=[2, 2]).numpy().tolist() == [[7.0, 7.0], [7.0, 7.0]]
    assert tf.constant([1, 2, 3, 4], shape=[2, 2]).shape == (2, 2)
    with pytest.raises(TypeError, match="4 elements"):
        tf.constant([1.0, 2.0, 3.0], shape=[2, 2])


def test_ragged_lists_are_rejected():
    with pytest.raises(ValueError, match="rectangular"):
        tf.constant([[1, 2], [3]])


def test_lists_of_tensors_pack():
    packed = tf.constant([tf.constant(1.0), 2.0])
    assert packed.numpy().tolist() == [1.0, 2.0]


def test_python_protocols():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert len(x) == 2
    rows = list(x)
    assert [r.numpy().tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]
    assert float(tf.constant(2.5)) == 2.5 and int(tf.constant(3)) == 3
    assert [10, 20, 30][tf.constant(1)] == 20
    assert np.sum(x) == 10.0  # NumPy functions accept tensors via __array__
    assert bool(tf.constant(True))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(x)
    with pytest.raises(TypeError, match="scalar"):
        len(tf.constant(1.0))
    with pytest.raises(TypeError, match="ref"):
        hash(x)
    assert {x.ref(): 1}[x.ref()] == 1


def test_operators():
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    b = tf.constant([[5.0, 6.0], [7.0, 8.0]])
    na, nb = a.numpy(), b.numpy()
    for got, want in [(a + b, na + nb), (a - b, na - nb), (a * b, na * nb), (a / b, na / nb),
                      (a // b, na // nb), (b % a, nb % na), (a ** 2, na ** 2), (a @ b, na @ nb),
                      (-a, -na), (abs(-a), na), (2 - a, 2 - na), (1 / a, 1 / na),
                      (a < b, na < nb), (a >= 2, na >= 2), (a == 2, na == 2), (a != 2, na != 2),
                      (np.ones(2) + a, 1 + na)]:
        np.testing.assert_allclose(got.numpy(), want)
    t, f = tf.constant([True, False]), tf.constant([True, True])
    assert (t & f).numpy().tolist() == [True, False]
    assert (t | f).numpy().tolist() == [True, True]
    assert (t ^ f).numpy().tolist() == [False, True]
    assert (~t).numpy().tolist() == [False, True]
    assert (~tf.constant([5])).numpy().tolist() == [-6]
    assert (tf.constant([6]) & 3).numpy().tolist() == [2]


def test_equality_with_none_and_incompatible_shapes_is_false():
    x = tf.constant([1.0, 2.0])
    assert (x == None) is False  # noqa: E711
    assert (x != None) is True  # noqa: E711
    assert not bool(x == tf.constant([1.0, 2.0, 3.0]))


def test_dtype_mismatch_is_an_error_that_suggests_cast():
    with pytest.raises(tf.errors.InvalidArgumentError, match="fluxion.cast"):
        tf.constant([1.0]) + tf.constant([1])
    with pytest.raises(TypeError, match="float64"):
        tf.constant([1.0]) * tf.constant([1.0], dtype=tf.float64)
    with pytest.raises(TypeError, match="int32"):
        tf.constant([1, 2]) + 1.5


def test_python_scalars_adapt_to_the_tensor_dtype():
    assert (tf.constant([1.0], dtype=tf.float16) + 1).dtype is tf.float16
    assert (tf.constant([1.0], dtype=tf.float64) * 2.5).dtype is tf.float64
    assert (2 * tf.constant([3])).dtype is tf.int32
    assert (tf.constant([1.0]) + np.array([1.0])).dtype is tf.float32


def test_integer_true_division_gives_floats():
    assert (tf.constant([1, 2]) / tf.constant([2, 2])).dtype is tf.float64


def test_repr_and_str_look_like_tf():
    assert repr(tf.constant(3.0)) == "<tf.Tensor: shape=(), dtype=float32, numpy=3.0>"
    assert repr(tf.constant([1, 2])) == \
        "<tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>"
    assert str(tf.constant([1.0, 2.0])) == "tf.Tensor([1. 2.], shape=(2,), dtype=float32)"
    assert f"{tf.constant(0.5):.2f}" == "0.50"


def test_tensors_are_immutable_values():
    x = tf.constant([1.0, 2.0])
    y = x + 0.0
    assert y is not x
    with pytest.raises(TypeError):
        x[0] = 5.0
