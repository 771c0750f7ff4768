"""Masks pass through the layers that support masking, and layers get Keras's default names."""

import numpy as np
import pytest

from fluxion.keras import layers
from fluxion.keras.engine import naming


def _masked_input():
    x = np.ones((2, 3, 2), "float32")
    x[0, 1] = 0.0
    return layers.Masking()(x)


@pytest.mark.parametrize("make", [
    lambda: layers.Dropout(0.5), lambda: layers.Identity(), lambda: layers.GaussianNoise(0.1),
    lambda: layers.ActivityRegularization(l1=0.1),
])
def test_mask_passes_through_identity_like_layers(make):
    masked = _masked_input()
    out = make()(masked)
    np.testing.assert_array_equal(out._keras_mask.numpy(), masked._keras_mask.numpy())


@pytest.mark.parametrize("make", [
    lambda: layers.ReLU(), lambda: layers.Dense(2), lambda: layers.Activation("tanh"),
    lambda: layers.LeakyReLU(),
])
def test_mask_passes_through_supporting_layers(make):
    masked = _masked_input()
    out = make()(masked)
    np.testing.assert_array_equal(out._keras_mask.numpy(), masked._keras_mask.numpy())


def test_layers_without_mask_support_drop_it():
    assert getattr(layers.Flatten()(_masked_input()), "_keras_mask", None) is None


def test_default_names_follow_keras():
    naming.reset()
    assert layers.SpatialDropout1D(0.1).name == "spatial_dropout1d"
    assert layers.ZeroPadding2D().name == "zero_padding2d"
    assert layers.UpSampling2D().name == "up_sampling2d"


def test_default_names_without_digits():
    naming.reset()
    assert layers.ReLU().name == "re_lu"
    assert layers.PReLU().name == "p_re_lu"
    assert layers.EinsumDense("ab,bc->ac", 2).name == "einsum_dense"
