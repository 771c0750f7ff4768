"""tf.bitwise, tf.dtypes (saturate_cast, quantized names), complex ops: NumPy and TF's values."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op


def test_bitwise_against_numpy():
    a = np.array([0, 5, -8, 127], np.int8)
    b = np.array([1, 3, 1, 2], np.int8)
    check_op(tf.bitwise.bitwise_and, [a, b], np.bitwise_and, grad=False)
    check_op(tf.bitwise.bitwise_or, [a, b], np.bitwise_or, grad=False)
    check_op(tf.bitwise.bitwise_xor, [a, b], np.bitwise_xor, grad=False)
    check_op(tf.bitwise.invert, [a], np.invert, grad=False)
    check_op(tf.bitwise.left_shift, [a, b], np.left_shift, grad=False)
    check_op(tf.bitwise.right_shift, [a, b], np.right_shift, grad=False)
    # TF clamps the shift to the bit width: 1 << 9 in int8 is 1 << 7 (values from TF 2.21).
    assert tf.bitwise.left_shift(tf.constant([1], tf.int8), 9).numpy().tolist() == [-128]
    with pytest.raises(tf.errors.InvalidArgumentError, match="integer"):
        tf.bitwise.invert(tf.constant([1.0]))


def test_saturate_cast_matches_tf():
    # Values from TF 2.21: the float32 clamp bound for int32 rounds toward zero.
    got = tf.dtypes.saturate_cast(tf.constant([-3.0, 300.0, 3e10]), tf.int32).numpy()
    assert got.tolist() == [-3, 300, 2147483520]
    assert tf.saturate_cast(tf.constant([-3.0, 300.0]), tf.uint8).numpy().tolist() == [0, 255]
    assert tf.saturate_cast(tf.constant([-1, 70000]), tf.int16).numpy().tolist() == [-1, 32767]


def test_dtype_names():
    assert tf.dtypes.as_dtype("qint8") is tf.qint8 and tf.qint8.is_quantized
    assert tf.qint8 in tf.dtypes.QUANTIZED_DTYPES and not tf.int8.is_quantized
    assert tf.dtypes.bool is tf.bool and tf.dtypes.float32 is tf.float32
    assert tf.as_dtype(np.int8) is tf.int8  # arrays never map to quantized types
    assert str(tf.dtypes.resource) == "<dtype: 'resource'>"
    assert tf.dtypes.cast(tf.constant([1.7]), tf.int32).numpy().tolist() == [1]


def test_complex_parts_and_gradients():
    x = np.array([1.0, -2.0])
    y = np.array([0.5, 3.0])
    check_op(lambda a, b: tf.math.real(tf.complex(a, b) * tf.complex(a, b)), [x, y],
             lambda a, b: np.real((a + 1j * b) ** 2), second_order=False)
    check_op(lambda a, b: tf.math.imag(tf.complex(a, b) * tf.complex(a, b)), [x, y],
             lambda a, b: np.imag((a + 1j * b) ** 2), second_order=False)
    check_op(lambda a, b: tf.math.real(tf.complex(a, b) * tf.math.conj(tf.complex(a, b))),
             [x, y], lambda a, b: a * a + b * b, second_order=False)
    check_op(lambda a, b: tf.math.angle(tf.complex(a, b)), [x, y],
             lambda a, b: np.angle(a + 1j * b), second_order=False)
    assert tf.complex(tf.constant(1.0), tf.constant(2.0)).dtype == tf.complex64
    np.testing.assert_array_equal(tf.math.imag(tf.constant([1.0, 2.0])).numpy(), [0.0, 0.0])
