"""The bundled digits dataset loads offline, with the documented shapes and a stable split."""

import numpy as np
import pytest

from fluxion.datasets import digits


def test_load_arrays():
    images, labels = digits.load_arrays()
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert labels.shape == (1797,) and set(labels.tolist()) == set(range(10))
    assert images.max() == 16 and images.min() == 0


def test_split_is_deterministic_and_disjoint():
    (x_train, y_train), (x_test, y_test) = digits.load_data(test_split=0.2, seed=3)
    (x_train2, _), _ = digits.load_data(test_split=0.2, seed=3)
    assert x_train.shape == (1438, 8, 8) and x_test.shape == (359, 8, 8)
    assert y_train.shape == (1438,) and y_test.shape == (359,)
    np.testing.assert_array_equal(x_train, x_train2)
    (x_other, _), _ = digits.load_data(seed=4)
    assert not np.array_equal(x_train, x_other)


def test_bad_split_is_rejected():
    with pytest.raises(ValueError, match="test_split"):
        digits.load_data(test_split=1.5)
