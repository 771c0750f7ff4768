"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, ZeroPadding1D/2D/3D,
Cropping1D/2D/3D, UpSampling1D/2D/3D."""

from fluxion.keras.layers.reshaping.cropping import Cropping1D, Cropping2D, Cropping3D
from fluxion.keras.layers.reshaping.flatten import Flatten
from fluxion.keras.layers.reshaping.permute import Permute
from fluxion.keras.layers.reshaping.repeat_vector import RepeatVector
from fluxion.keras.layers.reshaping.reshape import Reshape
from fluxion.keras.layers.reshaping.up_sampling import UpSampling1D, UpSampling2D, UpSampling3D
from fluxion.keras.layers.reshaping.zero_padding import (
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)

__all__ = ["Cropping1D", "Cropping2D", "Cropping3D", "Flatten", "Permute", "RepeatVector",
           "Reshape", "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D",
           "ZeroPadding2D", "ZeroPadding3D"]
