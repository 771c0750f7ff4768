"""enable_op_determinism: a seeded pipeline with stateful random ops in a parallel map
gives the same elements on every run."""

import numpy as np

import fluxion as tf


def run_pipeline():
    tf.random.set_seed(7)
    dataset = tf.data.Dataset.range(64).map(
        lambda x: tf.cast(x, tf.float32) + tf.random.uniform([]), num_parallel_calls=4,
        deterministic=False)
    return np.array([float(v) for v in dataset])


def test_parallel_maps_with_random_ops_are_reproducible_under_op_determinism():
    tf.config.experimental.enable_op_determinism()
    try:
        assert tf.config.experimental.is_op_determinism_enabled()
        first, second = run_pipeline(), run_pipeline()
        np.testing.assert_array_equal(first, second)
        assert np.all(np.floor(first) == np.arange(64))  # in input order too
    finally:
        tf.config.experimental.disable_op_determinism()
    assert not tf.config.experimental.is_op_determinism_enabled()
