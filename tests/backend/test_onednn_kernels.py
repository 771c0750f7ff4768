"""oneDNN's kernels against NumPy's: every override, forward and gradients, over strides,
paddings, dilations, groups, ranks and dtypes; the backend in eager, tape and compiled
training; a clean fallback when the library is absent.  Skipped without oneDNN."""

import os
import subprocess
import sys

import numpy as np
import pytest
from onednn_available import needs_onednn

import fluxion as tf
from fluxion import keras
from fluxion.backend import onednn
from fluxion.core.primitives import conv as numpy_conv
from fluxion.core.primitives import pool as numpy_pool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

rng = np.random.default_rng(0)

CONV_CASES = [  # x shape, w shape, strides, padding, dilations, groups
    ((2, 9, 9, 3), (3, 3, 3, 4), (1, 1), "VALID", (1, 1), 1),
    ((2, 9, 9, 3), (3, 3, 3, 4), (2, 2), "SAME", (1, 1), 1),
    ((2, 10, 8, 3), (3, 2, 3, 5), (2, 3), "VALID", (1, 1), 1),
    ((2, 10, 10, 4), (3, 3, 4, 6), (1, 1), "SAME", (2, 2), 1),
    ((2, 10, 10, 4), (3, 3, 2, 6), (1, 1), "SAME", (1, 1), 2),
    ((2, 8, 8, 4), (3, 3, 1, 4), (1, 1), "SAME", (1, 1), 4),  # depthwise
    ((2, 11, 8, 3), (2, 3, 3, 5), (2, 1), ((1, 2), (0, 1)), (1, 1), 1),
    ((3, 7, 3), (3, 3, 2), (1,), "SAME", (1,), 1),  # 1-d
    ((1, 5, 6, 4, 2), (2, 3, 2, 2, 3), (1, 2, 1), "SAME", (1, 1, 2), 1),  # 3-d
    ((4, 28, 28, 1), (3, 3, 1, 8), (1, 1), "VALID", (1, 1), 1),  # one input channel
]


def _conv_arrays(case, dtype=np.float32):
    x_shape, w_shape, strides, padding, dilations, groups = case
    attrs = dict(strides=strides, padding=padding, dilations=dilations, groups=groups)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    g = rng.standard_normal(numpy_conv._conv_kernel(x, w, **attrs).shape).astype(dtype)
    return x, w, g, attrs


@needs_onednn
@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}-{c[3]}-"
                         f"{c[4]}-g{c[5]}")
def test_convolutions_match_numpys(case):
    x, w, g, attrs = _conv_arrays(case)
    api = onednn.api()
    from fluxion.backend.onednn import conv

    pairs = [(numpy_conv._conv_kernel(x, w, **attrs), conv.conv(api, x, w, **attrs)),
             (numpy_conv._conv_input_grad_kernel(g, w, x, **attrs),
              conv.conv_input_grad(api, g, w, x, **attrs)),
             (numpy_conv._conv_filter_grad_kernel(x, g, w, **attrs),
              conv.conv_filter_grad(api, x, g, w, **attrs))]
    for want, got in pairs:
        assert got is not None and got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    # A second call reuses the cached plan and gives the same (not accumulated) result.
    again = conv.conv_filter_grad(api, x, g, w, **attrs)
    np.testing.assert_allclose(again, pairs[2][1], rtol=1e-6, atol=1e-6)


@needs_onednn
@pytest.mark.parametrize("dtype", [np.float64, np.float16])
def test_other_dtypes_run_numpys_kernels(dtype):
    x, w, g, attrs = _conv_arrays(CONV_CASES[1], dtype)
    kernel = onednn.kernel_for("conv", numpy_conv._conv_kernel)
    from fluxion.backend.onednn import conv

    assert conv.conv(onednn.api(), x, w, **attrs) is None
    np.testing.assert_array_equal(kernel(x, w, **attrs), numpy_conv._conv_kernel(x, w, **attrs))


@needs_onednn
def test_primitives_are_made_again_for_a_different_thread_count():
    # oneDNN fixes a primitive's threads when it creates it: one made while the pools
    # ran one thread would keep a parallel call on one thread (ResNet50 predict at batch
    # 32 stayed at 1.5 s instead of 0.8 s on two threads)
    from fluxion.backend.onednn import conv, library
    from fluxion.core import blas_threads

    x, w, _, attrs = _conv_arrays(CONV_CASES[0], np.float32)
    conv._plans.clear()
    serial = conv.conv(onednn.api(), x, w, **attrs)
    blas_threads.set_pool_size(2)
    try:
        threads = library.openmp_threads()
        parallel = conv.conv(onednn.api(), x, w, **attrs)
    finally:
        blas_threads.set_pool_size(1)
    assert threads == 2 and library.openmp_threads() == 1
    assert sorted(key[-1] for key in conv._plans) == [1, 2]
    np.testing.assert_allclose(parallel, serial, rtol=1e-6, atol=1e-6)


POOL_CASES = [  # x shape, window, strides, padding, dilations
    ((3, 8, 8, 4), (2, 2), (2, 2), "VALID", (1, 1)),
    ((3, 9, 7, 4), (2, 2), (2, 2), "VALID", (1, 1)),  # a ragged edge, cropped
    ((3, 8, 8, 4), (3, 3), (2, 2), "SAME", (1, 1)),
    ((3, 8, 8, 4), (2, 2), (1, 1), "VALID", (1, 1)),
    ((3, 9, 9, 2), (2, 2), (1, 1), "SAME", (2, 2)),
    ((2, 10, 3), (3,), (3,), "VALID", (1,)),
    ((2, 4, 6, 6, 2), (2, 2, 2), (2, 2, 2), "VALID", (1, 1, 1)),
]


