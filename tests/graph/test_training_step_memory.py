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
