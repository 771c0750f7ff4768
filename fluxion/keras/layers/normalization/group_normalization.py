"""``GroupNormalization``: normalise each example over groups of channels.

The channels along ``axis`` split into ``groups`` contiguous groups; each group of each
example is normalised over its channels and all the other non-batch axes.
``groups=-1`` means one group per channel (instance normalization).

The statistics are taken per channel first, then averaged within each group (the
channels of a group hold equally many elements, so this is the group's mean).  Only
the small ``[batch, channels]`` statistics are regrouped, so the layer works whatever
dimensions are unknown.
"""

from __future__ import annotations

from fluxion.keras import constraints, initializers, regularizers
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.normalization.layer_normalization import check_axes
from fluxion.keras.layers.normalization.statistics import upcast
from fluxion.keras.saving.serialization import keras_class, serialize_keras_object
from fluxion.ops.array_ops import cast, reshape
from fluxion.ops.creation_ops import ones
from fluxion.ops.math_ops import rsqrt
from fluxion.ops.reduce_ops import reduce_mean


@keras_class("keras.layers")
class GroupNormalization(Layer):
    """Group normalization with ``groups`` groups along ``axis``."""

    _casts_integer_inputs = True  # uint8 images, bool one-hots: as Keras promotes them

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(f"Received an invalid value for argument `groups`, expected a "
                             f"positive integer (or `-1` for instance normalization). "
                             f"Received: groups={groups}")
        super().__init__(**kwargs)
        self.supports_masking = True
        self.autocast = False
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape) -> None:
        check_axes([self.axis], input_shape, self.axis)
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined "
                             f"dimension but the layer received an input with shape "
                             f"{tuple(input_shape)}.")
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the "
                             f"number of channels ({dim}).")
        if dim % self.groups:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the "
                             f"number of channels ({dim}).")
        rank = len(input_shape)
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: dim})
        self.gamma = self.add_weight(
            shape=(dim,), name="gamma", initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
            autocast=False) if self.scale else None
        self.beta = self.add_weight(
            shape=(dim,), name="beta", initializer=self.beta_initializer,
            regularizer=self.beta_regularizer, constraint=self.beta_constraint,
            autocast=False) if self.center else None
        axis = self.axis % rank
        self._channels = dim
        self._reduction_axes = tuple(i for i in range(1, rank) if i != axis)
        self._channel_shape = tuple(dim if i == axis else 1 for i in range(1, rank))
        self.built = True

    def _group_average(self, per_channel):
        """``[batch, C]`` per-channel values -> each group's mean, broadcast over ``x``."""
        size = self._channels // self.groups
        grouped = reduce_mean(reshape(per_channel, (-1, self.groups, size)), axis=-1,
                              keepdims=True)
        spread = grouped * ones((1, self.groups, size), per_channel.dtype)
        return reshape(spread, (-1,) + self._channel_shape)

    def _per_channel(self, value, dtype):
        value = cast(value, dtype) if value.dtype.name != dtype.name else value
        return reshape(value, (1,) + self._channel_shape)

    def call(self, inputs):
        x = upcast(inputs)
        mean = self._group_average(reduce_mean(x, axis=self._reduction_axes))
        deviation = x - mean
        variance = self._group_average(
            reduce_mean(deviation * deviation, axis=self._reduction_axes))
        inv = rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * self._per_channel(self.gamma, x.dtype)
        outputs = deviation * inv
        if self.beta is not None:
            outputs = outputs + self._per_channel(self.beta, x.dtype)
        return cast(cast(outputs, inputs.dtype), self.compute_dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": serialize_keras_object(self.beta_initializer),
            "gamma_initializer": serialize_keras_object(self.gamma_initializer),
            "beta_regularizer": serialize_keras_object(self.beta_regularizer),
            "gamma_regularizer": serialize_keras_object(self.gamma_regularizer),
            "beta_constraint": serialize_keras_object(self.beta_constraint),
            "gamma_constraint": serialize_keras_object(self.gamma_constraint),
        })
        return config
