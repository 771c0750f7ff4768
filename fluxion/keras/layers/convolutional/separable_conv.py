"""``SeparableConv1D`` and ``SeparableConv2D``: a depthwise then a pointwise convolution.

Weights: ``depthwise_kernel`` ``[*kernel_size, in_channels, depth_multiplier]``,
``pointwise_kernel`` ``[1, ..., 1, in_channels * depth_multiplier, filters]`` and ``bias``
``[filters]``.
"""

from __future__ import annotations

from fluxion.keras import activations, constraints, initializers, regularizers
from fluxion.keras.layers.convolutional import arguments as args
from fluxion.keras.layers.convolutional.base_conv import activation_and_bias_config, finish
from fluxion.keras.layers.convolutional.conv import forwarded
from fluxion.keras.layers.convolutional.depthwise_conv import depthwise
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import nn


class BaseSeparableConv(Layer):
    """Separable convolution with ``rank`` spatial axes."""

    _casts_integer_inputs = True  # uint8 images, bool one-hots: as Keras promotes them

    def __init__(self, rank: int, depth_multiplier, filters, kernel_size, strides=1,
                 padding="valid", data_format=None, dilation_rate=1, activation=None,
                 use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.depth_multiplier = depth_multiplier
        self.filters = filters
        self.kernel_size = args.standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = args.standardize_tuple(strides, rank, "strides")
        self.dilation_rate = args.standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = args.standardize_padding(padding)
        self.data_format = args.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2)
        args.check_positive(depth_multiplier, "depth_multiplier")
        args.check_positive(filters, "filters")
        args.check_strides_and_dilation(self.strides, self.dilation_rate)
        self._tf_format = args.tf_data_format(self.data_format, rank)

    def build(self, input_shape) -> None:
        channels = args.input_channels(input_shape, self.data_format, self.name)
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={args.channel_axis(self.data_format): channels})
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(1,) * self.rank + (self.depth_multiplier * channels, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self.bias = self.add_weight(
            name="bias", shape=(self.filters,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        hidden = depthwise(self, inputs, self.depthwise_kernel)
        outputs = nn.convolution(hidden, self.pointwise_kernel, padding="VALID",
                                 data_format=self._tf_format)
        return finish(self, outputs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier, "filters": self.filters,
            "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            **activation_and_bias_config(self, "depthwise", "pointwise"),
        })
        return config


@keras_class("keras.layers")
class SeparableConv1D(BaseSeparableConv):
    """1-D separable convolution."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(rank=1, **forwarded(locals()))


@keras_class("keras.layers")
class SeparableConv2D(BaseSeparableConv):
    """2-D separable convolution."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(rank=2, **forwarded(locals()))


SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
