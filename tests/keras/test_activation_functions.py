"""keras.activations: values against Keras 3 (and NumPy), arguments, gradients, get/serialize."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import activations
from fluxion.testing.op_check import check_op

X = np.linspace(-3, 3, 9).astype(np.float32)

# Made with Keras 3.15 on x = linspace(-3, 3, 9) (float32).
KERAS_VALUES = {'celu': [-0.950213, -0.894601, -0.77687, -0.527633, 0.0, 0.75, 1.5, 2.25, 3.0],
 'elu': [-0.950213, -0.894601, -0.77687, -0.527633, 0.0, 0.75, 1.5, 2.25, 3.0],
 'exponential': [0.049787, 0.105399, 0.22313, 0.472367, 1.0, 2.117, 4.481689, 9.487736,
                 20.085537],
 'gelu': [-0.00405, -0.027505, -0.100211, -0.169971, 0.0, 0.580029, 1.399789, 2.222495,
          2.99595],
 'hard_shrink': [-3.0, -2.25, -1.5, -0.75, 0.0, 0.75, 1.5, 2.25, 3.0],
 'hard_sigmoid': [0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0],
 'hard_silu': [-0.0, -0.28125, -0.375, -0.28125, 0.0, 0.46875, 1.125, 1.96875, 3.0],
 'hard_tanh': [-1.0, -1.0, -1.0, -0.75, 0.0, 0.75, 1.0, 1.0, 1.0],
 'leaky_relu': [-0.6, -0.45, -0.3, -0.15, 0.0, 0.75, 1.5, 2.25, 3.0],
 'linear': [-3.0, -2.25, -1.5, -0.75, 0.0, 0.75, 1.5, 2.25, 3.0],
 'log_sigmoid': [-3.048587, -2.350207, -1.701413, -1.136871, -0.693147, -0.386871, -0.201413,
                 -0.100207, -0.048587],
 'log_softmax': [-6.638182, -5.888182, -5.138182, -4.388182, -3.638182, -2.888182, -2.138182,
                 -1.388182, -0.638182],
 'mish': [-0.145647, -0.224713, -0.2981, -0.276495, 0.0, 0.610018, 1.403378, 2.209457,
          2.986535],
 'relu': [0.0, 0.0, 0.0, 0.0, 0.0, 0.75, 1.5, 2.25, 3.0],
 'relu6': [0.0, 0.0, 0.0, 0.0, 0.0, 0.75, 1.5, 2.25, 3.0],
 'selu': [-1.670569, -1.572797, -1.365814, -0.927632, 0.0, 0.788026, 1.576051, 2.364077,
          3.152103],
 'sigmoid': [0.047426, 0.095349, 0.182426, 0.320821, 0.5, 0.679179, 0.817574, 0.904651,
             0.952574],
 'silu': [-0.142278, -0.214536, -0.273638, -0.240616, 0.0, 0.509384, 1.226362, 2.035464,
          2.857722],
 'soft_shrink': [-2.5, -1.75, -1.0, -0.25, 0.0, 0.25, 1.0, 1.75, 2.5],
 'softmax': [0.001309, 0.002772, 0.005868, 0.012423, 0.0263, 0.055677, 0.117869, 0.249529,
             0.528252],
 'softplus': [0.048587, 0.100207, 0.201413, 0.386871, 0.693147, 1.136871, 1.701413, 2.350207,
              3.048587],
 'softsign': [-0.75, -0.692308, -0.6, -0.428571, 0.0, 0.428571, 0.6, 0.692308, 0.75],
 'sparse_plus': [0.0, 0.0, 0.0, 0.015625, 0.25, 0.765625, 1.5, 2.25, 3.0],
 'sparse_sigmoid': [0.0, 0.0, 0.0, 0.125, 0.5, 0.875, 1.0, 1.0, 1.0],
 'squareplus': [0.302776, 0.380199, 0.5, 0.693, 1.0, 1.443, 2.0, 2.630199, 3.302776],
 'tanh': [-0.995055, -0.978026, -0.905148, -0.635149, 0.0, 0.635149, 0.905148, 0.978026,
          0.995055],
 'tanh_shrink': [-2.004945, -1.271974, -0.594852, -0.114851, 0.0, 0.114851, 0.594852, 1.271974,
                 2.004945]}

KERAS_NAMES = [
    "celu", "deserialize", "elu", "exponential", "gelu", "get", "glu", "hard_shrink",
    "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid",
    "log_softmax", "mish", "relu", "relu6", "selu", "serialize", "sigmoid", "silu",
    "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid",
    "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink", "threshold"]


def test_every_keras_name_exists():
    for name in KERAS_NAMES:
        assert callable(getattr(activations, name)), name


@pytest.mark.parametrize("name", sorted(KERAS_VALUES))
def test_values_match_keras(name):
    got = activations.get(name)(tf.constant(X))
    got = got.numpy() if hasattr(got, "numpy") else np.asarray(got)
    np.testing.assert_allclose(got, KERAS_VALUES[name], rtol=1e-5, atol=2e-6)


def test_arguments_match_keras():
    x = tf.constant(X)
    cases = [
        (activations.relu(x, negative_slope=0.1, max_value=2.0, threshold=0.5),
         [-0.35, -0.275, -0.2, -0.125, -0.05, 0.75, 1.5, 2.0, 2.0]),
        (activations.relu(x, negative_slope=0.1),
         [-0.3, -0.225, -0.15, -0.075, 0.0, 0.75, 1.5, 2.25, 3.0]),
        (activations.elu(x, alpha=0.5),
         [-0.475106, -0.4473, -0.388435, -0.263817, 0.0, 0.75, 1.5, 2.25, 3.0]),
        (activations.gelu(x, approximate=True),
         [-0.003637, -0.027201, -0.100428, -0.170039, 0.0, 0.579961, 1.399572, 2.222799,
          2.996363]),
        (activations.threshold(x, 0.5, -1.0), [-1.0] * 5 + [0.75, 1.5, 2.25, 3.0]),
        (activations.glu(x[:8]), [-1.5, -1.528152, -1.226362, -0.678488]),
    ]
    for got, want in cases:
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=2e-6)


def test_relu_variants_vs_numpy():
    x = np.array([-2.0, -0.5, 0.2, 1.0, 7.0], np.float32)
    np.testing.assert_allclose(activations.relu(x, max_value=6.0).numpy(), np.clip(x, 0, 6))
    np.testing.assert_allclose(activations.relu(x, threshold=0.5).numpy(),
                               np.where(x > 0.5, x, 0))
    np.testing.assert_allclose(activations.relu(x, max_value=3.0).numpy(), np.clip(x, 0, 3))


def test_softmax_axes():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    e = np.exp(x - x.max())
    np.testing.assert_allclose(activations.softmax(x, axis=None).numpy(), e / e.sum(), rtol=1e-6)
    e0 = np.exp(x - x.max(0))
    np.testing.assert_allclose(activations.softmax(x, axis=0).numpy(), e0 / e0.sum(0),
                               rtol=1e-6)
    np.testing.assert_allclose(activations.log_softmax(x, axis=None).numpy(),
                               np.log(e / e.sum()), rtol=1e-5)


def test_sparsemax_projects_onto_simplex():
    # Keras 3.15's TensorFlow backend sums the wrong cumulative sums for supports larger
    # than 1 (it returns zeros here); we follow the definition (Martins & Astudillo 2016).
    np.testing.assert_allclose(activations.sparsemax([1.0, 1.2, 1.5]).numpy(), [0.1, 0.3, 0.6],
                               atol=1e-6)
    x = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    out = activations.sparsemax(x, axis=0).numpy()
    np.testing.assert_allclose(out.sum(axis=0), 1.0, rtol=1e-5)
    assert (out >= 0).all()


def test_glu_rejects_odd_axis():
    with pytest.raises(ValueError, match="divisible by 2"):
        activations.glu(np.zeros((2, 3), np.float32))


SMOOTH = ["celu", "elu", "exponential", "gelu", "log_sigmoid", "mish", "selu", "sigmoid",
          "silu", "softplus", "softsign", "squareplus", "tanh", "tanh_shrink"]


@pytest.mark.parametrize("name", SMOOTH)
def test_gradients(name):
    fn = activations.get(name)
    x = np.array([-1.3, -0.4, 0.35, 1.7], np.float64)
    reference = np.asarray(fn(tf.constant(x)).numpy())
    check_op(fn, [x], lambda a: reference)


def test_get_serialize_deserialize():
    assert activations.get(None) is activations.linear
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    assert activations.get(activations.relu) is activations.relu
    assert activations.serialize(activations.relu) == "relu"
    assert activations.serialize(activations.swish) == "silu"
    assert activations.deserialize("gelu") is activations.gelu
    assert activations.get({"module": "keras.activations", "class_name": "function",
                            "config": "tanh", "registered_name": None}) is activations.tanh

    def custom(x):
        return x

    assert activations.get(custom) is custom
    with pytest.raises(ValueError, match="Could not interpret activation"):
        activations.get("nope")


def test_integer_input_is_cast_and_traced_call_works():
    assert activations.relu([1, -2]).dtype == tf.float32
    traced = tf.function(lambda x: activations.hard_silu(x))
    np.testing.assert_allclose(traced(tf.constant(X)).numpy(), KERAS_VALUES["hard_silu"],
                               atol=2e-6)
