"""oneDNN's ``softmax`` and ``softmax_grad`` kernels against NumPy's, the cases left to
NumPy, and a compiled attention training step on the backend.  Skipped without oneDNN."""


import numpy as np
import pytest
from onednn_available import needs_onednn

import fluxion as tf
from fluxion import keras
from fluxion.backend import onednn

pytestmark = needs_onednn
rng = np.random.default_rng(0)


def _operand(shape):
    return rng.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("shape, axis", [((64, 4, 16, 24), 3), ((64, 4, 16, 24), 1),
                                         ((300, 70), -1), ((300, 70), 0)])
def test_softmax_and_its_gradient_match_numpys(shape, axis):
    from fluxion.backend.onednn import softmax
    from fluxion.core.primitives import activation

    x = (_operand(shape) * 4).astype(np.float32)
    g = _operand(shape)
    y = softmax.softmax(onednn.api(), x, axis)
    expected_y = activation._softmax_kernel(x, axis % len(shape))
    np.testing.assert_allclose(y, expected_y, rtol=1e-5, atol=1e-7)
    grad = softmax.softmax_grad(onednn.api(), g, y, axis)
    np.testing.assert_allclose(grad, activation._softmax_grad_kernel(g, y, axis % len(shape)),
                               rtol=1e-4, atol=1e-6)


def test_softmax_leaves_small_and_other_arrays_to_numpy():
    from fluxion.backend.onednn import softmax

    assert softmax.softmax(onednn.api(), np.ones((4, 4), np.float32), 1) is None
    assert softmax.softmax(onednn.api(), np.ones((300, 70)), 1) is None  # float64
    strided = np.ones((300, 140), np.float32)[:, ::2]
    assert softmax.softmax(onednn.api(), strided, 1) is None


def test_a_compiled_attention_step_on_onednn_matches_numpy():
    def train():
        keras.utils.set_random_seed(3)
        inputs = keras.Input((32, 16))
        h = keras.layers.MultiHeadAttention(num_heads=2, key_dim=32)(inputs, inputs)
        outputs = keras.layers.Dense(4, activation="softmax")(
            keras.layers.GlobalAveragePooling1D()(h))
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        data = np.random.default_rng(4)
        x = data.standard_normal((64, 32, 16)).astype(np.float32)
        model.fit(x, data.integers(0, 4, 64), batch_size=32, shuffle=False, verbose=0)
        return model.get_weights()

    from fluxion.backend.onednn import softmax

    expected = train()
    tf.config.set_backend("onednn")
    try:
        softmax._plans.clear()
        got = train()
        assert softmax._plans  # attention's softmax ran in oneDNN
    finally:
        tf.config.set_backend("numpy")
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
