"""``keras.mixed_precision``: policies and dynamic loss scaling, as Keras 3 does them.

The scale sequence of ``LossScaleOptimizer`` (finite / non-finite steps, growth) and the
weights after each step were printed by real Keras 3.15 for the same inputs.
"""

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras

mixed_precision = keras.mixed_precision

KERAS_NAMES = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy",
               "set_dtype_policy", "set_global_policy"]


@pytest.fixture
def mixed_float16():
    mixed_precision.set_global_policy("mixed_float16")
    try:
        yield
    finally:
        mixed_precision.set_global_policy("float32")


def test_names_as_keras():
    assert not [n for n in KERAS_NAMES if not hasattr(mixed_precision, n)]
    assert mixed_precision.Policy is mixed_precision.DTypePolicy
    assert mixed_precision.global_policy().name == "float32"


def test_global_policy_is_keras_config_policy(mixed_float16):
    assert mixed_precision.global_policy().name == "mixed_float16"
    assert keras.config.dtype_policy().name == "mixed_float16"
    layer = keras.layers.Dense(2)
    assert (layer.compute_dtype, layer.variable_dtype) == ("float16", "float32")


def _scale(optimizer) -> float:
    return float(np.asarray(optimizer.scale_loss(1.0)))


def test_dynamic_scaling_steps_as_keras():
    optimizer = mixed_precision.LossScaleOptimizer(keras.optimizers.SGD(0.1),
                                                   initial_scale=4.0, dynamic_growth_steps=2)
    variable = keras.Variable(np.ones(2, "float32"))
    gradients = [np.ones(2), np.array([np.inf, 1.0]), np.ones(2), np.ones(2)]
    expected = [(0.9, 4.0, 1), (0.9, 2.0, 1), (0.8, 2.0, 2), (0.7, 4.0, 3)]
    for gradient, (value, scale, iterations) in zip(gradients, expected):
        scaled = tf.constant((gradient * _scale(optimizer)).astype("float32"))
        optimizer.apply([scaled], [variable])
        np.testing.assert_allclose(variable.numpy(), [value, value], rtol=1e-6)
        assert _scale(optimizer) == scale
        assert int(optimizer.iterations.numpy()) == iterations


def test_compile_wraps_optimizer_under_mixed_float16(mixed_float16):
    rng = np.random.default_rng(0)
    x = rng.random((64, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, dtype="float32")])
    model.compile(keras.optimizers.Adam(0.01), "mse")
    assert isinstance(model.optimizer, mixed_precision.LossScaleOptimizer)
    assert isinstance(model.optimizer.inner_optimizer, keras.optimizers.Adam)
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] and np.isfinite(losses).all()
    # Each overflowing float16 step is skipped and halves the scale (no growth within
    # 2000 steps): applied steps + halvings = the 20 batches.
    applied = int(model.optimizer.iterations.numpy())
    halvings = round(np.log2(2.0 ** 15 / _scale(model.optimizer)))
    assert applied + halvings == 20 and applied >= 15


def test_overflowing_steps_are_skipped_inside_fit(mixed_float16):
    rng = np.random.default_rng(1)
    x = rng.random((32, 3)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4),
                              keras.layers.Dense(1, dtype="float32")])
    optimizer = mixed_precision.LossScaleOptimizer(keras.optimizers.SGD(0.01),
                                                   initial_scale=1e30)
    model.compile(optimizer, "mse")
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, x[:, :1], epochs=1, batch_size=8, verbose=0)  # float16 gradients overflow
    assert _scale(optimizer) == pytest.approx(1e30 / 16)  # halved at each of the 4 steps
    assert int(optimizer.iterations.numpy()) == 0  # no update applied
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_not_wrapped_without_mixed_float16():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    assert not isinstance(model.optimizer, mixed_precision.LossScaleOptimizer)


def test_config_round_trip():
    optimizer = mixed_precision.LossScaleOptimizer(keras.optimizers.Adam(0.003),
                                                   initial_scale=128.0, dynamic_growth_steps=7)
    config = keras.optimizers.serialize(optimizer)
    assert config["config"]["initial_scale"] == 128.0
    restored = keras.optimizers.deserialize(config)
    assert isinstance(restored, mixed_precision.LossScaleOptimizer)
    assert isinstance(restored.inner_optimizer, keras.optimizers.Adam)
    assert restored.dynamic_growth_steps == 7 and _scale(restored) == 128.0
    assert float(np.asarray(restored.learning_rate)) == pytest.approx(0.003)
