"""The fused ``adam_update`` op: bit for bit Keras's composed formula (NumPy's kernel and
oneDNN's), eager and traced, and Keras's Adam giving the same weights through it."""

import warnings

import numpy as np
import pytest

import fluxion as tf
from fluxion import keras
from fluxion.backend import onednn
from fluxion.core.primitives.optimizer_updates import _adam_update_kernel, adam_update_p
from fluxion.keras.optimizers import adam as adam_module
from fluxion.ops import math_ops, optimizer_ops

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    HAVE_ONEDNN = onednn.available()
rng = np.random.default_rng(0)
HYPER = dict(beta_1=0.9, beta_2=0.999, epsilon=1e-7)


def _arrays(shape, dtype=np.float32):
    g, m, w = (rng.standard_normal(shape).astype(dtype) for _ in range(3))
    v = np.abs(rng.standard_normal(shape)).astype(dtype)
    return g, m, v, w, np.asarray(3e-3, dtype)


def _composed(g, m, v, w, alpha, beta_1, beta_2, epsilon):
    """Keras 3's Adam step written in Fluxion's elementwise ops, as Adam used to run."""
    g, m, v, w, alpha = (tf.constant(a) for a in (g, m, v, w, alpha))
    m_new = m + (g - m) * (1 - beta_1)
    v_new = v + (math_ops.square(g) - v) * (1 - beta_2)
    w_new = w - m_new * alpha / (math_ops.sqrt(v_new) + epsilon)
    return [t.numpy() for t in (m_new, v_new, w_new)]


