"""The rewrites that pair forward and backward work: shared patch matrices, the relu
mask moved onto the pooled gradient, pooling that keeps its winners.  Each gives the
same numbers as the graph it rewrites, on the conv -> relu -> max-pool block of a
convnet's training step."""

import numpy as np
import pytest
from pass_helpers import Unchanged, prim_names, run_graph, trace_graph

import fluxion as tf
from fluxion.core.primitives import conv_rewrites, lstm, pool_rewrites
from fluxion.graph.passes import optimize
from fluxion.graph.passes.backward_rewrites import backward_rewrites
from fluxion.graph.passes.rewrite import Rewriter


# Each rewrite is declared by its family and takes the Rewriter class the pass hands in.
def share_patches(graph):
    return conv_rewrites.share_patches(graph, Rewriter)


def relu_grad_before_max_pool_grad(graph):
    return pool_rewrites.relu_grad_before_max_pool_grad(graph, Rewriter)


def max_pool_by_index(graph):
    return pool_rewrites.max_pool_by_index(graph, Rewriter)


def skip_unread_input_gradient(graph):
    return lstm.skip_unread_input_gradient(graph, Rewriter)


def _block_gradients(x, w, b, padding="VALID", pool_strides=2):
    """Gradients of a conv + bias + relu + max-pool block with respect to x, w and b."""
    with tf.GradientTape() as tape:
        tape.watch([x, w, b])
        y = tf.nn.relu(tf.nn.conv2d(x, w, 1, padding) + b)
        pooled = tf.nn.max_pool2d(y, 2, pool_strides, "VALID")
        loss = tf.reduce_sum(pooled * pooled)
    return tuple(tape.gradient(loss, [x, w, b]))


def _arrays(channels=3, size=9, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4, size, size, channels)).astype(np.float32)
    w = rng.normal(size=(3, 3, channels, 5)).astype(np.float32)
    b = rng.normal(size=5).astype(np.float32) * 0.5
    return x, w, b




