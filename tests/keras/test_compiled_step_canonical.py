"""Equal computations are equal nodes: attributes are canonicalised at bind, so common
subexpression elimination merges what two callers wrote differently."""

import numpy as np

import fluxion as tf
from fluxion import keras


def test_a_compiled_training_step_computes_the_softmax_once():
    # The model's softmax output (axis 1 of 2-D logits) feeds the accuracy metric; the
    # loss's gradient computes softmax(logits, axis=-1): one node after canonicalisation.
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(32, 8)).astype("float32")
    y = np.random.default_rng(1).integers(0, 4, 32)
    history = model.fit(x, y, batch_size=32, epochs=2, verbose=0)
    names = [node.prim.name for node in model._train_function.graph.nodes]
    assert names.count("softmax") == 1
    assert np.isfinite(history.history["loss"]).all()


def test_negative_and_positive_axes_bind_the_same_attributes():
    @tf.function
    def both(x):
        return tf.nn.softmax(x, axis=-1), tf.nn.softmax(x, axis=1), tf.math.cumsum(x, -1), \
            tf.math.cumsum(x, 1)

    x = np.random.default_rng(2).normal(size=(3, 5)).astype("float32")
    a, b, c, d = both(x)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_allclose(c.numpy(), np.cumsum(x, 1), rtol=1e-6)
    names = [node.prim.name for node in both.graph.nodes]
    assert names.count("softmax") == 1 and names.count("cumsum") == 1
    eager = tf.nn.softmax(tf.constant(x), axis=-1).numpy()
    np.testing.assert_allclose(eager, np.exp(x) / np.exp(x).sum(1, keepdims=True), rtol=1e-6)