@pytest.mark.parametrize("shape", [(3,), (7, 5), (300, 257)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpy_kernel_is_the_composed_formula_bit_for_bit(shape, dtype):
    arrays = _arrays(shape, dtype)
    fused = _adam_update_kernel(*arrays, **HYPER)
    for got, want in zip(fused, _composed(*arrays, **HYPER)):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


def test_op_eager_and_traced_agree_and_leave_inputs_alone():
    arrays = _arrays((40, 30))
    copies = [a.copy() for a in arrays]
    eager = [t.numpy() for t in optimizer_ops.adam_update(*arrays, **HYPER)]

    @tf.function
    def step(*tensors):
        return optimizer_ops.adam_update(*tensors, **HYPER)

    traced = [t.numpy() for t in step(*arrays)]
    for a, b, c in zip(eager, traced, _composed(*arrays, **HYPER)):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    for before, after in zip(copies, arrays):
        np.testing.assert_array_equal(before, after)


def test_shape_and_dtype_mistakes_are_named():
    g, m, v, w, alpha = _arrays((4, 3))
    with pytest.raises(ValueError, match="expected the m to match the variable"):
        optimizer_ops.adam_update(g, m[:2], v, w, alpha, **HYPER)
    with pytest.raises(ValueError, match="expected alpha to be a float32 scalar"):
        optimizer_ops.adam_update(g, m, v, w, np.ones(2, np.float32), **HYPER)
    assert adam_update_p.multiple_results and adam_update_p.effect == "none"


@pytest.mark.skipif(not HAVE_ONEDNN, reason="no oneDNN 3.x library")
@pytest.mark.parametrize("shape", [(784, 256), (400, 400), (131_073,)])
def test_onednn_kernel_is_numpys_bit_for_bit(shape):
    from fluxion.backend.onednn import optimizer

    arrays = _arrays(shape)
    native = optimizer.adam_update(onednn.api(), *arrays, **HYPER)
    assert native is not None
    for got, want in zip(native, _adam_update_kernel(*arrays, **HYPER)):
        np.testing.assert_array_equal(got, want)
    # another step with other hyperparameters: a plan of its own
    other = dict(beta_1=0.5, beta_2=0.75, epsilon=1e-3)
    native = optimizer.adam_update(onednn.api(), *arrays, **other)
    for got, want in zip(native, _adam_update_kernel(*arrays, **other)):
        np.testing.assert_array_equal(got, want)


@pytest.mark.skipif(not HAVE_ONEDNN, reason="no oneDNN 3.x library")
def test_onednn_kernel_declines_what_numpy_does_better():
    from fluxion.backend.onednn import optimizer

    api = onednn.api()
    small = _arrays((optimizer.MIN_SIZE - 1,))
    assert optimizer.adam_update(api, *small, **HYPER) is None
    wide = _arrays((512, 512), np.float64)  # float64: NumPy
    assert optimizer.adam_update(api, *wide, **HYPER) is None
    g, m, v, w, alpha = _arrays((512, 512))
    assert optimizer.adam_update(api, g.T, m, v, w, alpha, **HYPER) is None


def _trained_weights(monkeypatch, fused: bool):
    if not fused:  # Adam's composed path, as it ran before the fused op
        monkeypatch.setattr(adam_module, "_numbers", lambda *values: False)
    keras.utils.set_random_seed(3)
    x = rng.random((256, 300), dtype=np.float32)
    y = rng.integers(0, 10, 256)
    model = keras.Sequential([keras.Input((300,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=64, epochs=2, verbose=0, shuffle=False)
    monkeypatch.undo()
    return model.get_weights()


def test_keras_adam_trains_to_the_same_weights_through_the_fused_op(monkeypatch):
    seed = rng.bit_generator.state
    fused = _trained_weights(monkeypatch, fused=True)
    rng.bit_generator.state = seed
    composed = _trained_weights(monkeypatch, fused=False)
    for a, b in zip(fused, composed):
        np.testing.assert_array_equal(a, b)


def test_amsgrad_and_tensor_hyperparameters_keep_the_composed_path():
    assert not adam_module._numbers(0.9, tf.constant(0.999), 1e-7)
    assert not adam_module._numbers(True, 0.999, 1e-7)
    assert adam_module._numbers(0.9, 0.999, 1e-7)
    variable = keras.Variable(np.ones(3, np.float32))
    optimizer = keras.optimizers.Adam(learning_rate=0.1, amsgrad=True)
    optimizer.apply_gradients([(tf.constant([1.0, -1.0, 0.0]), variable)])
    np.testing.assert_allclose(variable.numpy(), [0.9, 1.1, 1.0], rtol=1e-5)


@pytest.mark.parametrize("shape", [(7, 5), (784, 256)])
def test_m_may_overwrite_the_gradients_buffer(shape):
    arrays = _arrays(shape)
    want = _adam_update_kernel(*[a.copy() for a in arrays], **HYPER)
    kernels = [_adam_update_kernel]
    if HAVE_ONEDNN and np.prod(shape) >= 131072:
        from fluxion.backend.onednn import optimizer

        kernels.append(lambda *a, **k: optimizer.adam_update(onednn.api(), *a, **k))
    for kernel in kernels:
        g = arrays[0].copy()
        got = kernel(g, *arrays[1:], **HYPER, out=g)
        assert got[0] is g  # m' in the gradient's buffer
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)


def test_a_compiled_step_gives_m_the_dead_gradients_buffer():
    w = tf.Variable(np.ones((64, 32), np.float32))
    m = tf.Variable(np.zeros((64, 32), np.float32))
    v = tf.Variable(np.zeros((64, 32), np.float32))

    @tf.function
    def step(x):
        g = tf.matmul(x, tf.ones((4, 32))) * 0.5  # a fresh buffer, dead after the update
        m_new, v_new, w_new = optimizer_ops.adam_update(g, m.read_value(), v.read_value(),
                                                        w.read_value(), 0.01, **HYPER)
        m.assign(m_new)
        v.assign(v_new)
        w.assign(w_new)
        return w_new

    x = rng.standard_normal((64, 4)).astype(np.float32)
    got = step(x).numpy()
    g = (x @ np.ones((4, 32), np.float32)) * np.float32(0.5)
    want = _adam_update_kernel(g, np.zeros_like(g), np.zeros_like(g), np.ones_like(g),
                               np.float32(0.01), **HYPER)
    np.testing.assert_array_equal(got, want[2])
    np.testing.assert_array_equal(m.numpy(), want[0])
    source = step.get_concrete_function(x).python_source()
    [line] = [line for line in source.splitlines() if "# adam_update" in line]
    assert ", out=" in line


def test_a_scalar_variable_trains_compiled_and_eager():
    # 0-d arrays: NumPy's ufuncs return scalars, which `out=` refuses (keras-io perceiver)
    def train(compiled):
        v = tf.Variable(1.0)
        optimizer = keras.optimizers.Adam(0.1)

        def step():
            with tf.GradientTape() as tape:
                loss = v * v
            optimizer.apply_gradients(zip(tape.gradient(loss, [v]), [v]))

        step = tf.function(step) if compiled else step
        for _ in range(3):
            step()
        return v.numpy()

    assert train(True) == train(False) == pytest.approx(0.7, abs=0.02)
    g, m, v, w, alpha = _arrays(())
    got = _adam_update_kernel(g, m, v, w, alpha, **HYPER)
    want = _adam_update_kernel(*(a.reshape(1) for a in (g, m, v, w)), alpha, **HYPER)
    assert all(a.shape == () and a.dtype == np.float32 for a in got)
    np.testing.assert_array_equal(np.stack(got), np.stack(want).reshape(3))
