"""TensorArray: eager list storage, traced buffers through while_loop, and gradients."""

import numpy as np
import pytest

import fluxion as tf


def test_write_read_stack_eager():
    ta = tf.TensorArray(tf.float32, size=3)
    for i in range(3):
        ta = ta.write(i, np.full([2], i, np.float32))
    np.testing.assert_array_equal(ta.stack().numpy(), [[0, 0], [1, 1], [2, 2]])
    np.testing.assert_array_equal(ta.read(1).numpy(), [1, 1])
    assert int(ta.size()) == 3
    np.testing.assert_array_equal(ta.gather([2, 0]).numpy(), [[2, 2], [0, 0]])
    np.testing.assert_array_equal(ta.concat().numpy(), [0, 0, 1, 1, 2, 2])
    assert ta.element_shape == tf.TensorShape([2])


def test_unstack_scatter_split_concat():
    value = np.arange(12, dtype=np.float32).reshape(4, 3)
    ta = tf.TensorArray(tf.float32, size=4).unstack(value)
    np.testing.assert_array_equal(ta.read(2).numpy(), value[2])
    ta = tf.TensorArray(tf.float32, size=4).scatter([3, 1], value[:2])
    np.testing.assert_array_equal(ta.read(3).numpy(), value[0])
    np.testing.assert_array_equal(ta.stack().numpy()[[0, 2]], np.zeros((2, 3)))
    ta = tf.TensorArray(tf.float32, size=2, infer_shape=False).split(value, [1, 3])
    np.testing.assert_array_equal(ta.read(1).numpy(), value[1:])
    np.testing.assert_array_equal(ta.concat().numpy(), value)


def test_dynamic_size_and_errors():
    ta = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
    for i in range(5):
        ta = ta.write(i, i * i)
    np.testing.assert_array_equal(ta.stack().numpy(), [0, 1, 4, 9, 16])
    fixed = tf.TensorArray(tf.int32, size=1)
    with pytest.raises(IndexError, match="out of range"):
        fixed.write(3, 1)
    with pytest.raises(ValueError, match="shape"):
        tf.TensorArray(tf.float32, size=2).write(0, [1.0]).write(1, [1.0, 2.0])
    with pytest.raises(ValueError, match="size"):
        tf.TensorArray(tf.float32)


def _squares(x):
    n = tf.shape(x)[0]
    ta = tf.TensorArray(tf.float32, size=n)

    def body(i, ta):
        return i + 1, ta.write(i, x[i] * x[i])

    _, ta = tf.while_loop(lambda i, ta: i < n, body, (0, ta))
    return ta.stack()


def test_while_loop_eager_and_traced_without_element_shape():
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    np.testing.assert_allclose(_squares(tf.constant(x)).numpy(), x * x)
    np.testing.assert_allclose(tf.function(_squares)(tf.constant(x)).numpy(), x * x)


def test_dynamic_size_inside_function():
    @tf.function
    def evens(n):
        ta = tf.TensorArray(tf.int32, size=0, dynamic_size=True, element_shape=[])
        _, ta = tf.while_loop(lambda i, ta: i < n, lambda i, ta: (i + 1, ta.write(i, 2 * i)),
                              (tf.constant(0), ta))
        return ta.stack(), ta.size()

    values, size = evens(tf.constant(4))
    np.testing.assert_array_equal(values.numpy(), [0, 2, 4, 6])
    assert int(size) == 4


def test_python_loop_inside_function_uses_list_storage():
    @tf.function
    def run(x):
        ta = tf.TensorArray(tf.float32, size=3)
        for i in range(3):
            ta = ta.write(i, x * float(i))
        return ta.concat()

    np.testing.assert_allclose(run(tf.constant([1.0, 2.0])).numpy(), [0, 0, 1, 2, 2, 4])


@pytest.mark.parametrize("traced", [False, True])
def test_gradients_through_tensor_array(traced):
    x0 = np.array([0.5, -1.0, 2.0])

    def loss(x):
        ta = tf.TensorArray(tf.float64, size=3).unstack(x)

        def body(i, acc, out):
            acc = acc * 0.5 + ta.read(i) ** 2
            return i + 1, acc, out.write(i, acc)

        out = tf.TensorArray(tf.float64, size=3, element_shape=[])
        _, _, out = tf.while_loop(lambda i, *_: i < 3, body,
                                  (0, tf.constant(0.0, tf.float64), out))
        return tf.reduce_sum(out.stack())

    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = loss(x)
        return tape.gradient(y, x)

    fn = tf.function(grad) if traced else grad
    got = fn(tf.constant(x0)).numpy()
    # out = [a0, a0/2 + a1, a0/4 + a1/2 + a2] with a_i = x_i^2: d/dx_i = 2 x_i * weight_i
    weights = np.array([1 + 0.5 + 0.25, 1 + 0.5, 1.0])
    np.testing.assert_allclose(got, 2 * x0 * weights, rtol=1e-10)


def test_autograph_for_loop_writes_a_dynamic_tensor_array():
    @tf.function
    def doubles(n):
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)  # no element shape
        for i in tf.range(n):
            ta = ta.write(i, tf.cast(i, tf.float32) * 2)
        return ta.stack()

    @tf.function
    def total(x):
        ta = tf.TensorArray(tf.float32, size=tf.shape(x)[0]).unstack(x)
        acc = tf.zeros([2])
        for i in tf.range(ta.size()):
            acc += ta.read(i)
        return acc

    np.testing.assert_array_equal(doubles(tf.constant(4)).numpy(), [0.0, 2.0, 4.0, 6.0])
    np.testing.assert_array_equal(total(tf.ones([3, 2])).numpy(), [3.0, 3.0])
