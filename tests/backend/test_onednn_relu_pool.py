"""oneDNN's ``relu_grad`` (one eltwise backward pass) and max pooling with a ReLU post-op,
against NumPy's kernels, special values included.  Skipped without oneDNN."""


import numpy as np
import pytest
from onednn_available import needs_onednn

from fluxion.backend import onednn
from fluxion.backend.onednn import eltwise
from fluxion.core.primitives.activation import _relu_grad_kernel

pytestmark = needs_onednn


def _relu_grad_operands(shape, seed=0):
    rng = np.random.default_rng(seed)
    g = rng.standard_normal(shape).astype(np.float32)
    y = np.maximum(rng.standard_normal(shape).astype(np.float32), 0)
    specials = [(np.nan, 1.0), (0.0, np.inf), (-0.0, np.nan), (1.0, np.inf), (np.inf, 2.0),
                (-1.0, np.nan), (0.0, -3.0), (np.nan, np.nan)]
    for index, (y_value, g_value) in enumerate(specials):
        y.flat[index], g.flat[index] = y_value, g_value
    return g, y


@pytest.mark.parametrize("shape", [(128, 13, 13, 32), (eltwise.MIN_SIZE,), (700, 600)])
def test_relu_grad_is_numpys_bit_for_bit(shape):
    g, y = _relu_grad_operands(shape)
    with np.errstate(invalid="ignore"):
        want = _relu_grad_kernel(g, y)
    got = eltwise.relu_grad(onednn.api(), g, y)
    assert got.tobytes() == want.tobytes()
    in_place = g.copy()
    assert eltwise.relu_grad(onednn.api(), in_place, y, out=in_place) is in_place
    assert in_place.tobytes() == want.tobytes()


def test_relu_grad_leaves_small_other_and_strided_arrays_to_numpy():
    api = onednn.api()
    g, y = _relu_grad_operands((100,))
    assert eltwise.relu_grad(api, g, y) is None  # small
    assert eltwise.relu_grad(api, g, y, out=g) is None
    g, y = _relu_grad_operands((800, 600))
    assert eltwise.relu_grad(api, g.astype(np.float64), y.astype(np.float64)) is None
    assert eltwise.relu_grad(api, g[:, ::2], y[:, ::2]) is None
    kernel = onednn.kernel_for("relu_grad", _relu_grad_kernel)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(kernel(g[:, ::2], y[:, ::2]),
                                      _relu_grad_kernel(g[:, ::2], y[:, ::2]))


@pytest.mark.parametrize("x_shape, window", [((4, 26, 26, 32), (2, 2)), ((3, 11, 11, 8), (2, 2)),
                                             ((2, 9, 9, 3), (3, 3)), ((2, 10, 4), (2,))])
def test_max_pool_with_a_relu_post_op_matches_numpys(x_shape, window):
    from fluxion.backend.onednn import pool
    from fluxion.core.primitives import pool as numpy_pool

    attrs = dict(window=window, strides=window, padding="VALID", dilations=(1,) * len(window))
    x = np.random.default_rng(1).standard_normal(x_shape).astype(np.float32)
    x[:, :2] = -np.abs(x[:, :2])  # whole windows not positive
    y_linear, winner = numpy_pool._max_pool_with_index_kernel(x, **attrs)
    y_numpy, winner_numpy = numpy_pool._max_pool_with_index_kernel(x, activation="relu", **attrs)
    y_onednn, winner_onednn = pool.max_pool_with_index(onednn.api(), x, activation="relu",
                                                       **attrs)
    np.testing.assert_array_equal(y_numpy, np.maximum(y_linear, 0))
    np.testing.assert_array_equal(y_onednn, y_numpy)
    np.testing.assert_array_equal(winner_numpy, winner)  # the winners of x, not of relu(x)
    np.testing.assert_array_equal(winner_onednn, winner)


def _mnist_convnet_weights_after_fit(backend: str):
    import fluxion as tf
    from fluxion import keras

    tf.config.set_backend(backend)
    try:
        keras.utils.set_random_seed(4)
        model = keras.Sequential([
            keras.Input((28, 28, 1)), keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.MaxPooling2D(2), keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.MaxPooling2D(2), keras.layers.Flatten(), keras.layers.Dropout(0.5),
            keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        rng = np.random.default_rng(0)
        x = rng.random((96, 28, 28, 1), dtype=np.float32)
        y = rng.integers(0, 10, 96)
        model.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=False)
        names = [n.prim.name for n in model._train_function._latest().graph.nodes]
        return model.get_weights(), names
    finally:
        tf.config.set_backend("numpy")


def test_mnist_convnet_fit_on_onednn_matches_numpy_with_dropout_and_fused_relu():
    expected, numpy_names = _mnist_convnet_weights_after_fit("numpy")
    got, names = _mnist_convnet_weights_after_fit("onednn")
    # relu rides on the pooling, dropout's mask comes from raw bits (both backends)
    for graph_names in (names, numpy_names):
        assert "relu" not in graph_names and "random_uniform_dynamic" not in graph_names
        assert graph_names.count("random_keep_mask") == 1
    assert names.count("relu_grad") == 2 and names.count("max_pool_with_index") == 2
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
