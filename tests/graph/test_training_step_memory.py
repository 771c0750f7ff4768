"""What a compiled training step keeps alive between its forward and backward passes."""

import tracemalloc

import numpy as np

import fluxion as tf
from fluxion.ops.dropout_ops import stateless_dropout


def _dropout_chain_gradient(depth):
    @tf.function
    def gradient(x, seed):  # a seed argument: the masks are not folded into constants
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x
            for layer in range(depth):
                y = stateless_dropout(y, 0.5, seed=seed + layer)
            loss = tf.reduce_sum(y)
        return y, tape.gradient(loss, x)

    return gradient


def _peak_bytes(fn, *args):
    fn(*args)  # trace and specialise first: codegen's own allocations are not measured
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = fn(*args)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return peak, result


def test_dropout_gradient_keeps_a_bool_mask_not_a_float_one():
    x = tf.constant(np.random.default_rng(0).normal(size=(500, 1000)).astype(np.float32))
    depth = 8
    peak, (y, grad) = _peak_bytes(_dropout_chain_gradient(depth), x, tf.constant([1, 7]))
    # The backward pass reads each layer's keep mask: 8 bool masks (0.5 MB each) plus a
    # few float arrays in flight; float32 masks alone would be 8 x 2 MB = 16 MB.
    assert peak < 4 * x.numpy().nbytes + depth * x.numpy().size, peak / 2**20
    # Values: each survivor is scaled by 2 per layer; the gradient is 2**depth on the
    # survivors of all layers and 0 elsewhere, exactly where y is nonzero.
    kept = y.numpy() != 0
    np.testing.assert_array_equal(y.numpy()[kept], x.numpy()[kept] * 2.0 ** depth)
    np.testing.assert_array_equal(grad.numpy(), np.where(kept, 2.0 ** depth, 0.0))


def test_dropout_values_are_the_scaled_input_where_the_draw_passes():
    x = tf.constant(np.random.default_rng(1).normal(size=(64, 32)).astype(np.float32))
    seed = [3, 4]
    draws = tf.random.stateless_uniform([64, 32], seed, dtype=tf.float32).numpy()
    y = stateless_dropout(x, 0.25, seed=seed).numpy()
    expected = np.where(draws >= 0.25, x.numpy() * np.float32(1 / 0.75), 0.0)
    np.testing.assert_array_equal(y, expected)
    rows = stateless_dropout(x, 0.25, seed=seed, noise_shape=[64, 1])
    row_draws = tf.random.stateless_uniform([64, 1], seed, dtype=tf.float32).numpy()
    np.testing.assert_array_equal(
        rows.numpy(), np.where(row_draws >= 0.25, x.numpy() * np.float32(1 / 0.75), 0.0))


def test_a_value_read_only_for_its_shape_is_freed_after_its_last_real_reader():
    from fluxion.core.primitives.broadcast import broadcast_like, sum_to_like
    from fluxion.graph.executor import CompiledGraph
    from tests.graph.test_memory_plan_and_executor import trace

    def chain(x, scale, row):  # 8 fresh 4 MB arrays; each is read again only for its shape
        values = []
        for _ in range(8):  # not elementwise: the in-place plan cannot reuse the buffers
            x = tf.roll(x, 1, axis=0)
            values.append(x)
        shaped = [sum_to_like(broadcast_like(scale, v), row) for v in values]
        return tuple(shaped) + (x,)

    graph = trace(chain, ((1000, 1000), "float32"), ((), "float32"), ((1, 1000), "float32"))
    compiled = CompiledGraph(graph)
    x = np.random.default_rng(0).normal(size=(1000, 1000)).astype(np.float32)
    scale, row = np.float32(0.5), np.zeros((1, 1000), np.float32)
    peak, results = _peak_bytes(compiled, x, scale, row)
    assert peak < 4 * x.nbytes, peak / 2**20  # was all 8 kept until the shape reads
    np.testing.assert_array_equal(results[-1], np.roll(x, 8, axis=0))
    for summed in results[:-1]:  # the broadcast scale summed over the 1000 rows into 1
        np.testing.assert_allclose(summed, np.full((1, 1000), 500.0, np.float32))
    assert "shape_of" in compiled.python_source()


def test_a_specialisation_computes_shapes_built_from_the_batch_size():
    from fluxion.graph.executor import CompiledGraph, propagate_shapes
    from tests.graph.test_memory_plan_and_executor import trace

    def step(x):  # the batch size read at run time, as keras-io's Patches layer does
        batch = tf.shape(x)[0]
        patches = tf.reshape(x, tf.stack([batch, 2, 4]))
        noise = tf.random.stateless_uniform(tf.shape(patches), [1, 2])
        return patches * noise

    graph = trace(step, ((None, 8), "float32"))
    assert None in graph.outputs[0].aval.shape  # the trace cannot know the batch size
    avals = propagate_shapes(graph, ((5, 8),))
    unknown = [n.prim.name for n in graph.nodes for v in n.outputs if None in avals[v.id].shape]
    assert not unknown  # so the memory plan and the executor see every shape
    x = np.random.default_rng(0).normal(size=(5, 8)).astype(np.float32)
    (out,) = CompiledGraph(graph)(x)
    noise = tf.random.stateless_uniform([5, 2, 4], [1, 2]).numpy()
    np.testing.assert_array_equal(out, x.reshape(5, 2, 4) * noise)