@needs_onednn
@pytest.mark.parametrize("case", POOL_CASES, ids=str)
def test_max_pooling_matches_numpys(case):
    x_shape, window, strides, padding, dilations = case
    attrs = dict(window=window, strides=strides, padding=padding, dilations=dilations)
    x = rng.standard_normal(x_shape).astype(np.float32)
    x[0, 1] = x[0, 0]  # ties: the first maximum wins in both
    api = onednn.api()
    from fluxion.backend.onednn import pool

    y = numpy_pool._max_pool_kernel(x, **attrs)
    np.testing.assert_array_equal(pool.max_pool(api, x, **attrs), y)
    g = rng.standard_normal(y.shape).astype(np.float32)
    np.testing.assert_allclose(pool.max_pool_grad(api, x, g, **attrs),
                               numpy_pool._max_pool_grad_kernel(x, g, **attrs), atol=1e-6)
    if not numpy_pool.tiles(x.shape, **attrs):
        return
    y_numpy, winner_numpy = numpy_pool._max_pool_with_index_kernel(x, **attrs)
    y_onednn, winner_onednn = pool.max_pool_with_index(api, x, **attrs)
    np.testing.assert_array_equal(y_onednn, y_numpy)
    np.testing.assert_array_equal(winner_onednn, winner_numpy)  # the same index, either way
    want = numpy_pool._max_pool_grad_from_index_kernel(winner_numpy, g, x, **attrs)
    np.testing.assert_array_equal(pool.max_pool_grad_from_index(api, winner_numpy, g, x,
                                                                **attrs), want)


def _convnet(seed: int):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((12, 12, 2)), keras.layers.Conv2D(6, 3, activation="relu"),
        keras.layers.MaxPooling2D(2), keras.layers.Conv2D(8, 3, padding="same", strides=2),
        keras.layers.MaxPooling2D(2, strides=1, padding="same"), keras.layers.Flatten(),
        keras.layers.Dense(3)])


def _train(model, x, y, steps=3):
    optimizer = keras.optimizers.Adam(0.01)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return [float(step(x, y)) for _ in range(steps)]


@needs_onednn
def test_a_compiled_training_step_on_onednn_matches_numpy():
    x = rng.standard_normal((6, 12, 12, 2)).astype(np.float32)
    y = rng.integers(0, 3, 6)
    reference = _convnet(3)
    expected = _train(reference, x, y)
    tf.config.set_backend("onednn")
    try:
        model = _convnet(3)
        losses = _train(model, x, y)
        from fluxion.backend.onednn import conv, pool

        assert conv._plans and pool._plans  # oneDNN ran
    finally:
        tf.config.set_backend("numpy")
    np.testing.assert_allclose(losses, expected, rtol=1e-4)
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@needs_onednn
def test_eager_tape_gradients_on_onednn_match_numpy():
    x = tf.constant(rng.standard_normal((2, 9, 9, 3)).astype(np.float32))
    w = tf.Variable(rng.standard_normal((3, 3, 3, 4)).astype(np.float32))

    def gradients():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.nn.max_pool2d(tf.nn.conv2d(x, w, 1, "SAME"), 3, 2, "SAME")
            loss = tf.reduce_sum(y * y)
        return [t.numpy() for t in tape.gradient(loss, [x, w])]

    expected = gradients()
    tf.config.set_backend("onednn")
    try:
        got = gradients()
    finally:
        tf.config.set_backend("numpy")
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_without_the_library_numpys_kernels_run_after_one_warning():
    code = """
import warnings, numpy as np
import fluxion as tf
tf.config.set_backend("onednn")
x = tf.constant(np.ones((1, 4, 4, 1), np.float32))
w = tf.constant(np.ones((2, 2, 1, 1), np.float32))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    y = tf.nn.conv2d(x, w, 1, "VALID"); tf.nn.conv2d(x, w, 1, "VALID")
    tf.nn.max_pool2d(x, 2, 2, "VALID")
print(float(tf.reduce_sum(y)), len(caught), str(caught[0].message))
"""
    env = dict(os.environ, PYTHONPATH=ROOT, FLUXION_ONEDNN_LIBRARY="/nonexistent/libdnnl.so.3")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    total, count, message = out.split(" ", 2)
    assert float(total) == 36.0 and count == "1"
    assert "no oneDNN 3.x library could be loaded" in message and "/nonexistent" in message
    assert "NumPy's kernels" in message


@needs_onednn
def test_onednn_is_the_default_where_it_is_installed():
    code = ("import fluxion as tf; from fluxion import backend; "
            "print(tf.config.get_backend(), backend.overrides('conv'))")
    env = {k: v for k, v in os.environ.items() if k != "FLUXION_BACKEND"}
    env["PYTHONPATH"] = ROOT
    for setting in (None, "auto"):
        if setting:
            env["FLUXION_BACKEND"] = setting
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stdout.split()
        assert out == ["onednn", "True"]


@needs_onednn
@pytest.mark.parametrize("size", [7, 8])
def test_transposed_convolutions_of_either_output_size_match_numpy(size):
    # Output sizes 7 and 8 both give a 4x4 input at stride 2 with SAME padding: the
    # kernel's ``like`` shape decides, on both backends.
    g = tf.constant(rng.standard_normal((2, 4, 4, 5)).astype(np.float32))
    w = tf.constant(rng.standard_normal((3, 3, 3, 5)).astype(np.float32))

    def transposed():
        return tf.nn.conv2d_transpose(g, w, [2, size, size, 3], 2, "SAME").numpy()

    expected = transposed()
    tf.config.set_backend("onednn")
    try:
        got = transposed()
    finally:
        tf.config.set_backend("numpy")
    assert got.shape == (2, size, size, 3)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
