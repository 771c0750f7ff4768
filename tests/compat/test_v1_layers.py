"""tf.compat.v1.layers: TF 1 variable names, reuse, values against NumPy, batch norm's
moving averages in graph and eager mode."""

import numpy as np
import pytest

import fluxion.compat.v1 as tf
from fluxion.core import context


@pytest.fixture
def graph():
    tf.reset_default_graph()
    tf.disable_v2_behavior()
    yield
    tf.enable_v2_behavior()
    tf.reset_default_graph()
    assert context.tracer is None


def _values(session, variables):
    return dict(zip([v.name for v in variables], session.run(variables)))


def test_names_reuse_and_dense_values(graph):
    x = tf.placeholder(tf.float32, [None, 3])
    first = tf.layers.dense(x, 4, activation=tf.nn.relu)
    second = tf.layers.dense(first, 2, use_bias=False, name="head")
    with tf.variable_scope("tower"):
        tf.layers.dense(x, 4, name="shared")
    with tf.variable_scope("tower", reuse=True):
        tf.layers.dense(x, 4, name="shared")  # the same variables
    names = [v.name for v in tf.global_variables()]
    assert names == ["dense/kernel:0", "dense/bias:0", "head/kernel:0",
                     "tower/shared/kernel:0", "tower/shared/bias:0"]
    data = np.random.RandomState(0).rand(5, 3).astype(np.float32)
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        got = session.run(second, {x: data})
        v = _values(session, tf.global_variables())
    hidden = np.maximum(data @ v["dense/kernel:0"] + v["dense/bias:0"], 0)
    np.testing.assert_allclose(got, hidden @ v["head/kernel:0"], rtol=1e-5)


def test_convolutions_pooling_flatten_shapes_and_conv_values(graph):
    x = tf.placeholder(tf.float32, [None, 6, 6, 2])
    conv = tf.layers.conv2d(x, 3, [3, 3], padding="valid",
                            kernel_initializer=tf.ones_initializer())
    same = tf.layers.conv2d(x, 5, 3, strides=2, padding="same")
    pooled = tf.layers.max_pooling2d(same, 2, 2)
    average = tf.layers.average_pooling2d(x, 3, 3)
    up = tf.layers.conv2d_transpose(same, 4, 2, strides=2)
    flat = tf.layers.flatten(up)
    assert conv.shape.as_list() == [None, 4, 4, 3] and same.shape.as_list() == [None, 3, 3, 5]
    assert pooled.shape.as_list() == [None, 1, 1, 5]
    assert up.shape.as_list() == [None, 6, 6, 4] and flat.shape.as_list() == [None, 144]
    data = np.random.RandomState(1).rand(2, 6, 6, 2).astype(np.float32)
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        got_conv, got_average, got_flat = session.run([conv, average, flat], {x: data})
    np.testing.assert_allclose(got_conv[:, 0, 0, 0], data[:, :3, :3, :].sum(axis=(1, 2, 3)),
                               rtol=1e-5)
    np.testing.assert_allclose(got_average[:, 1, 1, :], data[:, 3:, 3:, :].mean(axis=(1, 2)),
                               rtol=1e-5)
    assert got_flat.shape == (2, 144)


def test_dropout_follows_the_training_tensor(graph):
    x = np.ones((1000,), np.float32)
    training = tf.placeholder(tf.bool, [])
    out = tf.layers.dropout(x, rate=0.5, training=training)
    with tf.Session() as session:
        np.testing.assert_array_equal(session.run(out, {training: False}), x)
        dropped = session.run(out, {training: True})
    assert set(np.unique(dropped)) <= {0.0, 2.0} and 0.4 < (dropped > 0).mean() < 0.6


def test_batch_normalization_graph_updates_and_inference(graph):
    x = tf.placeholder(tf.float32, [None, 2])
    training = tf.placeholder(tf.bool, [])
    out = tf.layers.batch_normalization(x, momentum=0.5, epsilon=1e-3, training=training)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    data = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        normalized, _ = session.run([out, updates], {x: data, training: True})
        mean, variance = session.run(["batch_normalization/moving_mean:0",
                                      "batch_normalization/moving_variance:0"])
        inferred = session.run(out, {x: data, training: False})
    batch_mean, batch_var = data.mean(0), data.var(0)
    np.testing.assert_allclose(normalized, (data - batch_mean) / np.sqrt(batch_var + 1e-3),
                               rtol=1e-5)
    np.testing.assert_allclose(mean, 0.5 * batch_mean, rtol=1e-6)
    np.testing.assert_allclose(variance, 0.5 + 0.5 * batch_var, rtol=1e-6)
    np.testing.assert_allclose(inferred, (data - mean) / np.sqrt(variance + 1e-3), rtol=1e-5)


def test_regularizers_fill_the_collection(graph):
    x = tf.placeholder(tf.float32, [None, 2])
    tf.layers.dense(x, 3, kernel_initializer=tf.ones_initializer(),
                    kernel_regularizer=lambda w: 0.5 * tf.reduce_sum(w))
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        assert session.run(tf.losses.get_regularization_loss()) == 3.0


def test_eager_layers_and_batch_norm_updates():
    tf.reset_default_graph()
    data = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
    out = tf.layers.dense(data, 2, kernel_initializer=tf.ones_initializer())
    np.testing.assert_allclose(out.numpy(), data.sum(1, keepdims=True) * np.ones((1, 2)))
    tf.layers.batch_normalization(data, momentum=0.0, training=True, name="bn")
    with tf.variable_scope("bn", reuse=True):
        moving = tf.get_variable("moving_mean")
    np.testing.assert_allclose(moving.numpy(), data.mean(0))
    assert tf.layers.Dense is __import__("fluxion").keras.layers.Dense
    tf.reset_default_graph()


def test_get_variable_regularizer(graph):
    tf.get_variable("w", [2], initializer=tf.ones_initializer(),
                    regularizer=lambda v: 2.0 * tf.reduce_sum(v))
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        assert session.run(tf.losses.get_regularization_loss()) == 4.0
