"""convert_to_tensor on Python lists holding NumPy arrays and scalars: the dtypes TF 2.21
gives (recorded with the real package): NumPy integers follow the Python-int rule
(int32, int64 when a value needs it), NumPy floats keep their precision."""

import numpy as np
import pytest

import fluxion as tf

CASES = [
    ([np.zeros(3, np.uint8)], tf.int32),
    ([np.zeros(2, np.uint16)], tf.int32),
    ([np.zeros(2, np.int64)], tf.int32),
    ([np.uint8(3), 4], tf.int32),
    ([np.zeros(3)], tf.float64),
    ([np.float64(1.0), 2.0], tf.float64),
    ([np.zeros(2, np.float32), [1.0, 2.0]], tf.float32),
    ([np.float16(1)], tf.float16),
    ([1.0, 2.0], tf.float32),
    ([[1, 2], [3, 2**40]], tf.int64),
]


@pytest.mark.parametrize("value,dtype", CASES)
def test_list_of_numpy_values_gets_tf_dtype(value, dtype):
    tensor = tf.convert_to_tensor(value)
    assert tensor.dtype == dtype
    np.testing.assert_array_equal(tensor.numpy(), np.asarray(value).astype(dtype.as_numpy_dtype))


def test_image_list_converts_as_keras_programs_use_it():
    image = np.random.default_rng(0).integers(0, 256, (4, 4, 3)).astype("uint8")
    batch = tf.convert_to_tensor([image])
    assert batch.shape == (1, 4, 4, 3) and batch.numpy().max() == image.max()


def test_integer_beyond_int64_still_refused():
    with pytest.raises(ValueError, match="out-of-range integer"):
        tf.convert_to_tensor([2**63])
