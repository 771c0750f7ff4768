"""``BatchNormalization``: normalise each feature by batch statistics while training.

Weights, in Keras's order: ``gamma`` and ``beta`` (trainable, when ``scale`` and
``center``), ``moving_mean`` and ``moving_variance`` (not trainable).

- ``training=True`` (and the layer trainable): normalise with the mean and variance of
  the batch, and move the moving statistics towards them,
  ``moving = moving * momentum + batch * (1 - momentum)``, with ``Variable.assign`` so
  that the update also happens inside ``fluxion.function``.
- otherwise, including whenever the layer is frozen (``trainable=False``, as in Keras 3):
  normalise with the moving statistics.

>>> import numpy as np
>>> from fluxion import keras
>>> layer = keras.layers.BatchNormalization()
>>> y = layer(np.array([[0.0], [2.0]], np.float32), training=True)
>>> np.round(layer.moving_mean.numpy(), 4)
array([0.01], dtype=float32)
"""

from __future__ import annotations

from fluxion.keras import constraints, initializers, regularizers
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.normalization.statistics import moments, upcast
from fluxion.keras.saving.serialization import keras_class, serialize_keras_object
from fluxion.ops import nn
from fluxion.ops.array_ops import cast, reshape


@keras_class("keras.layers")
class BatchNormalization(Layer):
    """Batch normalization along ``axis`` (the features axis, last by default)."""

    _casts_integer_inputs = True  # uint8 images, bool one-hots: as Keras promotes them

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if renorm:
            raise NotImplementedError("BatchNormalization(renorm=True) is not supported yet; "
                                      "use renorm=False.")
        self.axis = int(axis)
        self.synchronized = synchronized  # one process: nothing to synchronise
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.renorm = renorm
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.supports_masking = True
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape) -> None:
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(f"Axis {self.axis} is out of bounds for input shape "
                             f"{tuple(input_shape)}. Received: axis={self.axis}")
        size = input_shape[self.axis]
        if size is None:
            raise ValueError(f'Layer "{self.name}" needs a known size along axis {self.axis}; '
                             f"received input shape {tuple(input_shape)}")
        shape = (size,)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma",
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, autocast=False)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta",
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, autocast=False)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False, autocast=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer,
                                               trainable=False, autocast=False)
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: size})
        axis = self.axis % rank
        self._reduction_axes = tuple(i for i in range(rank) if i != axis)
        # Per-feature tensors broadcast as they are along the last axis; elsewhere they
        # are reshaped to [1, ..., size, ..., 1].
        self._broadcast_shape = None if axis == rank - 1 else tuple(
            size if i == axis else 1 for i in range(rank))
        self.built = True

    def _per_feature(self, value, dtype):
        value = cast(value, dtype) if value.dtype.name != dtype.name else value
        return value if self._broadcast_shape is None else reshape(value,
                                                                   self._broadcast_shape)

    def call(self, inputs, training=None, mask=None):
        if mask is not None and len(mask.shape) != len(inputs.shape) - 1:
            raise ValueError(f"The mask provided should be one dimension less than the "
                             f"inputs. Received: mask.shape={tuple(mask.shape)}, "
                             f"inputs.shape={tuple(inputs.shape)}")
        x = upcast(inputs)
        if training and self.trainable:
            mean, variance = moments(x, self._reduction_axes, mask)
            self._update_moving_statistics(mean, variance)
        else:
            mean = self._per_feature(self.moving_mean, x.dtype)
            variance = self._per_feature(self.moving_variance, x.dtype)
        gamma = None if self.gamma is None else self._per_feature(self.gamma, x.dtype)
        beta = None if self.beta is None else self._per_feature(self.beta, x.dtype)
        outputs = nn.batch_normalization(x, mean, variance, beta, gamma, self.epsilon)
        return cast(outputs, self.compute_dtype)

    def _update_moving_statistics(self, mean, variance) -> None:
        size = self.moving_mean.shape[0]
        for variable, batch_value in ((self.moving_mean, mean),
                                      (self.moving_variance, variance)):
            batch_value = cast(reshape(batch_value, (size,)), variable.dtype)
            variable.assign(variable * self.momentum + batch_value * (1.0 - self.momentum))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": serialize_keras_object(self.beta_initializer),
            "gamma_initializer": serialize_keras_object(self.gamma_initializer),
            "moving_mean_initializer": serialize_keras_object(self.moving_mean_initializer),
            "moving_variance_initializer": serialize_keras_object(
                self.moving_variance_initializer),
            "beta_regularizer": serialize_keras_object(self.beta_regularizer),
            "gamma_regularizer": serialize_keras_object(self.gamma_regularizer),
            "beta_constraint": serialize_keras_object(self.beta_constraint),
            "gamma_constraint": serialize_keras_object(self.gamma_constraint),
            "synchronized": self.synchronized, "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping, "renorm_momentum": self.renorm_momentum,
        })
        return config
