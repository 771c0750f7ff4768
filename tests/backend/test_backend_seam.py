"""The backend seam, proved with the checking backend (NumPy kernels, every run recorded):
eager ops, tape gradients and a compiled training step all run the active backend's
kernels; primitives defined later get its overrides; device scopes and the environment
select backends."""

import os
import subprocess
import sys

import numpy as np
import pytest

import fluxion as tf
from fluxion import backend, keras
from fluxion.backend import checking
from fluxion.core.primitive import Aval, define

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def checking_backend():
    tf.config.set_backend("checking")
    try:
        yield
    finally:
        tf.config.set_backend("numpy")


def _names(runs) -> set:
    return {run.name for run in runs}


def test_eager_ops_run_the_active_backends_kernels(checking_backend):
    assert tf.config.get_backend() == "checking"
    x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    with checking.recording() as runs:
        y = tf.nn.relu(tf.matmul(x, tf.transpose(x)) - 10.0)
    assert {"matmul", "transpose", "relu"} <= _names(runs)
    assert ("matmul", ((2, 3), (3, 2))) in runs
    expected = np.maximum(x.numpy() @ x.numpy().T - 10.0, 0)
    np.testing.assert_allclose(y.numpy(), expected)


def test_tape_gradients_run_the_active_backends_kernels(checking_backend):
    x = tf.Variable(np.array([[1.0, -2.0], [3.0, 0.5]], np.float32))
    with checking.recording() as runs:
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.nn.relu(x) * x)
        grad = tape.gradient(loss, x)
    assert {"relu", "relu_grad", "reduce_sum"} <= _names(runs)
    value = x.numpy()
    np.testing.assert_allclose(grad.numpy(), np.where(value > 0, 2 * value, 0))


def _training_step(model):
    optimizer = keras.optimizers.Adam(0.01)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return step


def _convnet(seed: int):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                             keras.layers.MaxPooling2D(2), keras.layers.Flatten(),
                             keras.layers.Dense(3)])


def test_a_compiled_training_step_runs_the_active_backends_kernels():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 8, 8, 1)).astype(np.float32)
    y = rng.integers(0, 3, 4)
    reference = _convnet(1)
    reference_step = _training_step(reference)
    expected = [float(reference_step(x, y)) for _ in range(3)]

    tf.config.set_backend("checking")
    try:
        model = _convnet(1)
        step = _training_step(model)
        with checking.recording() as runs:
            losses = [float(step(x, y)) for _ in range(3)]
        source = step.python_source()
    finally:
        tf.config.set_backend("numpy")
    names = _names(runs)
    assert "matmul" in names
    # conv + bias fused (its relu moved past the pool), the bias gradient with the filter's
    assert names & {"conv", "fused_conv"}
    assert names & {"conv_filter_grad", "conv_filter_bias_grad"}
    assert any(name.startswith("max_pool") for name in names)
    assert "np." not in source
    np.testing.assert_allclose(losses, expected, rtol=1e-5)
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_fused_elementwise_steps_run_the_backends_kernels(checking_backend):
    @tf.function
    def f(x, y):
        return tf.exp(tf.abs(x - y) * 0.5)

    x, y = (np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4) for _ in range(2))
    y = y[::-1].copy()
    with checking.recording() as runs:
        got = f(x, y)
    assert {"subtract", "exp"} <= _names(runs) or {"sub", "exp"} <= _names(runs)
    np.testing.assert_allclose(got.numpy(), np.exp(np.abs(x - y) * 0.5), rtol=1e-6)


def test_generated_code_binds_kernels_instead_of_naming_numpy():
    @tf.function
    def f(a, b):
        return tf.exp(a * b + 1.0)

    ones = np.ones(3, np.float32)
    np.testing.assert_allclose(f(ones, ones).numpy(), np.exp(np.full(3, 2.0)), rtol=1e-6)
    source = f.python_source()
    assert "fused_elementwise" in source and "np." not in source


def test_primitives_defined_after_activation_get_the_override(checking_backend):
    prim = define("seam_test_twice", lambda a: a * 2, lambda a: Aval(a.shape, a.dtype))
    assert prim.impl is not prim.kernel
    with checking.recording() as runs:
        out = prim.bind(tf.constant([1.0, 2.0]))
    assert ("seam_test_twice", ((2,),)) in runs
    np.testing.assert_allclose(out.numpy(), [2.0, 4.0])
    tf.config.set_backend("numpy")
    assert prim.impl is prim.kernel


def test_a_device_type_can_have_a_backend_of_its_own():
    tf.config.set_backend("checking", device_type="GPU")
    try:
        assert tf.config.get_backend("GPU") == "checking"
        with checking.recording() as runs:
            tf.nn.relu(tf.constant([1.0]))
            with tf.device("/GPU:0"):
                assert tf.config.get_backend() == "checking"
                tf.nn.softplus(tf.constant([1.0]))
            assert tf.config.get_backend() == "numpy"
            tf.math.square(tf.constant([1.0]))
    finally:
        backend.set_for_device_type("GPU", None)
    names = _names(runs)
    assert "relu" not in names and "square" not in names
    assert names  # the ops inside the scope ran on the checking backend


def test_an_unknown_backend_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match="Unknown backend 'cuda'.*numpy"):
        tf.config.set_backend("cuda")
    assert tf.config.get_backend() == "numpy"


def test_the_environment_selects_the_backend():
    code = ("import fluxion as tf; from fluxion.core.primitives.activation import relu_p; "
            "tf.nn.relu(tf.ones([1])); "  # after the first run, no start-up hook wraps it
            "print(tf.config.get_backend(), relu_p.impl.__name__)")
    env = dict(os.environ, FLUXION_BACKEND="checking", PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["checking", "checked_relu"]


def test_the_checking_backend_catches_a_kernel_that_returns_no_array(checking_backend):
    prim = define("seam_test_returns_list", lambda a: [1.0], lambda a: Aval(a.shape, a.dtype))
    with pytest.raises(Exception, match=r"returned \['float'\] among its results"):
        prim.bind(tf.constant([1.0]))
