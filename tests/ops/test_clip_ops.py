"""Clipping through the op harness, with TF's gradient and None-handling semantics."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

rng = np.random.default_rng(3)


def test_clip_by_value_forward_and_gradients():
    x = np.array([[-2.0, -0.5, 0.3], [0.9, 1.7, -1.2]])
    check_op(lambda t: tf.clip_by_value(t, -1.0, 1.0), [x], lambda a: np.clip(a, -1, 1))
    low, high = np.array([-1.0, 0.0, 0.5]), np.array([1.0, 1.5, 2.0])
    check_op(tf.clip_by_value, [x, low, high], np.clip)


def test_clip_by_value_gradient_passes_only_inside_the_range():
    x = tf.constant([-2.0, -1.0, 0.0, 1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.clip_by_value(x, -1.0, 1.0)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [0, 1, 1, 1, 0])


def test_clip_by_value_errors_and_integers():
    assert tf.clip_by_value([1, 5, 9], 2, 6).numpy().tolist() == [2, 5, 6]
    with pytest.raises(ValueError, match="clip_by_value.*larger shape"):
        tf.clip_by_value(tf.ones([3]), tf.zeros([2, 3]), 1.0)
    with pytest.raises(TypeError, match="clip_by_value"):
        tf.clip_by_value(tf.constant([1, 2]), 0.5, 1.5)


@pytest.mark.parametrize("axes", [None, 1, [0, 1]])
def test_clip_by_norm(axes):
    x = rng.standard_normal((2, 3)) * 2.0

    def reference(a):
        np_axes = tuple(axes) if isinstance(axes, list) else axes
        norm = np.sqrt(np.sum(a * a, axis=np_axes, keepdims=True))
        return a * 1.5 / np.maximum(norm, 1.5)

    check_op(lambda t: tf.clip_by_norm(t, 1.5, axes=axes), [x], reference)


def test_clip_by_norm_values_and_zero_input():
    np.testing.assert_allclose(tf.clip_by_norm([3.0, 4.0], 1.0).numpy(), [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(tf.clip_by_norm([0.3, 0.4], 1.0).numpy(), [0.3, 0.4], rtol=1e-6)
    x = tf.zeros([2])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.clip_by_norm(x, 1.0))
    assert tf.clip_by_norm(x, 1.0).numpy().tolist() == [0.0, 0.0]
    assert np.all(np.isfinite(tape.gradient(y, x).numpy()))


def test_global_norm_and_clip_by_global_norm():
    a, b = rng.standard_normal((2, 2)), rng.standard_normal(3)

    def reference_norm(x, y):
        return np.sqrt(np.sum(x * x) + np.sum(y * y))

    check_op(lambda x, y: tf.linalg.global_norm([x, None, y]), [a, b], reference_norm)
    check_op(lambda x, y: tf.clip_by_global_norm([x, None, y], 1.0)[1], [a, b],
             reference_norm)

    def reference_clip(x, y):
        norm = reference_norm(x, y)
        scale = min(1.0, 1.0 / norm)
        return x * scale, y * scale

    check_op(lambda x, y: tuple(t for t in tf.clip_by_global_norm([x, None, y], 1.0)[0]
                                if t is not None), [a, b], reference_clip)


@pytest.mark.filterwarnings("ignore:invalid value")
def test_clip_by_global_norm_semantics():
    clipped, norm = tf.clip_by_global_norm([tf.constant([3.0]), None, tf.constant([4.0])], 1.0)
    assert clipped[1] is None and float(norm) == 5.0
    np.testing.assert_allclose([float(clipped[0][0]), float(clipped[2][0])], [0.6, 0.8],
                               rtol=1e-6)
    unchanged, _ = tf.clip_by_global_norm([tf.constant([0.3, 0.4])], 1.0)
    np.testing.assert_allclose(unchanged[0].numpy(), [0.3, 0.4], rtol=1e-6)
    nans, _ = tf.clip_by_global_norm([tf.constant([np.inf, 1.0])], 1.0)
    assert np.all(np.isnan(nans[0].numpy()))
    with pytest.raises(TypeError, match="sequence"):
        tf.clip_by_global_norm(tf.constant([1.0]), 1.0)
    slices = tf.IndexedSlices(tf.constant([[3.0, 4.0]]), tf.constant([0]), tf.constant([2, 2]))
    result, norm = tf.clip_by_global_norm([slices], 1.0)
    assert isinstance(result[0], tf.IndexedSlices) and float(norm) == 5.0
