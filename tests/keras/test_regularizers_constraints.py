"""keras.regularizers and keras.constraints: values, configs as Keras 3, get/serialize."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import constraints, regularizers

W = (np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5)


def test_regularizer_values():
    np.testing.assert_allclose(float(regularizers.L1(0.1)(W)), 0.1 * np.abs(W).sum(), rtol=1e-6)
    np.testing.assert_allclose(float(regularizers.L2(0.1)(W)), 0.1 * (W ** 2).sum(), rtol=1e-6)
    np.testing.assert_allclose(float(regularizers.L1L2(0.1, 0.2)(W)),
                               0.1 * np.abs(W).sum() + 0.2 * (W ** 2).sum(), rtol=1e-6)
    assert float(regularizers.L1L2()(W)) == 0.0
    # Keras 3.15 gives 0.0046448484 for the rows mode on this matrix.
    np.testing.assert_allclose(float(regularizers.OrthogonalRegularizer()(W)), 0.0046448484,
                               rtol=1e-5)
    normal = W / np.linalg.norm(W, axis=0, keepdims=True)
    product = np.abs(normal.T @ normal) * (1 - np.eye(4))
    np.testing.assert_allclose(float(regularizers.OrthogonalRegularizer(mode="columns")(W)),
                               0.01 * 0.5 * product.sum() / 6, rtol=1e-5)


def test_regularizer_gradient_and_trace():
    v = tf.Variable(W)
    with tf.GradientTape() as tape:
        loss = regularizers.L1L2(0.1, 0.2)(v)
    np.testing.assert_allclose(tape.gradient(loss, v).numpy(), 0.1 * np.sign(W) + 0.4 * W,
                               rtol=1e-6)
    traced = tf.function(lambda x: regularizers.L2(0.5)(x))
    np.testing.assert_allclose(float(traced(tf.constant(W))), 0.5 * (W ** 2).sum(), rtol=1e-6)


def test_regularizer_configs_match_keras():
    s = regularizers.serialize
    assert s(regularizers.L1L2(0.1)) == {"module": "keras.regularizers", "class_name": "L1L2",
                                         "config": {"l1": 0.1, "l2": 0.0},
                                         "registered_name": None}
    assert regularizers.L1(0.1).get_config() == {"l1": 0.10000000149011612}
    assert regularizers.L2().get_config() == {"l2": 0.01}
    assert regularizers.OrthogonalRegularizer().get_config() == {
        "factor": 0.009999999776482582, "mode": "rows"}
    for reg in [regularizers.L1(0.3), regularizers.L2(0.2), regularizers.L1L2(0.1, 0.2),
                regularizers.OrthogonalRegularizer(0.5, "columns")]:
        clone = regularizers.deserialize(s(reg))
        assert type(clone) is type(reg) and clone.get_config() == reg.get_config()


def test_regularizer_get_and_errors():
    assert type(regularizers.get("l1")).__name__ == "L1"
    assert type(regularizers.get("l2")).__name__ == "L2"
    assert type(regularizers.get("l1_l2")).__name__ == "L1L2"
    assert type(regularizers.get("L1L2")).__name__ == "L1L2"
    assert type(regularizers.get("orthogonal_regularizer")).__name__ == "OrthogonalRegularizer"
    assert regularizers.get(None) is None
    reg = regularizers.L2()
    assert regularizers.get(reg) is reg
    with pytest.raises(ValueError, match="Could not interpret regularizer"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L1(-1.0)
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match="rank 2"):
        regularizers.OrthogonalRegularizer()(np.ones(3, np.float32))


def test_constraint_values():
    norms = np.linalg.norm(W, axis=0, keepdims=True)
    np.testing.assert_allclose(constraints.MaxNorm(2.0)(W).numpy(),
                               W * np.clip(norms, 0, 2) / (norms + 1e-7), rtol=1e-6)
    np.testing.assert_allclose(constraints.UnitNorm()(W).numpy(), W / (norms + 1e-7), rtol=1e-6)
    np.testing.assert_allclose(constraints.NonNeg()(W).numpy(), np.maximum(W, 0))
    desired = 0.5 * np.clip(norms, 1.0, 3.0) + 0.5 * norms
    np.testing.assert_allclose(constraints.MinMaxNorm(1.0, 3.0, rate=0.5)(W).numpy(),
                               W * desired / (norms + 1e-7), rtol=1e-6)
    rows = np.linalg.norm(W, axis=1, keepdims=True)
    np.testing.assert_allclose(constraints.UnitNorm(axis=1)(W).numpy(), W / (rows + 1e-7),
                               rtol=1e-6)
    v = tf.Variable(W)
    np.testing.assert_allclose(constraints.NonNeg()(v).numpy(), np.maximum(W, 0))


def test_constraint_configs_and_get():
    s = constraints.serialize
    assert s(constraints.MaxNorm()) == {"module": "keras.constraints", "class_name": "MaxNorm",
                                        "config": {"max_value": 2, "axis": 0},
                                        "registered_name": None}
    assert constraints.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0,
                                                     "rate": 1.0, "axis": 0}
    assert constraints.NonNeg().get_config() == {}
    assert constraints.UnitNorm().get_config() == {"axis": 0}
    for name, cls in [("max_norm", "MaxNorm"), ("min_max_norm", "MinMaxNorm"),
                      ("non_neg", "NonNeg"), ("unit_norm", "UnitNorm"), ("NonNeg", "NonNeg")]:
        assert type(constraints.get(name)).__name__ == cls
    for c in [constraints.MaxNorm(3, axis=1), constraints.MinMaxNorm(0.5, 2.0, 0.3, 1)]:
        clone = constraints.deserialize(s(c))
        assert clone.get_config() == c.get_config()
    assert constraints.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret constraint"):
        constraints.get("positive")
