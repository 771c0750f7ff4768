"""TF 1 variables: initialization, assign ops, get_variable and variable_scope."""

import numpy as np
import pytest

import fluxion.compat.v1 as tf
from fluxion.core import context


@pytest.fixture(autouse=True)
def graph_mode():
    tf.disable_eager_execution()
    yield
    tf.enable_eager_execution()
    tf.reset_default_graph()
    assert context.tracer is None


def test_reading_an_uninitialized_variable_names_it():
    v = tf.Variable([1.0, 2.0], name="weights")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="weights"):
            sess.run(v * 2)
        sess.run(tf.global_variables_initializer())
        assert sess.run(v * 2).tolist() == [2.0, 4.0]
    with tf.Session() as other:  # initialization is per session, as in TF
        with pytest.raises(tf.errors.FailedPreconditionError):
            other.run(v)


def test_initializer_variants():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    with tf.Session() as sess:
        sess.run(tf.variables_initializer([a]))
        assert sess.run(a) == 1.0
        with pytest.raises(tf.errors.FailedPreconditionError, match="Variable_1"):
            sess.run(b)
        sess.run(b.initializer)
        assert sess.run(a + b) == 3.0
    with tf.Session() as sess:
        sess.run(tf.initializers.global_variables())
        assert sess.run([a, b]) == [1.0, 2.0]


def test_initializer_resets_trained_values():
    v = tf.Variable(5.0)
    step = tf.assign_add(v, 1.0)
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        sess.run(init)
        sess.run(step)
        sess.run(step)
        assert sess.run(v) == 7.0
        sess.run(init)
        assert sess.run(v) == 5.0


def test_an_assign_initializes():
    v = tf.Variable(0.0)
    with tf.Session() as sess:
        assert sess.run(tf.assign(v, 3.0)) == 3.0
        assert sess.run(v) == 3.0


def test_assign_ops_run_only_when_fetched():
    v = tf.Variable([1.0, 2.0])
    add = tf.assign_add(v, [1.0, 1.0])
    sub = tf.assign_sub(v, [0.5, 0.5])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(v).tolist() == [1.0, 2.0]
        assert sess.run(add).tolist() == [2.0, 3.0]
        assert sess.run(sub).tolist() == [1.5, 2.5]
        with pytest.raises(ValueError, match="shape"):
            tf.assign(v, [1.0, 2.0, 3.0])


def test_variable_assign_method_returns_a_fetchable_assign():
    v = tf.Variable(1.0)
    op = v.assign(4.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v) == 1.0
        assert sess.run(op) == 4.0
        assert sess.run(v) == 4.0


def test_collections_and_trainable():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(1.0, name="b", trainable=False)
    a2 = tf.Variable(1.0, name="a")
    assert [v.name for v in tf.global_variables()] == ["a:0", "b:0", "a_1:0"]
    assert tf.trainable_variables() == [a, a2]
    assert tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES) == [a, a2]
    assert all(v is not b for v in tf.trainable_variables())


def test_get_variable_names_and_reuse():
    with tf.variable_scope("layer"):
        w = tf.get_variable("w", [2, 3])
        assert w.name == "layer/w:0" and w.shape.as_list() == [2, 3]
        with tf.variable_scope("inner"):
            u = tf.get_variable("u", [1], initializer=tf.ones_initializer())
            plain = tf.Variable(0.0, name="plain")
    assert u.name == "layer/inner/u:0" and plain.name == "layer/inner/plain:0"
    with tf.variable_scope("layer", reuse=True):
        assert tf.get_variable("w", [2, 3]) is w
        with tf.variable_scope("inner", reuse=False):  # reuse is inherited
            assert tf.get_variable("u") is u
    with tf.variable_scope("layer") as scope:
        scope.reuse_variables()
        assert tf.get_variable("w") is w
    with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
        first = tf.get_variable("z", [2], initializer=tf.zeros_initializer())
        assert tf.get_variable("z", [2]) is first
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(u).tolist() == [1.0]
        limit = np.sqrt(6.0 / 5.0)
        assert np.all(np.abs(sess.run(w)) <= limit)


def test_reuse_errors_match_tensorflow():
    with tf.variable_scope("s"):
        tf.get_variable("w", [2])
    with pytest.raises(ValueError, match=r"Variable s/w already exists, disallowed\. Did "
                                         r"you mean to set reuse=True"):
        with tf.variable_scope("s"):
            tf.get_variable("w", [2])
    with pytest.raises(ValueError, match=r"Variable s/q does not exist, or was not created "
                                         r"with tf.get_variable\(\)"):
        with tf.variable_scope("s", reuse=True):
            tf.get_variable("q", [2])
    with pytest.raises(ValueError, match=r"Trying to share variable s/w, but specified "
                                         r"shape \(3,\) and found shape \(2,\)"):
        with tf.variable_scope("s", reuse=True):
            tf.get_variable("w", [3])
    with pytest.raises(ValueError, match="must be fully defined"):
        tf.get_variable("no_shape")
    with pytest.raises(ValueError, match="do not specify shape"):
        tf.get_variable("c", [2], initializer=np.ones(2, np.float32))


def test_get_variable_initializers():
    c = tf.get_variable("c", initializer=np.arange(3, dtype=np.float32))
    k = tf.get_variable("k", [2, 2], initializer=tf.constant_initializer(7.0))
    i = tf.get_variable("i", [3], dtype=tf.int32)
    n = tf.get_variable("n", [200], initializer=tf.random_normal_initializer(0.0, 0.01))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(c).tolist() == [0.0, 1.0, 2.0]
        assert sess.run(k).tolist() == [[7.0, 7.0], [7.0, 7.0]]
        assert sess.run(i).tolist() == [0, 0, 0]
        assert abs(float(np.std(sess.run(n))) - 0.01) < 0.005
