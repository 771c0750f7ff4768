"""Convolutions whose patch matrix would be huge build it a few samples at a time."""

import numpy as np

import fluxion as tf
from fluxion.core.primitives import conv as conv_primitives


def test_chunked_patches_give_the_same_forward_and_gradients(monkeypatch):
    rng = np.random.default_rng(0)
    x = tf.constant(rng.random((5, 9, 9, 6)).astype("float32"))
    w = tf.Variable(rng.random((5, 5, 6, 3)).astype("float32"))

    def run():
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = tf.nn.conv2d(x, w, 1, "SAME")
            loss = tf.reduce_sum(y * y)
        return y.numpy(), tape.gradient(loss, w).numpy(), tape.gradient(loss, x).numpy()

    whole = run()
    monkeypatch.setattr(conv_primitives, "PATCH_BUDGET_BYTES", 9 * 9 * 25 * 6 * 4 * 2)
    assert conv_primitives._samples_per_chunk(x.numpy(), (9, 9), 25 * 6) == 2
    chunked = run()
    for a, b in zip(whole, chunked):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_training_steps_do_not_keep_huge_patch_matrices():
    import importlib

    conv_rewrites = importlib.import_module("fluxion.core.primitives.conv_rewrites")

    x = tf.Variable(np.zeros((1, 28, 28, 128), "float32"))
    w = tf.Variable(np.zeros((7, 7, 128, 1), "float32"))

    @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 128])])
    def step(inputs):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.nn.conv2d(inputs, w, 1, "SAME"))
        return tape.gradient(loss, w)

    step(x.numpy())
    assert "im2col" not in {node.prim.name for node in step.graph.nodes}
    per_sample = 28 * 28 * 49 * 128 * 4
    assert per_sample > conv_rewrites.SHARED_PATCH_BYTES_PER_SAMPLE
