"""Shapes built from ``tf.shape`` inside a trace keep the dimensions that are known."""

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras


def _traced_shapes(build, spec=(None, 4)):
    """The static shapes of ``build(x)``'s results when traced with ``x`` of ``spec``."""
    seen = {}

    @tf.function(input_signature=[tf.TensorSpec(spec)])
    def f(x):
        results = build(x)
        for key, value in results.items():
            seen[key] = tuple(value.shape)
        return x

    f.get_concrete_function()
    return seen


def test_gan_labels_from_the_batch_size_keep_their_known_sizes():
    def build(x):
        batch = tf.shape(x)[0]
        labels = tf.concat([tf.ones((batch, 1)), tf.zeros((batch, 1))], axis=0)
        noisy = labels + 0.05 * tf.random.uniform(tf.shape(labels))
        return {"labels": labels, "noisy": noisy}

    assert _traced_shapes(build) == {"labels": (None, 1), "noisy": (None, 1)}


@pytest.mark.parametrize("name, build, expected", [
    ("zeros_of_shape", lambda x: tf.zeros(tf.shape(x)), (None, 4)),
    ("zeros_of_tail", lambda x: tf.zeros(tf.shape(x)[1:]), (4,)),
    ("stacked", lambda x: tf.zeros(tf.stack([tf.shape(x)[0], 4])), (None, 4)),
    ("concatenated", lambda x: tf.zeros(tf.concat([tf.shape(x)[:1], [7]], 0)), (None, 7)),
    ("cast", lambda x: tf.ones(tf.cast(tf.shape(x), "int64")), (None, 4)),
    ("normal", lambda x: tf.random.normal(tf.shape(x)), (None, 4)),
    ("reshape_minus_one", lambda x: tf.reshape(x, (tf.shape(x)[0], -1)), (None, None)),
    ("keras_ops_ones", lambda x: keras.ops.ones((tf.shape(x)[0], 1)), (None, 1)),
    ("tile", lambda x: tf.tile(tf.ones((1, 3)), [tf.shape(x)[0], 1]), (None, 3)),
])
def test_shape_tensors_keep_known_dimensions_as_tensorflow_does(name, build, expected):
    assert _traced_shapes(lambda x: {name: build(x)})[name] == expected


def test_tile_with_run_time_multiples_matches_numpy_and_differentiates():
    x = np.arange(6, dtype="float32").reshape(2, 3)

    @tf.function(input_signature=[tf.TensorSpec((None, 3)), tf.TensorSpec((2, 3))])
    def tiled(batch_source, value):
        with tf.GradientTape() as tape:
            tape.watch(value)
            out = tf.tile(value, [tf.shape(batch_source)[0], 2])
            loss = tf.reduce_sum(out * out)
        return out, tape.gradient(loss, value)

    out, grad = tiled(np.zeros((3, 3), "float32"), x)
    np.testing.assert_array_equal(out.numpy(), np.tile(x, (3, 2)))
    np.testing.assert_allclose(grad.numpy(), 2 * x * 6)  # each element appears 3*2 times


def test_sigmoid_cross_entropy_accepts_compatible_traced_shapes():
    loss = keras.losses.BinaryCrossentropy(from_logits=True)
    f = tf.function(lambda a, b: loss(a, b),
                    input_signature=[tf.TensorSpec((None, None)), tf.TensorSpec((None, 1))])
    labels = np.array([[1.0], [0.0]], "float32")
    logits = np.array([[0.5], [-1.0]], "float32")
    expected = np.mean(np.log1p(np.exp(-logits)) + (1 - labels) * logits)
    np.testing.assert_allclose(float(f(labels, logits)), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=np.ones((2, 3), "float32"),
                                                logits=np.ones((2, 1), "float32"))
