"""Errors inside compiled functions read as eager ones: TF's error classes, the op, its
inputs, the line that created the op and the caller's line."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.core.errors import InvalidArgumentError, ResourceExhaustedError


def test_gather_out_of_range_in_a_compiled_function():
    @tf.function
    def pick(x, i):
        return tf.gather(x, i)  # the op's line

    with pytest.raises(InvalidArgumentError) as info:
        pick(tf.constant([1.0, 2.0]), tf.constant([5]))
    text = str(info.value)
    assert text.startswith("gather:") and "float32[2], int32[1]" in text
    assert f"test_compiled_errors.py:{pick.__wrapped__.__code__.co_firstlineno + 2}" in text


def test_mismatched_matmul_with_unknown_shapes():
    @tf.function(input_signature=[tf.TensorSpec([None, None]), tf.TensorSpec([None, None])])
    def product(a, b):
        return tf.matmul(a, b)

    with pytest.raises(InvalidArgumentError, match=r"matmul: .*float32\[2, 3\], float32\[2, 3\]"):
        product(tf.ones([2, 3]), tf.ones([2, 3]))


def test_out_of_memory_is_resource_exhausted():
    with pytest.raises(ResourceExhaustedError, match="zeros"):
        tf.zeros([10**12])
    with pytest.raises(InvalidArgumentError, match="non-negative"):
        tf.fill([-1, 2], 1.0)


def test_integer_division_by_zero_raises_as_tf():
    for divide in (tf.math.floordiv, tf.math.floormod, lambda a, b: a // b):
        with pytest.raises(InvalidArgumentError, match="Integer division by zero"):
            divide(tf.constant([4]), tf.constant([0]))
        with pytest.raises(InvalidArgumentError, match="Integer division by zero"):
            tf.function(divide)(tf.constant([4]), tf.constant([0]))
    assert np.isinf(float((tf.constant([4.0]) // tf.constant([0.0]))[0]))


def test_python_ints_beyond_int64_are_refused_not_wrapped():
    for value in (2**63 + 5, [1, 2**63], 2**64 + 1):
        with pytest.raises((ValueError, TypeError), match="out-of-range|Cannot convert"):
            tf.constant(value)
    assert tf.constant(2**63 - 1).dtype == tf.int64


def test_a_signature_of_unknown_rank_accepts_every_rank():
    double = tf.function(lambda x: x * 2, input_signature=[tf.TensorSpec(None, tf.float32)])
    assert double(tf.constant(3.0)).numpy() == 6.0
    assert double(tf.constant([1.0, 2.0])).numpy().tolist() == [2.0, 4.0]
    assert double(tf.constant([5.0, 6.0, 7.0])).numpy().tolist() == [10.0, 12.0, 14.0]
    assert double(tf.constant([[1.0]])).shape == (1, 1)
    assert double.experimental_get_tracing_count() == 3  # once per rank
    with pytest.raises(TypeError, match="input_signature"):
        double(tf.constant([1, 2]))


@pytest.mark.parametrize("op", [tf.argmax, tf.cumsum, tf.reduce_sum])
def test_axis_zero_of_a_scalar_is_out_of_range(op):
    with pytest.raises((ValueError, InvalidArgumentError), match="out of range"):
        op(tf.constant(1.0), axis=0)
