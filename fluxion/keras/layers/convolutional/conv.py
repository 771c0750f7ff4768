"""``Conv1D``, ``Conv2D``, ``Conv3D``: ``BaseConv`` with one, two or three spatial axes.

>>> import numpy as np
>>> from fluxion import keras
>>> keras.layers.Conv2D(4, 3, padding="same")(np.zeros([1, 5, 5, 2], np.float32)).shape
TensorShape([1, 5, 5, 4])
"""

from __future__ import annotations

from fluxion.keras.layers.convolutional.base_conv import BaseConv
from fluxion.keras.saving.serialization import keras_class


def forwarded(arguments: dict) -> dict:
    """A subclass's ``locals()`` as keyword arguments for the base ``__init__``.

    The subclasses spell out Keras's signature (so ``inspect.signature`` and the
    defaults match Keras) and hand everything on unchanged.
    """
    arguments = dict(arguments)
    arguments.pop("self")
    arguments.pop("__class__", None)
    extra = arguments.pop("kwargs")
    return {**arguments, **extra}


@keras_class("keras.layers")
class Conv1D(BaseConv):
    """1-D convolution over ``[batch, steps, channels]``; ``padding`` may be ``'causal'``."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=1, **forwarded(locals()))


@keras_class("keras.layers")
class Conv2D(BaseConv):
    """2-D convolution over ``[batch, height, width, channels]`` (or channels first)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=2, **forwarded(locals()))


@keras_class("keras.layers")
class Conv3D(BaseConv):
    """3-D convolution over ``[batch, depth, height, width, channels]``."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=3, **forwarded(locals()))


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