def _specs(channels):
    return [((None, 9, 9, channels), "float32"), ((3, 3, channels, 5), "float32"),
            ((5,), "float32")]


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("pool_strides", [2, 1])
@pytest.mark.parametrize("channels", [1, 3])  # one channel: the tap-major patch matrix
def test_rewritten_block_gives_the_same_gradients(padding, pool_strides, channels):
    graph = trace_graph(lambda x, w, b: _block_gradients(x, w, b, padding, pool_strides),
                        *_specs(channels))
    before = Unchanged(graph)
    rewritten = backward_rewrites(graph)
    before.check()
    names = prim_names(rewritten)
    assert "im2col" in names and "conv_patches" in names and "filter_grad_patches" in names
    assert "conv" not in names and "conv_filter_grad" not in names
    arrays = _arrays(channels)
    for got, want in zip(run_graph(rewritten, *arrays), run_graph(graph, *arrays)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_relu_mask_moves_to_the_pooled_gradient_and_the_pool_keeps_its_winners():
    graph = trace_graph(_block_gradients, *_specs(3))
    optimized = optimize(graph)
    names = prim_names(optimized)
    # one pooling (the forward's, keeping its winners), routing by those winners
    assert names.count("max_pool_with_index") == 1 and "max_pool" not in names
    assert "max_pool_grad" not in names and names.count("max_pool_grad_from_index") == 1
    relu_grad_node = next(n for n in optimized.nodes if n.prim.name == "relu_grad")
    route = next(n for n in optimized.nodes if n.prim.name == "max_pool_grad_from_index")
    pool = next(n for n in optimized.nodes if n.prim.name == "max_pool_with_index")
    assert route.inputs[1] is relu_grad_node.outputs[0]  # mask first, then route
    assert route.inputs[0] is pool.outputs[1]
    # the mask is the pooled output, rectified by the pooling itself (relu after pool)
    assert relu_grad_node.inputs[1] is pool.outputs[0]
    assert pool.attrs["activation"] == "relu" and "relu" not in names
    assert pool.inputs[0].producer.prim.name != "relu"  # the pooling reads z, not relu(z)
    assert pool.outputs[0].aval.shape[1:] == (3, 3, 5)
    assert relu_grad_node.outputs[0].aval.shape[1:] == (3, 3, 5)  # the pooled size
    arrays = _arrays(seed=3)
    eager = [t.numpy() for t in _block_gradients(*(tf.constant(a) for a in arrays))]
    for got, want in zip(run_graph(optimized, *arrays), eager):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_overlapping_pools_keep_the_tournament():
    graph = trace_graph(lambda x, w, b: _block_gradients(x, w, b, pool_strides=1), *_specs(3))
    names = prim_names(optimize(graph))
    assert "max_pool_with_index" not in names and "max_pool_grad" in names


@pytest.mark.parametrize("window", [(2, 2), (3, 3), (1, 1), (2, 3)])
def test_pooling_by_index_matches_the_tournament(window):
    def fn(x, g):
        with tf.GradientTape() as tape:
            tape.watch(x)
            pooled = tf.nn.max_pool2d(x, window, window, "VALID")
        return pooled, tape.gradient(pooled, x, output_gradients=g)

    rng = np.random.default_rng(7)
    x = rng.integers(-2, 3, size=(3, 7, 8, 2)).astype(np.float32)  # many ties
    pooled_shape = (3, 7 // window[0], 8 // window[1], 2)
    g = rng.normal(size=pooled_shape).astype(np.float32)
    graph = trace_graph(fn, ((None, 7, 8, 2), "float32"), ((None,) + pooled_shape[1:], "float32"))
    rewritten = max_pool_by_index(graph)
    assert "max_pool_with_index" in prim_names(rewritten)
    for got, want in zip(run_graph(rewritten, x, g), run_graph(graph, x, g)):
        np.testing.assert_array_equal(got, want)


def test_ties_after_relu_still_route_to_the_first_maximum():
    # Windows of zeros (the relu cut everything) tie everywhere: TF routes to the first
    # cell, and the mask there is zero either way.
    graph = trace_graph(_block_gradients, *_specs(3))
    x, w, b = _arrays(seed=5)
    b = np.full(5, -100.0, np.float32)  # every pre-activation negative
    for got, want in zip(run_graph(optimize(graph), x, w, b), run_graph(graph, x, w, b)):
        np.testing.assert_array_equal(got, want)


def test_graphs_without_the_pairs_are_left_alone():
    def forward_only(x, w, b):
        return tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(x, w, 1, "VALID") + b), 2, 2, "VALID")

    graph = trace_graph(forward_only, *_specs(3))
    assert share_patches(graph) is graph
    assert relu_grad_before_max_pool_grad(graph) is graph
    assert max_pool_by_index(graph) is graph

    def grouped(x, w):  # depthwise convolutions keep their own kernels
        with tf.GradientTape() as tape:
            tape.watch([x, w])
            loss = tf.reduce_sum(tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID"))
        return tuple(tape.gradient(loss, [x, w]))

    graph = trace_graph(grouped, ((2, 5, 5, 3), "float32"), ((3, 3, 3, 1), "float32"))
    assert share_patches(graph) is graph


def test_relu_stays_before_the_pool_when_its_output_is_read_elsewhere():
    def fn(x, w, b):
        with tf.GradientTape() as tape:
            tape.watch([x, w, b])
            y = tf.nn.relu(tf.nn.conv2d(x, w, 1, "VALID") + b)
            loss = tf.reduce_sum(tf.nn.max_pool2d(y, 2, 2, "VALID") ** 2)
        return tape.gradient(loss, [x, w, b]) + [y]

    graph = trace_graph(fn, *_specs(3))
    optimized = optimize(graph)
    relu = next(n for n in optimized.nodes if n.prim.name == "relu")
    assert relu.outputs[0].aval.shape[1:] == (7, 7, 5)  # still the full-size relu
    arrays = _arrays(seed=2)
    for got, want in zip(run_graph(optimized, *arrays), run_graph(graph, *arrays)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_a_relu_mask_used_elsewhere_is_not_moved():
    def fn(r, g):
        with tf.GradientTape() as tape:
            tape.watch(r)
            pooled = tf.nn.max_pool2d(r, 2, 2, "VALID")
        routed = tape.gradient(pooled, r, output_gradients=g)
        return tf.nn.relu(r) * 0 + routed, routed  # routed used twice

    graph = trace_graph(fn, ((2, 4, 4, 1), "float32"), ((2, 2, 2, 1), "float32"))
    assert relu_grad_before_max_pool_grad(graph) is graph


# --- the LSTM's backward skips the inputs' gradient nobody reads -------------------------------
def _lstm_gradients(with_input_gradient):
    from fluxion.core.primitives.lstm import lstm_sequence

    def step(x, kernel, recurrent_kernel, bias):
        h0 = tf.zeros([tf.shape(x)[0], 3])
        with tf.GradientTape() as tape:
            tape.watch([x, kernel, recurrent_kernel, bias])
            hs = lstm_sequence(x, h0, h0, kernel, recurrent_kernel, bias)[0]
            loss = tf.reduce_sum(hs[-1] ** 2)
        sources = [kernel, recurrent_kernel, bias] + ([x] if with_input_gradient else [])
        return tuple(tape.gradient(loss, sources))

    specs = [((None, 4, 2), "float32"), ((2, 12), "float32"), ((3, 12), "float32"),
             ((12,), "float32")]
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(5, 4, 2)), rng.normal(size=(2, 12)) * 0.5,
              rng.normal(size=(3, 12)) * 0.5, rng.normal(size=12) * 0.5]
    return trace_graph(step, *specs), [a.astype(np.float32) for a in arrays]


@pytest.mark.parametrize("with_input_gradient", [False, True])
def test_lstm_input_gradient_computed_only_when_read(with_input_gradient):
    graph, arrays = _lstm_gradients(with_input_gradient)
    before = Unchanged(graph)
    rewritten = skip_unread_input_gradient(graph)
    before.check()
    (node,) = [n for n in rewritten.nodes if n.prim.name == "lstm_sequence_grad"]
    assert node.attrs["input_gradient"] is with_input_gradient
    assert (rewritten is graph) is with_input_gradient
    for got, want in zip(run_graph(rewritten, *arrays), run_graph(graph, *arrays)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
