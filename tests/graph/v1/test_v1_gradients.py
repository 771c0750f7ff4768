"""tf.gradients over a v1 graph: values, variables, structure, higher order."""

import numpy as np
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


def _eager_gradients(fn, arrays):
    tensors = [fluxion.constant(a) for a in arrays]
    with fluxion.GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        out = fn(*tensors)
    # None for the labels: TF 1's softmax_cross_entropy_with_logits stops their gradient
    return [None if g is None else g.numpy() for g in tape.gradient(out, tensors)]


def _net(x, w, b, labels):
    logits = tf.matmul(x, w) + b  # b broadcasts: its gradient is summed over the batch
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return tf.reduce_mean(loss) + 0.1 * tf.reduce_sum(tf.square(w))


def test_gradients_match_the_eager_tape():
    rng = np.random.default_rng(1)
    xv = rng.normal(size=(5, 4)).astype(np.float32)
    wv = rng.normal(size=(4, 3)).astype(np.float32)
    bv = rng.normal(size=(3,)).astype(np.float32)
    lv = np.eye(3, dtype=np.float32)[[0, 1, 2, 1, 0]]
    expected = _eager_gradients(_net, [xv, wv, bv, lv])[:3]
    x = tf.placeholder(tf.float32, [None, 4])
    w = tf.Variable(wv)
    b = tf.Variable(bv)
    labels = tf.placeholder(tf.float32, [None, 3])
    grads = tf.gradients(_net(x, w, b, labels), [x, w, b])
    assert grads[0].shape.as_list() == [None, 4]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(grads, {x: xv, labels: lv})
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def test_unconnected_grad_ys_and_stop_gradients():
    x = tf.placeholder(tf.float32, [3])
    u = tf.placeholder(tf.float32, [])
    y = x * x
    assert tf.gradients(y, u) == [None]
    zero, = tf.gradients(y, u, unconnected_gradients="zero")
    half = tf.stop_gradient(x * 2)
    through, = tf.gradients(tf.reduce_sum(half * x), x)
    stopped, = tf.gradients(tf.reduce_sum(y * x), x, stop_gradients=[y])
    weighted, = tf.gradients(y, x, grad_ys=np.array([1.0, 0.0, 2.0], np.float32))
    with tf.Session() as sess:
        out = sess.run([zero, through, stopped, weighted], {x: [1.0, 2.0, 3.0], u: 0.0})
    assert out[0] == 0.0
    assert out[1].tolist() == [2.0, 4.0, 6.0]  # only the unstopped factor
    assert out[2].tolist() == [1.0, 4.0, 9.0]  # y treated as a constant
    assert out[3].tolist() == [2.0, 0.0, 12.0]


def test_second_order_and_intermediate_sources():
    x = tf.placeholder(tf.float32, [2])
    h = x * x
    y = tf.reduce_sum(h * x)  # x^3
    dx, = tf.gradients(y, x)
    ddx, = tf.gradients(dx, x)
    dh, = tf.gradients(y, h)
    with tf.Session() as sess:
        out = sess.run([dx, ddx, dh], {x: [1.0, 2.0]})
    assert out[0].tolist() == [3.0, 12.0]
    assert out[1].tolist() == [6.0, 12.0]
    assert out[2].tolist() == [1.0, 2.0]


def test_multiple_output_primitives_and_variable_reads_sum():
    tf.disable_eager_execution()
    v = tf.Variable([1.0, 2.0, 3.0, 4.0])
    a, b = tf.split(v, 2)
    y = tf.reduce_sum(a * 3.0) + tf.reduce_sum(v)
    g, = tf.gradients(y, v)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(g).tolist() == [4.0, 4.0, 1.0, 1.0]


def test_gradients_land_in_the_graph_and_errors():
    x = tf.placeholder(tf.float32, [2])
    before = len(tf.get_default_graph().ir_graph.nodes)
    tf.gradients(tf.reduce_sum(tf.exp(x)), x)
    assert len(tf.get_default_graph().ir_graph.nodes) > before
    with pytest.raises(ValueError, match="grad_ys"):
        tf.gradients([x], [x], grad_ys=[1.0, 2.0])
    with pytest.raises(TypeError, match="tensors or variables"):
        tf.gradients(x, ["x"])


def test_gradients_in_eager_mode_points_to_the_tape():
    x = fluxion.constant([1.0, 2.0])
    with pytest.raises(RuntimeError, match="GradientTape"):
        tf.gradients(x * x, x)
