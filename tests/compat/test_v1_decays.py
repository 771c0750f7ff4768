"""TF 1 learning-rate schedules added for compat.v1.train, against real TF values
(``fixtures/v1_decays.json``, from ``make_v1_decays.py``)."""

import json
import os

import numpy as np
import pytest

import fluxion.compat.v1 as tf

with open(os.path.join(os.path.dirname(__file__), "fixtures", "v1_decays.json")) as _f:
    REFERENCE = json.load(_f)


@pytest.mark.parametrize("key", sorted(REFERENCE["cases"]))
def test_schedule_matches_tensorflow(key):
    kwargs = REFERENCE["cases"][key]
    fn = getattr(tf.train, key.split("/")[0])
    with tf.Graph().as_default():
        step = tf.placeholder(tf.int64, [])
        rate = fn(step, **kwargs) if key.startswith("piecewise") else \
            fn(global_step=step, **kwargs)
        with tf.Session() as sess:
            got = [float(sess.run(rate, {step: s})) for s in REFERENCE["steps"]]
    np.testing.assert_allclose(got, REFERENCE["rates"][key], rtol=1e-5, atol=1e-7)


def test_noisy_linear_cosine_decay_is_linear_cosine_plus_noise():
    with tf.Graph().as_default():
        step = tf.placeholder(tf.int64, [])
        noisy = tf.train.noisy_linear_cosine_decay(1.0, step, 100, initial_variance=0.01)
        plain = tf.train.linear_cosine_decay(1.0, step, 100)
        with tf.Session() as sess:
            draws = np.array([sess.run([noisy, plain], {step: 40}) for _ in range(200)])
    difference = draws[:, 0] - draws[:, 1]
    cosine = 0.5 * (1 + np.cos(np.pi * 40 / 100))
    expected_std = cosine * np.sqrt(0.01 / 41 ** 0.55)
    assert abs(difference.mean()) < 3 * expected_std / np.sqrt(200) + 1e-6
    assert 0.7 * expected_std < difference.std() < 1.3 * expected_std


def test_eager_schedules_are_functions():
    rate = tf.train.cosine_decay_restarts(0.5, 3, 10)
    assert callable(rate) and 0.0 < float(rate()) < 0.5
    with pytest.raises(ValueError):
        tf.train.linear_cosine_decay(0.1, None, 10)
