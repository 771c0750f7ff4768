"""``LayerNormalization``: normalise each example over ``axis`` (the last by default).

``gamma`` and ``beta`` have the shape of the normalised axes.  ``rms_scaling=True``
(deprecated in Keras, kept for its configs) scales by ``rsqrt(variance + epsilon)``
without centring, and has no ``beta``.

>>> import numpy as np
>>> from fluxion import keras
>>> y = keras.layers.LayerNormalization()(np.array([[1.0, 3.0]], np.float32))
>>> np.round(y.numpy(), 2)
array([[-1.,  1.]], dtype=float32)
"""

from __future__ import annotations

import warnings

from fluxion.keras import constraints, initializers, regularizers
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.normalization.statistics import moments, upcast
from fluxion.keras.saving.serialization import keras_class, serialize_keras_object
from fluxion.ops.array_ops import cast, reshape
from fluxion.ops.math_ops import rsqrt


def check_axes(axes, input_shape, received) -> None:
    rank = len(input_shape)
    for axis in axes:
        if not -rank <= axis < rank:
            raise ValueError(f"Axis {axis} is out of bounds for input shape "
                             f"{tuple(input_shape)}. Received: axis={received}")


@keras_class("keras.layers")
class LayerNormalization(Layer):
    """Layer normalization over ``axis`` (an int or a list of ints)."""

    _casts_integer_inputs = True  # uint8 images, bool one-hots: as Keras promotes them

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, *,
                 rms_scaling=False, **kwargs):
        if rms_scaling:
            warnings.warn("You passed `rms_scaling=True`, which is deprecated. This argument "
                          "incorrectly scales the input by the variance, not the root mean "
                          "square. To correctly use RMS Normalization, please use "
                          "`keras.layers.RMSNormalization` instead.", stacklevel=2)
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = [int(a) for a in axis]
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Expected an int or a list/tuple of ints for the argument "
                            f"'axis', but received: {axis!r}")
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.autocast = False

    def build(self, input_shape) -> None:
        axes = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        check_axes(axes, input_shape, self.axis)
        self.axis = axes  # Keras keeps the sorted list after building
        shape = tuple(input_shape[a] for a in axes)
        if None in shape:
            raise ValueError(f'Layer "{self.name}" needs known sizes along axis {axes}; '
                             f"received input shape {tuple(input_shape)}")
        self.gamma = self.add_weight(
            name="gamma", shape=shape, initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
            autocast=False) if self.scale or self.rms_scaling else None
        self.beta = self.add_weight(
            name="beta", shape=shape, initializer=self.beta_initializer,
            regularizer=self.beta_regularizer, constraint=self.beta_constraint,
            autocast=False) if self.center and not self.rms_scaling else None
        rank = len(input_shape)
        positive = sorted(a % rank for a in axes)
        self._axes = tuple(positive)
        self._broadcast_shape = None if positive == [rank - 1] else tuple(
            input_shape[i] if i in positive else 1 for i in range(rank))
        self.built = True

    def _param(self, value, dtype):
        value = cast(value, dtype) if value.dtype.name != dtype.name else value
        return value if self._broadcast_shape is None else reshape(value,
                                                                   self._broadcast_shape)

    def call(self, inputs):
        x = upcast(inputs)
        mean, variance = moments(x, self._axes)
        inv = rsqrt(variance + self.epsilon)
        if self.rms_scaling:
            outputs = x * inv
            if self.gamma is not None:
                outputs = outputs * self._param(self.gamma, x.dtype)
        else:
            if self.gamma is not None:
                inv = inv * self._param(self.gamma, x.dtype)
            shift = -mean * inv
            if self.beta is not None:
                shift = shift + self._param(self.beta, x.dtype)
            outputs = x * inv + shift
        return cast(outputs, self.compute_dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale, "rms_scaling": self.rms_scaling,
            "beta_initializer": serialize_keras_object(self.beta_initializer),
            "gamma_initializer": serialize_keras_object(self.gamma_initializer),
            "beta_regularizer": serialize_keras_object(self.beta_regularizer),
            "gamma_regularizer": serialize_keras_object(self.gamma_regularizer),
            "beta_constraint": serialize_keras_object(self.beta_constraint),
            "gamma_constraint": serialize_keras_object(self.gamma_constraint),
        })
        return config
