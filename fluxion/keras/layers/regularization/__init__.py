"""Regularization layers: Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout,
ActivityRegularization."""

from fluxion.keras.layers.regularization.activity_regularization import ActivityRegularization
from fluxion.keras.layers.regularization.alpha_dropout import AlphaDropout
from fluxion.keras.layers.regularization.dropout import Dropout
from fluxion.keras.layers.regularization.gaussian_noise import GaussianDropout, GaussianNoise
from fluxion.keras.layers.regularization.spatial_dropout import (
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)

__all__ = ["AlphaDropout", "ActivityRegularization", "Dropout", "GaussianDropout", "GaussianNoise",
           "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"]
