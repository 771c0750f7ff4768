"""tf.compat.v1.losses against values computed by real TensorFlow (fixtures/v1_losses.json),
and the losses collection."""

import json
import os

import numpy as np
from v1_loss_cases import evaluate

import fluxion.compat.v1 as tf

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "v1_losses.json")


def test_every_loss_matches_tensorflow():
    with open(FIXTURE) as handle:
        expected = json.load(handle)
    got = evaluate(tf.losses)
    assert set(got) == set(expected)
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-5, atol=1e-6,
                                   err_msg=name)


def test_reduction_by_nonzero_weights_by_hand():
    losses = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    weights = np.array([[1.0, 0.0], [2.0, 0.0]], np.float32)
    value = tf.losses.compute_weighted_loss(losses, weights)
    assert float(value) == (1.0 + 6.0) / 2
    zero = tf.losses.compute_weighted_loss(losses, 0.0)
    assert float(zero) == 0.0  # no non-zero weight: 0, not NaN


def test_graph_losses_land_in_the_collection_and_total():
    tf.reset_default_graph()
    tf.disable_eager_execution()
    try:
        x = tf.placeholder(tf.float32, [None, 2])
        w = tf.Variable(np.ones((2, 1), np.float32))
        first = tf.losses.mean_squared_error(np.zeros((3, 1), np.float32), tf.matmul(x, w))
        second = tf.losses.absolute_difference(np.ones((3, 1), np.float32), tf.matmul(x, w))
        assert tf.losses.get_losses() == [first, second]
        total = tf.losses.get_total_loss()
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            feed = {x: np.array([[1, 2], [0, 1], [2, 2]], np.float32)}
            a, b, t = session.run([first, second, total], feed)
        assert np.isclose(a, np.mean([9, 1, 16])) and np.isclose(b, np.mean([2, 0, 3]))
        assert np.isclose(t, a + b)
    finally:
        tf.enable_eager_execution()
        tf.reset_default_graph()
