"""``BaseConvTranspose``: the transposed convolution behind ``Conv1DTranspose`` and family.

The kernel has shape ``[*kernel_size, filters, in_channels]`` (TF's transposed layout).
The output size along each spatial axis follows Keras: with ``'valid'`` padding
``(n - 1) * stride + k + output_padding``, where ``output_padding`` defaults to
``max(k, stride) - k``; with ``'same'``, ``n * stride`` (or ``(n - 1) * stride + k % 2 +
output_padding`` when it is given), ``k`` being the dilated kernel size.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.tensor import Tensor
from fluxion.keras import activations, constraints, initializers, regularizers
from fluxion.keras.layers.convolutional import arguments as args
from fluxion.keras.layers.convolutional.base_conv import activation_and_bias_config, finish
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.ops import conv_ops, nn


class BaseConvTranspose(Layer):
    """N-d transposed convolution; ``rank`` is the number of spatial axes."""

    _casts_integer_inputs = True  # uint8 images, bool one-hots: as Keras promotes them

    def __init__(self, rank: int, filters, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.filters = filters
        self.kernel_size = args.standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = args.standardize_tuple(strides, rank, "strides")
        self.dilation_rate = args.standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = args.standardize_padding(padding)
        self.output_padding = None if output_padding is None else args.standardize_tuple(
            output_padding, rank, "output_padding", allow_zero=True)
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
        if self.output_padding is not None:
            for i, (pad, stride) in enumerate(zip(self.output_padding, self.strides)):
                if pad >= stride:
                    raise ValueError(
                        f"`output_padding` must be strictly less than `strides` for all "
                        f"dimensions. At dimension {i}, `output_padding` is {pad} but "
                        f"`strides` is {stride}. Received: output_padding="
                        f"{self.output_padding}, strides={self.strides}")
        args.check_strides_and_dilation(self.strides, self.dilation_rate)
        self._tf_format = args.tf_data_format(self.data_format, rank)

    def build(self, input_shape) -> None:
        channels = args.input_channels(input_shape, self.data_format, self.name)
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={args.channel_axis(self.data_format): channels})
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (self.filters, channels),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = self.add_weight(
            name="bias", shape=(self.filters,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def _output_size(self, size, axis: int):
        if size is None:
            return None
        stride = self.strides[axis]
        kernel = (self.kernel_size[axis] - 1) * self.dilation_rate[axis] + 1
        pad = None if self.output_padding is None else self.output_padding[axis]
        if self.padding == "valid":
            pad = max(kernel, stride) - kernel if pad is None else pad
            return (size - 1) * stride + kernel + pad
        return size * stride if pad is None else (size - 1) * stride + kernel % 2 + pad

    def _output_shape(self, input_shape: tuple) -> list:
        """The full output shape, channels last (the layout the primitive works in)."""
        spatial = [input_shape[a] for a in args.spatial_axes(self.data_format, self.rank)]
        return [input_shape[0]] + [self._output_size(n, i) for i, n in enumerate(spatial)] \
            + [self.filters]

    def call(self, inputs):
        out = self._output_shape(tuple(inputs.shape))
        if None not in out:
            shape = out if self.data_format == "channels_last" else [out[0], out[-1]] + out[1:-1]
            outputs = nn.conv_transpose(inputs, self.kernel, shape, self.strides,
                                        padding=self.padding.upper(),
                                        data_format=self._tf_format,
                                        dilations=self.dilation_rate)
        else:
            outputs = self._dynamic_batch_transpose(inputs, out)
        return finish(self, outputs)

    def _dynamic_batch_transpose(self, inputs, out: list):
        # nn.conv_transpose needs a concrete output_shape.  When only the batch size is
        # unknown (a traced or functional call), a stand-in tensor of shape
        # [batch, *out_spatial, filters] carries the shape to the primitive, which reads
        # nothing else from it.
        first = self.data_format == "channels_first"
        x = conv_ops.to_channels_last(inputs, first)
        corner = x[(slice(None),) + (slice(0, 1),) * (self.rank + 1)]
        if None in out[1:]:  # unknown spatial sizes too: the stand-in's shape is computed
            like = corner + self._dynamic_zeros(x, x.dtype)
        else:
            like = corner + Tensor(np.zeros([1] + out[1:], dtype=x.dtype.np_dtype))
        y = conv_ops.conv_transpose_shaped_like(x, self.kernel.value, like, self.strides,
                                                self.padding.upper(), self.dilation_rate)
        return conv_ops.from_channels_last(y, first)

    def _dynamic_zeros(self, x, dtype):
        """Zeros ``[1, *output spatial sizes, filters]``, the sizes computed from ``x``'s
        run-time shape by ``_output_size``'s rule."""
        from fluxion.ops import creation_ops
        from fluxion.ops.array_ops import stack

        shape = creation_ops.shape(x)
        sizes = [1]
        for axis in range(self.rank):
            n = shape[axis + 1]
            stride = self.strides[axis]
            kernel = (self.kernel_size[axis] - 1) * self.dilation_rate[axis] + 1
            pad = None if self.output_padding is None else self.output_padding[axis]
            if self.padding == "valid":
                pad = max(kernel, stride) - kernel if pad is None else pad
                sizes.append((n - 1) * stride + kernel + pad)
            else:
                sizes.append(n * stride if pad is None else
                             (n - 1) * stride + kernel % 2 + pad)
        sizes.append(self.filters)
        return creation_ops.zeros(stack(sizes), dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "output_padding": self.output_padding,
            "data_format": self.data_format, "dilation_rate": self.dilation_rate,
            **activation_and_bias_config(self, "kernel"),
        })
        return config
