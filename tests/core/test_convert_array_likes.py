"""convert_to_tensor on array-likes (objects with ``__array__``: pandas columns): NumPy's
dtype is kept, string columns become string tensors of bytes, and Dataset slices work."""

import numpy as np
import pytest

import fluxion as tf

pd = pytest.importorskip("pandas")


class ArrayLike:
    def __init__(self, array):
        self.array = array

    def __array__(self, dtype=None, copy=None):
        return self.array if dtype is None else self.array.astype(dtype)


def test_array_like_keeps_numpy_dtype():
    assert tf.convert_to_tensor(ArrayLike(np.arange(3, dtype=np.int64))).dtype == tf.int64
    assert tf.convert_to_tensor(pd.Series([1.5, 2.0])).dtype == tf.float64
    assert tf.convert_to_tensor(pd.Series([1, 2])).dtype == tf.int64


def test_pandas_string_column_is_a_string_tensor():
    tensor = tf.convert_to_tensor(pd.Series(["normal", "fixed"]))
    assert tensor.dtype == tf.string
    assert tensor.numpy().tolist() == [b"normal", b"fixed"]


def test_dataset_from_dataframe_dict():
    frame = pd.DataFrame({"age": [63, 37], "thal": ["fixed", "normal"]})
    dataset = tf.data.Dataset.from_tensor_slices((dict(frame), pd.Series([1, 0])))
    features, label = next(iter(dataset))
    assert features["thal"].numpy() == b"fixed" and int(label) == 1
    assert features["age"].dtype == tf.int64
