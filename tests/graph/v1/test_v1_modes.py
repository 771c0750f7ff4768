"""Switching between eager execution and TF 1 graph mode."""

import pytest

import fluxion
import fluxion.compat.v1 as tf
from fluxion.core import context


@pytest.fixture(autouse=True)
def eager_again():
    yield
    tf.enable_eager_execution()
    tf.reset_default_graph()
    assert context.tracer is None


def test_placeholder_starts_graph_mode_and_reset_ends_it():
    assert tf.executing_eagerly()
    v = tf.Variable(2.0)  # created eagerly: needs no initializer
    tf.placeholder(tf.float32, [])
    assert not tf.executing_eagerly()
    graph = tf.get_default_graph()
    assert context.tracer is graph.builder
    read = v * 1.0
    assert read.graph is graph
    with tf.Session() as sess:
        assert sess.run(read) == 2.0
    tf.reset_default_graph()
    assert tf.executing_eagerly() and context.tracer is None
    assert tf.get_default_graph() is not graph
    assert float(v * 2.0) == 4.0  # eager again


def test_as_default_binds_into_a_graph_only_inside_the_block():
    g = tf.Graph()
    with g.as_default():
        assert tf.get_default_graph() is g and not tf.executing_eagerly()
        x = tf.placeholder(tf.float32, [2])
        y = x + 1
        w = tf.Variable(1.0)
        assert tf.global_variables() == [w]
    assert context.tracer is None and tf.executing_eagerly()
    assert tf.global_variables() == []  # the global default graph is another graph
    assert float(fluxion.constant(1.0) + 1.0) == 2.0
    with tf.Session(graph=g) as sess:
        sess.run(w.initializer)
        assert sess.run(y + w, {x: [1.0, 2.0]}).tolist() == [3.0, 4.0]
    assert context.tracer is None


def test_disable_eager_execution_survives_reset():
    tf.disable_eager_execution()
    assert not tf.executing_eagerly()
    v = tf.Variable(1.0)
    assert v.name == "Variable:0"
    tf.reset_default_graph()
    assert not tf.executing_eagerly()
    assert tf.Variable(1.0).name == "Variable:0"  # a fresh graph
    tf.enable_eager_execution()
    assert tf.executing_eagerly()


def test_reset_inside_a_graph_block_is_refused():
    with tf.Graph().as_default():
        with pytest.raises(AssertionError, match="nested graphs"):
            tf.reset_default_graph()


def test_placeholder_inside_function_is_refused():
    @fluxion.function
    def f(a):
        return a + tf.placeholder(tf.float32, [])

    with pytest.raises(RuntimeError, match="cannot be used inside fluxion.function"):
        f(fluxion.constant(1.0))


def test_gradient_tape_and_functions_still_work_in_graph_mode():
    x = tf.placeholder(tf.float32, [3])
    with fluxion.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x * x)
    dx = tape.gradient(y, x)
    twice = fluxion.function(lambda a: a * 2)
    with tf.Session() as sess:
        assert sess.run([dx, twice(x)], {x: [1.0, 2.0, 3.0]})[0].tolist() == [2.0, 4.0, 6.0]


def test_compat_namespace():
    # fluxion's functions, naming their graph ops as TF 1 does
    assert tf.matmul.__wrapped__ is fluxion.matmul and tf.float32 is fluxion.float32
    assert tf.errors is fluxion.errors
    assert fluxion.compat.v1 is tf if hasattr(fluxion, "compat") else True
    assert "placeholder" in dir(tf)
    with pytest.raises(AttributeError, match="no attribute 'not_a_tf_name'"):
        tf.not_a_tf_name  # noqa: B018
