"""``BaseConv``: the N-d convolution layer behind ``Conv1D``, ``Conv2D`` and ``Conv3D``.

Weights: ``kernel`` of shape ``[*kernel_size, in_channels // groups, filters]`` (TF's
filter layout, so a grouped convolution is just a shallower kernel) and ``bias`` of
shape ``[filters]``.  ``padding='causal'`` (1-D only) left-pads by
``dilation_rate * (kernel_size - 1)``, so output step ``t`` sees inputs up to ``t``.
"""

from __future__ import annotations

from fluxion.keras import activations, constraints, initializers, regularizers
from fluxion.keras.layers.convolutional import arguments as args
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import serialize_keras_object
from fluxion.ops import nn


class BaseConv(Layer):
    """N-d convolution; ``rank`` is the number of spatial axes."""

    _casts_integer_inputs = True  # uint8 images, bool one-hots: as Keras promotes them

    def __init__(self, rank: int, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.filters = filters
        self.groups = groups
        self.kernel_size = args.standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = args.standardize_tuple(strides, rank, "strides")
        self.dilation_rate = args.standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = args.standardize_padding(padding, allow_causal=rank == 1)
        self.data_format = args.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2)
        args.check_positive(filters, "filters")
        if groups <= 0:
            raise ValueError(f"The number of groups must be a positive integer. "
                             f"Received: groups={groups}.")
        if filters is not None and filters % groups:
            raise ValueError(f"The number of filters must be evenly divisible by the number "
                             f"of groups. Received: groups={groups}, filters={filters}.")
        args.check_strides_and_dilation(self.strides, self.dilation_rate)
        self._tf_format = args.tf_data_format(self.data_format, rank)
        self._tf_padding = self._padding_argument()

    def _padding_argument(self):
        if self.padding == "causal":  # explicit (left, right) pads for the single axis
            return ((self.dilation_rate[0] * (self.kernel_size[0] - 1), 0),)
        return self.padding.upper()

    def build(self, input_shape) -> None:
        channels = args.input_channels(input_shape, self.data_format, self.name)
        if channels % self.groups:
            raise ValueError(f"The number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the input "
                             f"has {channels} channels (full input shape is "
                             f"{tuple(input_shape)}).")
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={args.channel_axis(self.data_format): channels})
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels // self.groups, self.filters),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = self.add_weight(
            name="bias", shape=(self.filters,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def convolution_op(self, inputs, kernel):
        return nn.convolution(inputs, kernel, strides=self.strides, padding=self._tf_padding,
                              data_format=self._tf_format, dilations=self.dilation_rate)

    def call(self, inputs):
        outputs = self.convolution_op(inputs, self.kernel)
        return finish(self, outputs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format,
            "dilation_rate": self.dilation_rate, "groups": self.groups,
            **activation_and_bias_config(self, "kernel"),
        })
        return config


def finish(layer, outputs):
    """Adds the bias (along the channel axis) and applies the activation."""
    if layer.use_bias:
        outputs = nn.bias_add(outputs, layer.bias, data_format=layer._tf_format)
    return layer.activation(outputs) if layer.activation is not None else outputs


def activation_and_bias_config(layer, *kernels: str) -> dict:
    """The config entries after the window arguments, in Keras's order."""
    config = {"activation": activations.serialize(layer.activation),
              "use_bias": layer.use_bias}
    for prefix in kernels + ("bias",):
        config[f"{prefix}_initializer"] = serialize_keras_object(
            getattr(layer, f"{prefix}_initializer"))
    for prefix in kernels + ("bias",):
        config[f"{prefix}_regularizer"] = serialize_keras_object(
            getattr(layer, f"{prefix}_regularizer"))
    config["activity_regularizer"] = serialize_keras_object(layer.activity_regularizer)
    for prefix in kernels + ("bias",):
        config[f"{prefix}_constraint"] = serialize_keras_object(
            getattr(layer, f"{prefix}_constraint"))
    return config
