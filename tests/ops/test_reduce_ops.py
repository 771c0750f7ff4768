"""Reductions and scans through the op harness, plus TF's dtype and edge semantics."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

rng = np.random.default_rng(0)


def normal(*shape):
    return rng.standard_normal(shape)


AXES = [None, 0, -1, [0, 2], (1,)]


def _np_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("op, reference", [
    (tf.reduce_sum, np.sum), (tf.reduce_mean, np.mean), (tf.reduce_max, np.max),
    (tf.reduce_min, np.min), (tf.reduce_prod, np.prod),
    (tf.math.reduce_variance, np.var), (tf.math.reduce_std, np.std),
    (tf.math.reduce_euclidean_norm, lambda x, axis, keepdims: np.sqrt(
        np.sum(x * x, axis=axis, keepdims=keepdims))),
], ids=lambda v: getattr(v, "__name__", ""))
def test_float_reductions(op, reference, axis, keepdims):
    x = normal(2, 3, 2)
    check_op(lambda t: op(t, axis=axis, keepdims=keepdims), [x],
             lambda a: reference(a, axis=_np_axis(axis), keepdims=keepdims))


@pytest.mark.parametrize("axis", [None, 1, [0, 1]])
def test_reduce_logsumexp(axis):
    x = normal(3, 4)

    def reference(a):
        m = np.max(a, axis=_np_axis(axis), keepdims=True)
        return np.squeeze(np.log(np.sum(np.exp(a - m), axis=_np_axis(axis), keepdims=True))
                          + m, axis=_np_axis(axis) if axis is not None else None)

    check_op(lambda t: tf.reduce_logsumexp(t, axis=axis), [x], reference)


@pytest.mark.filterwarnings("ignore:divide by zero")
def test_reduce_logsumexp_is_stable():
    assert float(tf.reduce_logsumexp([1000.0, 1000.0])) == pytest.approx(1000 + np.log(2))
    assert float(tf.reduce_logsumexp([-np.inf, -np.inf])) == -np.inf
    x = tf.constant([1e4, 0.0], dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_logsumexp(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [1.0, 0.0])


def test_reduce_prod_gradient_with_zeros():
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 1.5], [1.0, 2.0, 0.5]])
    for axis in (None, 0, 1):
        check_op(lambda t, axis: tf.reduce_prod(t, axis=axis), [x],
                 lambda a, axis: np.prod(a, axis=axis), kwargs={"axis": axis},
                 second_order=False)
    y = normal(2, 3, 2)
    y[0, 1, 1] = 0.0
    check_op(lambda t: tf.reduce_prod(t, axis=[0, 2], keepdims=True), [y],
             lambda a: np.prod(a, axis=(0, 2), keepdims=True), second_order=False)


def test_max_and_min_split_the_gradient_among_ties():
    x = tf.constant([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        high = tf.reduce_max(x, axis=1)
        low = tf.reduce_min(x)
    np.testing.assert_allclose(tape.gradient(high, x).numpy(),
                               [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)
    np.testing.assert_allclose(tape.gradient(low, x).numpy(), [[1, 0, 0], [0, 0, 0]])


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_scans(exclusive, reverse, axis):
    x = normal(3, 4)

    def reference(op, identity):
        def compute(a):
            a = np.flip(a, axis) if reverse else a
            out = op(a, axis=axis)
            if exclusive:
                out = np.roll(out, 1, axis=axis)
                index = [slice(None)] * a.ndim
                index[axis] = 0
                out[tuple(index)] = identity
            return np.flip(out, axis) if reverse else out

        return compute

    kwargs = dict(axis=axis, exclusive=exclusive, reverse=reverse)
    check_op(lambda t: tf.cumsum(t, **kwargs), [x], reference(np.cumsum, 0))
    check_op(lambda t: tf.math.cumprod(t, **kwargs), [x], reference(np.cumprod, 1))


def test_scan_values_and_integer_dtypes():
    assert tf.cumsum([1, 2, 3], exclusive=True, reverse=True).numpy().tolist() == [5, 3, 0]
    result = tf.math.cumprod(tf.constant([1, 2, 3], dtype=tf.int32))
    assert result.dtype == tf.int32 and result.numpy().tolist() == [1, 2, 6]
    assert tf.cumsum(tf.constant([[1, 2], [3, 4]]), axis=tf.constant(1)).numpy().tolist() \
        == [[1, 3], [3, 7]]


def test_integer_reductions_keep_their_dtype():
    x = tf.constant([[1, 2], [3, 4]], dtype=tf.int32)
    for op in (tf.reduce_sum, tf.reduce_prod, tf.reduce_max, tf.reduce_min, tf.reduce_mean):
        assert op(x).dtype == tf.int32
    assert int(tf.reduce_sum(x)) == 10 and int(tf.reduce_prod(x)) == 24
    # TF's integer mean truncates toward zero.
    assert int(tf.reduce_mean([-1, -2])) == -1 and int(tf.reduce_mean([1, 2])) == 1
    assert int(tf.math.reduce_euclidean_norm([3, 4, 1])) == 5
    assert tf.reduce_sum([True, True, False]).dtype == tf.int32


def test_statistics_require_floats():
    with pytest.raises(TypeError, match="reduce_variance"):
        tf.math.reduce_variance([1, 2])
    with pytest.raises(TypeError, match="reduce_std"):
        tf.math.reduce_std([1, 2])


def test_logical_reductions():
    x = np.array([[True, False], [True, True]])
    check_op(lambda t: tf.reduce_any(t, axis=1), [x], lambda a: np.any(a, axis=1), grad=False)
    check_op(lambda t: tf.reduce_all(t, axis=0, keepdims=True), [x],
             lambda a: np.all(a, axis=0, keepdims=True), grad=False)
    with pytest.raises(TypeError):
        tf.reduce_any(tf.constant([1.0, 0.0]))


def test_argmax_argmin():
    x = np.array([[1.0, 9.0, 9.0], [7.0, 2.0, 7.0]])
    result = check_op(lambda t: tf.argmax(t, axis=1), [x], lambda a: np.argmax(a, axis=1),
                      grad=False)
    assert result.dtype == tf.int64
    check_op(lambda t: tf.argmin(t), [x], lambda a: np.argmin(a, axis=0), grad=False)
    assert tf.argmax(x, axis=-1, output_type=tf.int32).dtype == tf.int32
    with tf.GradientTape() as tape:
        t = tf.constant(x)
        tape.watch(t)
        index = tf.argmax(t)
    assert tape.gradient(index, t) is None


def test_count_nonzero():
    x = np.array([[1, 0, 3], [0, 0, 2]])
    result = tf.math.count_nonzero(x, axis=1)
    assert result.dtype == tf.int64 and result.numpy().tolist() == [2, 1]
    assert int(tf.math.count_nonzero([0.0, 1.5, -2.0])) == 2
    assert tf.math.count_nonzero(x, keepdims=True, dtype=tf.int32).shape == (1, 1)


def test_axis_forms_and_errors():
    x = tf.constant(normal(2, 3, 4))
    np.testing.assert_allclose(tf.reduce_sum(x, axis=tf.constant([0, 2])).numpy(),
                               np.sum(x.numpy(), axis=(0, 2)))
    np.testing.assert_allclose(tf.reduce_sum(x, axis=np.int64(1)).numpy(),
                               np.sum(x.numpy(), axis=1))
    with pytest.raises(ValueError, match="reduce_max.*axis 3 is out of range"):
        tf.reduce_max(x, axis=3)
    with pytest.raises(ValueError, match="argmax.*out of range"):
        tf.argmax(x, axis=-4)


def test_empty_extrema_are_infinite():
    assert float(tf.reduce_max(tf.zeros([0]))) == -np.inf
    assert float(tf.reduce_min(tf.zeros([0]))) == np.inf
