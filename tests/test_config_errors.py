"""tf.config settings and tf.errors codes, as TF 2.21 gives them."""

import pytest

import fluxion as tf


def test_error_codes_and_classes():
    assert tf.errors.INVALID_ARGUMENT == 3 and tf.errors.UNAUTHENTICATED == 16
    assert tf.errors.InvalidArgumentError(None, None, "m").error_code == 3
    assert tf.errors.NotFoundError("gone").error_code == tf.errors.NOT_FOUND
    assert issubclass(tf.errors.OperatorNotAllowedInGraphError, TypeError)

    @tf.function
    def to_python(x):
        return x.numpy()  # a traced tensor has no NumPy value

    with pytest.raises(tf.errors.OperatorNotAllowedInGraphError):
        to_python(tf.constant(1.0))


def test_device_configuration_roundtrip():
    cpu = tf.config.list_physical_devices("CPU")[0]
    assert tf.config.get_logical_device_configuration(cpu) is None
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration(memory_limit=10)])
    assert tf.config.get_logical_device_configuration(cpu)[0].memory_limit == 10
    tf.config.set_logical_device_configuration(cpu, None)
    tf.config.set_visible_devices([cpu])
    with pytest.raises(ValueError, match="CPU cannot be hidden"):
        tf.config.set_visible_devices([])
    assert tf.config.get_soft_device_placement()
    tf.config.set_soft_device_placement(False)
    assert not tf.config.get_soft_device_placement()
    tf.config.set_soft_device_placement(True)
    tf.config.experimental.set_memory_growth(cpu, True)
    assert tf.config.experimental.get_memory_growth(cpu)
    with pytest.raises(ValueError, match="Unrecognized device"):
        tf.config.experimental.set_memory_growth("GPU:7", True)
    assert tf.config.experimental_functions_run_eagerly() is False
    assert tf.config.experimental.tensor_float_32_execution_enabled()
