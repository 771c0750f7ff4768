"""``MaxPooling1D/2D/3D`` and ``AveragePooling1D/2D/3D``.

>>> import numpy as np
>>> from fluxion import keras
>>> keras.layers.MaxPooling2D()(np.zeros([1, 4, 4, 3], np.float32)).shape
TensorShape([1, 2, 2, 3])
"""

from __future__ import annotations

from fluxion.keras.layers.pooling.base_pooling import BasePooling
from fluxion.keras.saving.serialization import keras_class


@keras_class("keras.layers")
class MaxPooling1D(BasePooling):
    """Max pooling over the steps of ``[batch, steps, channels]``."""

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, 1, "max", padding, data_format, name=name,
                         **kwargs)


@keras_class("keras.layers")
class MaxPooling2D(BasePooling):
    """Max pooling over height and width."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, 2, "max", padding, data_format, name=name,
                         **kwargs)


@keras_class("keras.layers")
class MaxPooling3D(BasePooling):
    """Max pooling over depth, height and width."""

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, 3, "max", padding, data_format, name=name,
                         **kwargs)


@keras_class("keras.layers")
class AveragePooling1D(BasePooling):
    """Average pooling over the steps of ``[batch, steps, channels]``."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, 1, "average", padding, data_format, name=name,
                         **kwargs)


@keras_class("keras.layers")
class AveragePooling2D(BasePooling):
    """Average pooling over height and width."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, 2, "average", padding, data_format, name=name,
                         **kwargs)


@keras_class("keras.layers")
class AveragePooling3D(BasePooling):
    """Average pooling over depth, height and width."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, 3, "average", padding, data_format, name=name,
                         **kwargs)


MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
