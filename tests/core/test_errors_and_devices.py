"""Errors name the op, what was expected, what was given and the user's line; devices."""

import numpy as np
import pytest

import fluxion as tf

THIS_FILE = __file__.replace(".pyc", ".py")


def _line_of(marker: str) -> int:
    with open(THIS_FILE) as handle:
        for number, line in enumerate(handle, 1):
            if marker in line and "_line_of" not in line:
                return number
    raise AssertionError(marker)


def test_shape_mistake_names_op_shapes_and_user_line():
    a, b = tf.ones([2, 3]), tf.ones([2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.matmul(a, b)  # MATMUL-LINE
    message = str(info.value)
    assert "matmul" in message and "[2, 3]" in message
    assert f"{THIS_FILE}:{_line_of('MATMUL-LINE')}" in message


def test_broadcast_mistake():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.ones([2, 3]) + tf.ones([4])  # ADD-LINE
    assert "add" in str(info.value) and "[2, 3] and [4]" in str(info.value)
    assert f":{_line_of('ADD-LINE')}" in str(info.value)


def test_dtype_mistake_names_both_dtypes_and_the_fix():
    with pytest.raises(TypeError) as info:
        tf.ones([2]) * tf.ones([2], tf.int32)  # DTYPE-LINE
    text = str(info.value)
    assert "mul" in text and "float32" in text and "int32" in text and "fluxion.cast" in text
    assert f":{_line_of('DTYPE-LINE')}" in text


def test_errors_have_tf_names_and_builtin_bases():
    assert issubclass(tf.errors.InvalidArgumentError, tf.errors.OpError)
    assert issubclass(tf.errors.InvalidArgumentError, ValueError)
    for name in ("NotFoundError", "OutOfRangeError", "ResourceExhaustedError",
                 "FailedPreconditionError", "UnimplementedError", "InternalError"):
        assert issubclass(getattr(tf.errors, name), tf.errors.OpError)
    error = tf.errors.NotFoundError(None, None, "missing")
    assert str(error) == "missing" and error.message == "missing"


def test_list_physical_devices():
    devices = tf.config.list_physical_devices()
    assert devices and devices[0].device_type == "CPU"
    assert tf.config.list_physical_devices("GPU") == []
    assert tf.config.list_physical_devices("CPU")[0].name == "/physical_device:CPU:0"


def test_device_scope():
    with tf.device("/CPU:0"):
        x = tf.constant([1.0]) + 1
    np.testing.assert_allclose(x.numpy(), [2.0])
    with tf.device("/job:localhost/replica:0/task:0/device:CPU:0"):
        pass
    with tf.device("/GPU:0"):  # soft placement: runs on the CPU, as TF does without a GPU
        assert (tf.constant(1.0) * 2).numpy() == 2.0
    with pytest.raises(ValueError, match="Invalid device"):
        with tf.device("cpu zero"):
            pass


def test_backend_seam_rebinds_kernels():
    from fluxion import backend
    from fluxion.core.primitive import REGISTRY

    assert backend.active().name == "numpy"
    backend.activate("numpy")
    assert all(p.impl is p.kernel for p in REGISTRY.values())
    with pytest.raises(ValueError, match="Unknown backend"):
        backend.activate("nonexistent")
