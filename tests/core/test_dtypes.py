"""DType names, conversion and TensorShape with unknown dimensions."""

import numpy as np
import pytest

import fluxion as tf


def test_names_and_identity():
    assert tf.as_dtype("float32") is tf.float32
    assert tf.as_dtype(np.float64) is tf.float64
    assert tf.as_dtype(np.dtype("int8")) is tf.int8
    assert tf.as_dtype(tf.int64) is tf.int64
    assert tf.as_dtype(bool) is tf.bool
    assert tf.float32 == "float32" and tf.float32 != tf.float64
    assert repr(tf.float32) == "tf.float32" and tf.float32.name == "float32"
    assert tf.float32.is_floating and tf.int32.is_integer and tf.complex64.is_complex
    assert tf.float32.as_numpy_dtype is np.float32
    assert tf.uint8.max == 255 and tf.int8.min == -128
    assert tf.double is tf.float64 and tf.half is tf.float16


def test_unknown_dtype_is_a_clear_error():
    with pytest.raises(TypeError, match="expected one of"):
        tf.as_dtype("float33")


def test_bfloat16_only_with_ml_dtypes():
    try:
        import ml_dtypes  # noqa: F401
    except ImportError:
        assert tf.bfloat16 is None
        with pytest.raises(TypeError, match="ml_dtypes"):
            tf.as_dtype("bfloat16")
    else:
        assert tf.constant([1.0], dtype=tf.bfloat16).dtype is tf.bfloat16


def test_tensor_shape_with_unknown_dimensions():
    shape = tf.TensorShape([None, 3])
    assert shape.rank == 2 and shape[0] is None and shape[1] == 3
    assert not shape.is_fully_defined()
    assert shape.is_compatible_with([5, 3]) and not shape.is_compatible_with([5, 4])
    assert shape.merge_with([5, None]) == (5, 3)
    assert tf.TensorShape(None).rank is None
    assert tf.TensorShape([2, 3]).num_elements() == 6
    assert str(tf.TensorShape([None, 3])) == "(None, 3)"
    assert tf.TensorShape([1]) + tf.TensorShape([2]) == (1, 2)
    assert tf.TensorShape([4, 5])[1:] == (5,)
    with pytest.raises(ValueError):
        tf.TensorShape([2]).merge_with([3])
