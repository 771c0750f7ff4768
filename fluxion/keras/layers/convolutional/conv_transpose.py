"""``Conv1DTranspose``, ``Conv2DTranspose``, ``Conv3DTranspose`` (upsampling convolutions).

>>> import numpy as np
>>> from fluxion import keras
>>> layer = keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same")
>>> layer(np.zeros([1, 4, 4, 2], np.float32)).shape
TensorShape([1, 8, 8, 3])
"""

from __future__ import annotations

from fluxion.keras.layers.convolutional.base_conv_transpose import BaseConvTranspose
from fluxion.keras.layers.convolutional.conv import forwarded
from fluxion.keras.saving.serialization import keras_class


@keras_class("keras.layers")
class Conv1DTranspose(BaseConvTranspose):
    """1-D transposed convolution; kernel ``[k, filters, in_channels]``."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=1, **forwarded(locals()))


@keras_class("keras.layers")
class Conv2DTranspose(BaseConvTranspose):
    """2-D transposed convolution; kernel ``[kh, kw, filters, in_channels]``."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=2, **forwarded(locals()))


@keras_class("keras.layers")
class Conv3DTranspose(BaseConvTranspose):
    """3-D transposed convolution; kernel ``[kd, kh, kw, filters, in_channels]``."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, output_padding=None, dilation_rate=(1, 1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(rank=3, **forwarded(locals()))


Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
