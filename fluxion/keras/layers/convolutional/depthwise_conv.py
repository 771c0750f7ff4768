"""``DepthwiseConv1D`` and ``DepthwiseConv2D``: each input channel convolved on its own.

The kernel has shape ``[*kernel_size, in_channels, depth_multiplier]``; output channel
``c * depth_multiplier + m`` is input channel ``c`` convolved with ``kernel[..., c, m]``.
That is a grouped convolution with one group per input channel, so the layer reshapes
the kernel to ``[*kernel_size, 1, in_channels * depth_multiplier]`` and convolves.
"""

from __future__ import annotations

from fluxion.keras import activations, constraints, initializers, regularizers
from fluxion.keras.layers.convolutional import arguments as args
from fluxion.keras.layers.convolutional.base_conv import activation_and_bias_config, finish
from fluxion.keras.layers.convolutional.conv import forwarded
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import nn
from fluxion.ops.array_ops import reshape


def depthwise(layer, inputs, kernel):
    """The depthwise convolution of ``inputs`` with ``[*k, in, mult]`` ``kernel``."""
    shape = tuple(kernel.shape)
    grouped = reshape(kernel, shape[:-2] + (1, shape[-2] * shape[-1]))
    return nn.convolution(inputs, grouped, strides=layer.strides,
                          padding=layer.padding.upper(), data_format=layer._tf_format,
                          dilations=layer.dilation_rate)


class BaseDepthwiseConv(Layer):
    """Depthwise convolution with ``rank`` spatial axes."""

    _casts_integer_inputs = True  # uint8 images, bool one-hots: as Keras promotes them

    def __init__(self, rank: int, depth_multiplier, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.depth_multiplier = depth_multiplier
        self.kernel_size = args.standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = args.standardize_tuple(strides, rank, "strides")
        self.dilation_rate = args.standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = args.standardize_padding(padding)
        self.data_format = args.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2)
        args.check_positive(depth_multiplier, "depth_multiplier")
        args.check_strides_and_dilation(self.strides, self.dilation_rate)
        self._tf_format = args.tf_data_format(self.data_format, rank)

    def build(self, input_shape) -> None:
        channels = args.input_channels(input_shape, self.data_format, self.name)
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={args.channel_axis(self.data_format): channels})
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.bias = self.add_weight(
            name="bias", shape=(self.depth_multiplier * channels,),
            initializer=self.bias_initializer, regularizer=self.bias_regularizer,
            constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        return finish(self, depthwise(self, inputs, self.kernel))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier, "kernel_size": self.kernel_size,
            "strides": self.strides, "padding": self.padding,
            "data_format": self.data_format, "dilation_rate": self.dilation_rate,
            **activation_and_bias_config(self, "depthwise"),
        })
        return config


@keras_class("keras.layers")
class DepthwiseConv1D(BaseDepthwiseConv):
    """1-D depthwise convolution; kernel ``[k, in_channels, depth_multiplier]``."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=1, **forwarded(locals()))


@keras_class("keras.layers")
class DepthwiseConv2D(BaseDepthwiseConv):
    """2-D depthwise convolution; kernel ``[kh, kw, in_channels, depth_multiplier]``."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=2, **forwarded(locals()))
