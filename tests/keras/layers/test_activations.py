"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import layers
from fluxion.keras.testing.layer_check import run_layer_test

rng = np.random.default_rng(1)
X = (rng.standard_normal((2, 3, 4)) * 2).astype("float32")
# Keep finite-difference probes away from the kinks.
X[np.abs(X) < 0.1] = 0.5
X[np.abs(X - 0.5) < 0.05] = 0.7


def relu_reference(x, max_value=None, negative_slope=0.0, threshold=0.0):
    out = np.where(x > threshold, x, negative_slope * (x - threshold))
    return out if max_value is None else np.minimum(out, max_value)


@pytest.mark.parametrize("kwargs", [
    {}, {"max_value": 1.0}, {"negative_slope": 0.2}, {"threshold": 0.5},
    {"max_value": 2.0, "negative_slope": 0.1, "threshold": 0.5}, {"max_value": 6.0},
])
def test_relu(kwargs):
    run_layer_test(layers.ReLU, kwargs, input_data=X, expected_output=relu_reference(X, **kwargs),
                   check_gradients="max_value" not in kwargs)


def test_relu_errors_and_config():
    assert layers.ReLU().get_config()["negative_slope"] == 0.0
    with pytest.raises(ValueError, match="max_value of a ReLU layer cannot be a negative"):
        layers.ReLU(max_value=-1.0)
    with pytest.raises(ValueError, match="negative_slope of a ReLU layer"):
        layers.ReLU(negative_slope=-0.1)
    with pytest.raises(ValueError, match="threshold of a ReLU layer"):
        layers.ReLU(threshold=None)


def test_leaky_relu():
    run_layer_test(layers.LeakyReLU, {}, input_data=X, expected_output=np.where(X > 0, X, 0.3 * X))
    assert layers.LeakyReLU().get_config()["negative_slope"] == 0.3
    with pytest.warns(UserWarning, match="alpha"):
        assert layers.LeakyReLU(alpha=0.1).negative_slope == 0.1
    with pytest.raises(ValueError, match="cannot be None or negative value"):
        layers.LeakyReLU(negative_slope=-1)


def test_elu():
    run_layer_test(layers.ELU, {"alpha": 0.5}, input_data=X,
                   expected_output=np.where(X > 0, X, 0.5 * np.expm1(X)), rtol=1e-5, atol=1e-6)
    run_layer_test(layers.ELU, {}, input_data=X, expected_output=np.where(X > 0, X, np.expm1(X)))


def test_prelu():
    layer = run_layer_test(layers.PReLU, {"alpha_initializer": "ones"}, input_data=X,
                           expected_output=X, expected_num_trainable_weights=1)
    assert layer.weights[0].name == "alpha" and tuple(layer.weights[0].shape) == (3, 4)
    shared = run_layer_test(layers.PReLU, {"shared_axes": [1, 2]}, input_data=X,
                            expected_output=np.maximum(X, 0))
    assert tuple(shared.alpha.shape) == (1, 1)
    alpha = rng.standard_normal((1, 4)).astype("float32")
    layer = layers.PReLU(shared_axes=1)
    layer(X)
    layer.set_weights([alpha])
    np.testing.assert_allclose(layer(X).numpy(), np.where(X > 0, X, alpha * X), rtol=1e-6)
    assert layer.get_config()["shared_axes"] == [1]
    with pytest.raises(ValueError, match="expected axis 2 of input shape to have value 4"):
        layer(np.ones((2, 5, 3), "float32"))
    with pytest.raises(ValueError, match="shared_axes must be between 1 and 2"):
        layers.PReLU(shared_axes=[3])(np.ones((2, 3, 4), "float32"))


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("axis, np_axis", [(-1, -1), (1, 1), ((1, 2), (1, 2)), ([2], 2)])
def test_softmax(axis, np_axis):
    run_layer_test(layers.Softmax, {"axis": axis}, input_data=X,
                   expected_output=_softmax(X, np_axis), rtol=1e-5, atol=1e-6)


def test_softmax_mask():
    x = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]], "float32")
    mask = np.array([[True, False, True], [False, False, False]])
    out = layers.Softmax()(x, mask=mask).numpy()
    e = np.exp([1.0, 3.0])
    np.testing.assert_allclose(out[0], [e[0] / e.sum(), 0.0, e[1] / e.sum()], rtol=1e-6)
    np.testing.assert_array_equal(out[1], [0.0, 0.0, 0.0])  # fully masked: zeros
    # Float masks keep values > 0.5; a broadcastable mask (batch, 1, steps) works.
    scores = rng.standard_normal((2, 2, 3)).astype("float32")
    out = layers.Softmax()(scores, mask=np.array([[[1.0, 0.0, 1.0]], [[1.0, 1.0, 0.2]]],
                                                 "float32")).numpy()
    assert (out[0, :, 1] == 0).all() and (out[1, :, 2] == 0).all()
    np.testing.assert_allclose(out.sum(-1), np.ones((2, 2)), rtol=1e-6)


def test_softmax_mask_errors():
    with pytest.raises(ValueError, match="must not have more dimensions"):
        layers.Softmax()(np.ones((2, 3), "float32"), mask=np.ones((1, 2, 3), bool))
    with pytest.raises(ValueError, match="Each mask dimension must be 1 or match"):
        layers.Softmax()(np.ones((2, 3), "float32"), mask=np.ones((2, 2), bool))


def test_softmax_gradient_through_mask():
    x = tf.constant(X[0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layers.Softmax()(x, mask=np.array([True, True, False, True]))
        loss = tf.reduce_sum(y * tf.constant(rng.standard_normal((3, 4)).astype("float32")))
    grad = tape.gradient(loss, x).numpy()
    assert np.all(grad[:, 2] == 0) and np.all(np.isfinite(grad))
