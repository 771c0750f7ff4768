"""FTRL, proximal and dual-averaging optimizers: three steps against real TF 1.

The fixture ``fixtures/v1_optimizers.json`` is written by ``make_v1_optimizers.py``
under TensorFlow 2.21 (``tf.compat.v1``).
"""

import json
import os

import numpy as np
import pytest

import fluxion.compat.v1 as tf

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "v1_optimizers.json")
with open(FIXTURE) as _handle:
    REFERENCE = json.load(_handle)


@pytest.mark.parametrize("key", sorted(REFERENCE["cases"]))
def test_three_steps_match_tensorflow(key):
    kwargs = REFERENCE["cases"][key]
    with tf.Graph().as_default():
        w = tf.Variable(np.float32(REFERENCE["start"]))
        x, y = np.float32(REFERENCE["x"]), np.float32(REFERENCE["y"])
        loss = tf.reduce_sum(tf.square(w * x - y))
        step = tf.train.get_or_create_global_step()
        cls = getattr(tf.train, key.split("/")[0])
        if cls is tf.train.AdagradDAOptimizer:
            opt = cls(global_step=step, **kwargs)
        else:
            opt = cls(**kwargs)
        train = opt.minimize(loss, global_step=step)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for expected in REFERENCE["steps"][key]:
                sess.run(train)
                np.testing.assert_allclose(sess.run(w), expected, rtol=2e-5, atol=1e-6)


def test_l1_makes_exact_zeros():
    with tf.Graph().as_default():
        w = tf.Variable([0.01, 3.0])
        opt = tf.train.ProximalGradientDescentOptimizer(0.1, l1_regularization_strength=1.0)
        train = opt.minimize(tf.reduce_sum(w * 0.0))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            np.testing.assert_allclose(sess.run(w), [0.0, 2.9], rtol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="learning_rate_power"):
        tf.train.FtrlOptimizer(0.1, learning_rate_power=0.5)
    with pytest.raises(ValueError, match="positive"):
        tf.train.ProximalAdagradOptimizer(0.1, initial_accumulator_value=0.0)
