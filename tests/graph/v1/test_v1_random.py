"""TF1 random ops are stateful kernels: fresh numbers on every Session.run, no initializer."""

import numpy as np

import fluxion as tf

v1 = tf.compat.v1


def test_random_ops_draw_anew_on_each_run_without_initialisation():
    graph = v1.Graph()
    with graph.as_default():
        normal = v1.random_normal([3])
        uniform = tf.random.uniform([3])
        with v1.Session() as sess:
            first, second = sess.run(normal), sess.run(normal)
            assert not np.array_equal(first, second)
            a, b = sess.run([uniform, normal])
            assert a.shape == (3,) and b.shape == (3,)
    from fluxion.core import context

    assert context.tracer is None


def test_a_traced_function_draws_anew_each_call_from_one_stateful_node():
    draw = tf.function(lambda: tf.random.normal([4]))
    assert not np.array_equal(draw().numpy(), draw().numpy())
    assert [n.prim.name for n in draw.graph.nodes].count("advance_random_state") == 1
