"""TF 1 training loops: optimizers, control dependencies, group and no_op."""

import numpy as np
import pytest

import fluxion.compat.v1 as tf
from fluxion.core import context


@pytest.fixture(autouse=True)
def graph_mode():
    tf.disable_v2_behavior()  # as TF 1 scripts start
    yield
    tf.enable_v2_behavior()
    tf.reset_default_graph()
    assert context.tracer is None


def _regression_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = x @ np.array([[1.5], [-2.0], [0.5]], np.float32) + 0.3
    return x, y


@pytest.mark.parametrize("make_optimizer, steps", [
    (lambda: tf.train.GradientDescentOptimizer(0.1), 200),
    (lambda: tf.train.AdamOptimizer(0.1), 300),
    (lambda: tf.train.MomentumOptimizer(0.05, 0.9), 200),
    (lambda: tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True), 200),
])
def test_linear_regression_converges(make_optimizer, steps):
    xs, ys = _regression_data()
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    t = tf.placeholder(tf.float32, [None, 1], name="t")
    with tf.variable_scope("linear"):
        w = tf.get_variable("w", [3, 1], initializer=tf.zeros_initializer())
        b = tf.get_variable("b", [1], initializer=tf.zeros_initializer())
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - t))
    step = tf.train.get_or_create_global_step()
    train_op = make_optimizer().minimize(loss, global_step=step)
    init = tf.global_variables_initializer()  # after minimize: covers the slots
    with tf.Session() as sess:
        sess.run(init)
        first = sess.run(loss, {x: xs, t: ys})
        for _ in range(steps):
            _, last = sess.run([train_op, loss], {x: xs, t: ys})
        assert len(sess._runners) == 3  # init, loss, [train_op, loss]: each compiled once
        assert sess.run(step) == steps
        np.testing.assert_allclose(sess.run(w).ravel(), [1.5, -2.0, 0.5], atol=1e-3)
        np.testing.assert_allclose(sess.run(b), [0.3], atol=1e-3)
    assert first > 1.0 and last < 1e-5


def test_loss_is_read_before_the_update_in_one_step():
    v = tf.Variable(3.0)
    loss = v * v
    train_op = tf.train.GradientDescentOptimizer(0.25).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        _, before = sess.run([train_op, loss])
        assert before == 9.0  # computed from the value before the step
        assert sess.run(v) == 1.5


def test_logistic_regression_with_compute_and_apply_gradients():
    rng = np.random.default_rng(3)
    xs = rng.normal(size=(200, 2)).astype(np.float32)
    labels = (xs[:, :1] - 2 * xs[:, 1:] > 0).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.float32, [None, 1])
    w = tf.Variable(tf.zeros([2, 1]))
    b = tf.Variable(tf.zeros([1]))
    logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    optimizer = tf.train.AdamOptimizer(0.05)
    grads_and_vars = optimizer.compute_gradients(loss)
    assert [v for _, v in grads_and_vars] == [w, b]
    train_op = optimizer.apply_gradients(grads_and_vars)
    assert optimizer.get_slot(w, "m").name == "Variable/Adam:0"
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.cast(logits > 0, tf.float32), y),
                                      tf.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(150):
            sess.run(train_op, {x: xs, y: labels})
        assert sess.run(accuracy, {x: xs, y: labels}) > 0.95


def test_optimizer_errors():
    x = tf.placeholder(tf.float32, [])
    with pytest.raises(ValueError, match="No variables to optimize"):
        tf.train.GradientDescentOptimizer(0.1).minimize(x * x)
    v = tf.Variable(1.0)
    other = tf.Variable(2.0)
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        tf.train.GradientDescentOptimizer(0.1).minimize(v * 2.0, var_list=[other])


def test_learning_rate_can_be_fed():
    v = tf.Variable(1.0)
    lr = tf.placeholder(tf.float32, [])
    train_op = tf.train.GradientDescentOptimizer(lr).minimize(v * v)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op, {lr: 0.25})
        assert sess.run(v) == 0.5
        with pytest.raises(tf.errors.InvalidArgumentError, match="must feed"):
            sess.run(train_op)


def test_control_dependencies_group_and_no_op():
    counter = tf.Variable(0.0)
    total = tf.Variable(0.0)
    bump = tf.assign_add(counter, 1.0)
    with tf.control_dependencies([bump]):
        seen = tf.identity(counter)  # reads after the bump
        wait = tf.no_op(name="wait")
        with tf.control_dependencies(None):  # cleared
            free = tf.identity(counter)
    both = tf.group(bump, tf.assign_add(total, 10.0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(seen) == 1.0
        assert sess.run(wait) is None and sess.run(counter) == 2.0
        assert sess.run(free) == 2.0
        assert sess.run(both) is None
        assert sess.run([counter, total]) == [3.0, 10.0]
    assert "wait" in repr(wait)
