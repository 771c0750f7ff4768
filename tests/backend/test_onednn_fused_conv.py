"""oneDNN's ``fused_conv`` (convolution with bias, sum and eltwise post-ops) against NumPy's
kernel, and compiled models on the oneDNN backend (folded batch norm, fused residual
blocks, a training step with fused conv + bias + relu) against the NumPy backend.
Skipped without oneDNN."""


import numpy as np
import pytest
from onednn_available import needs_onednn

import fluxion as tf
from fluxion import keras
from fluxion.backend import onednn
from fluxion.core.primitives.conv_fused import fused_conv_p

pytestmark = needs_onednn
rng = np.random.default_rng(0)

CASES = [  # x shape, w shape, strides, padding, groups
    ((2, 9, 9, 4), (3, 3, 4, 6), (1, 1), "SAME", 1),
    ((2, 9, 9, 4), (1, 1, 4, 8), (2, 2), "VALID", 1),
    ((2, 10, 10, 6), (3, 3, 1, 6), (2, 2), ((0, 1), (0, 1)), 6),  # depthwise, padded
    ((2, 8, 8, 4), (3, 3, 2, 6), (1, 1), "SAME", 2),
    ((3, 11, 5), (3, 5, 7), (1,), "SAME", 1),  # 1-d
]
EPILOGUES = [("linear", None, False), ("relu", None, False), ("relu", 6.0, False),
             ("linear", None, True), ("relu", None, True), ("relu", 6.0, True)]


def _arrays(case):
    x_shape, w_shape, strides, padding, groups = case
    attrs = dict(strides=strides, padding=padding, dilations=(1,) * len(strides),
                 groups=groups)
    x = rng.standard_normal(x_shape).astype(np.float32) * 2
    w = rng.standard_normal(w_shape).astype(np.float32)
    b = rng.standard_normal(w_shape[-1]).astype(np.float32)
    out_shape = fused_conv_p.kernel(x, w, b, activation="linear", relu_cap=None,
                                    **attrs).shape
    r = rng.standard_normal(out_shape).astype(np.float32) * 3
    return x, w, b, r, attrs


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-g{c[4]}")
@pytest.mark.parametrize("activation,cap,residual", EPILOGUES,
                         ids=lambda e: str(e))
def test_fused_convolution_matches_numpys(case, activation, cap, residual):
    from fluxion.backend.onednn import conv_fused

    x, w, b, r, attrs = _arrays(case)
    extra = (r,) if residual else ()
    want = fused_conv_p.kernel(x, w, b, *extra, activation=activation, relu_cap=cap, **attrs)
    got = conv_fused.fused_conv(onednn.api(), x, w, b, *extra, activation=activation,
                                relu_cap=cap, **attrs)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    if residual:  # computed into the residual's own buffer, as the executor asks
        buffer = r.copy()
        got = conv_fused.fused_conv(onednn.api(), x, w, b, buffer, activation=activation,
                                    relu_cap=cap, out=buffer, **attrs)
        assert got is buffer
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
        strided = np.asfortranarray(r)  # a residual in another layout is copied first
        got = conv_fused.fused_conv(onednn.api(), x, w, b, strided, activation=activation,
                                    relu_cap=cap, **attrs)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-g{c[4]}")
def test_filter_and_bias_gradients_match_numpys(case):
    from fluxion.backend.onednn import conv_fused
    from fluxion.core.primitives.conv_fused import conv_filter_bias_grad_p

    x, w, _, g, attrs = _arrays(case)
    want = conv_filter_bias_grad_p.kernel(x, g, w, **attrs)
    got = conv_fused.conv_filter_bias_grad(onednn.api(), x, g, w, **attrs)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-3)


def test_other_dtypes_fall_back_to_numpys_kernel():
    x, w, b, r, attrs = _arrays(CASES[0])
    args = [a.astype(np.float64) for a in (x, w, b, r)]
    tf.config.set_backend("onednn")
    try:
        got = fused_conv_p.impl(*args, activation="relu", relu_cap=None, **attrs)
    finally:
        tf.config.set_backend("numpy")
    want = fused_conv_p.kernel(*args, activation="relu", relu_cap=None, **attrs)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-10)


def _residual_model():
    inputs = keras.Input((10, 10, 4))
    x = keras.layers.Conv2D(8, 3, padding="same", use_bias=False)(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU(6.0)(x)
    x = keras.layers.DepthwiseConv2D(3, padding="same", use_bias=False)(x)
    x = keras.layers.BatchNormalization()(x)
    shortcut = keras.layers.Conv2D(8, 1)(inputs)
    shortcut = keras.layers.BatchNormalization()(shortcut)
    x = keras.layers.Activation("relu")(keras.layers.Add()([x, shortcut]))
    model = keras.Model(inputs, x)
    generator = np.random.default_rng(5)
    for variable in model.weights:
        values = generator.normal(size=variable.shape) * 0.5
        if "variance" in variable.name:
            values = np.abs(values) + 0.5
        variable.assign(values.astype(np.float32))
    return model


def test_a_folded_residual_model_predicts_as_on_numpy():
    x = rng.standard_normal((3, 10, 10, 4)).astype(np.float32)
    model = _residual_model()
    want = model.predict(x, verbose=0)
    tf.config.set_backend("onednn")
    try:
        fused = _residual_model()
        fused.set_weights(model.get_weights())
        got = fused.predict(x, verbose=0)
        graph = fused._predict_function._latest().graph
    finally:
        tf.config.set_backend("numpy")
    names = [node.prim.name for node in graph.nodes]
    assert names.count("fused_conv") == 3 and "conv" not in names
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def _convnet(seed):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((12, 12, 2)), keras.layers.Conv2D(6, 3, activation="relu"),
        keras.layers.MaxPooling2D(2), keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.Flatten(), keras.layers.Dense(3)])


def test_a_training_step_with_fused_conv_relu_matches_numpy():
    x = rng.standard_normal((6, 12, 12, 2)).astype(np.float32)
    y = rng.integers(0, 3, 6)

    def train(model):
        model.compile(optimizer=keras.optimizers.Adam(0.01),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        history = model.fit(x, y, batch_size=6, epochs=3, verbose=0, shuffle=False)
        return history.history["loss"]

    reference = _convnet(3)
    expected = train(reference)
    tf.config.set_backend("onednn")
    try:
        model = _convnet(3)
        losses = train(model)
        names = [n.prim.name for n in model._train_function._latest().graph.nodes]
    finally:
        tf.config.set_backend("numpy")
    assert names.count("fused_conv") == 2 and names.count("conv_filter_bias_grad") == 2
    np.testing.assert_allclose(losses, expected, rtol=1e-4)
    # Sums in another order differ in the last bits; Adam's step (g / sqrt(v)) turns that
    # into ~1e-5 on a weight whose gradient is near zero.
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
