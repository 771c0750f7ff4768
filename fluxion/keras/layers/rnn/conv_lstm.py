"""Convolutional LSTMs: ``ConvLSTM1D``, ``ConvLSTM2D``, ``ConvLSTM3D``.

The LSTM of ``lstm.py`` with its matmuls replaced by convolutions (Shi et al. 2015):
the input convolution takes the layer's ``strides``/``padding``/``dilation_rate``, the
recurrent one is a stride-1 ``same`` convolution of the state.  Weights as Keras 3:
``kernel [*k, channels, 4F]``, ``recurrent_kernel [*k, F, 4F]``, ``bias [4F]``, gates
i, f, c, o.  Inputs are ``[batch, time, *spatial, channels]`` (channels_last only).
"""

from __future__ import annotations

import math

from fluxion.keras import activations
from fluxion.keras.layers.convolutional.arguments import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from fluxion.keras.layers.rnn.simple_rnn import CellArguments, CellLayer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import concat, split
from fluxion.ops.conv_ops import convolution
from fluxion.ops.creation_ops import ones, zeros


def _output_length(size, kernel: int, stride: int, dilation: int, padding: str):
    if size is None:
        return None
    if padding == "same":
        return math.ceil(size / stride)
    return math.ceil((size - (kernel - 1) * dilation) / stride)


class ConvLSTMCell(DropoutRNNCell, CellArguments, Layer):
    """One step of a convolutional LSTM over ``[batch, *spatial, channels]`` inputs."""

    def __init__(self, rank: int, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation="tanh",
                 recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self._set_cell_arguments(filters, activation, use_bias, kernel_initializer,
                                 recurrent_initializer, bias_initializer, kernel_regularizer,
                                 recurrent_regularizer, bias_regularizer, kernel_constraint,
                                 recurrent_constraint, bias_constraint, dropout,
                                 recurrent_dropout, seed)
        self.rank = rank
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        if self.data_format != "channels_last":
            raise NotImplementedError("ConvLSTM layers support data_format='channels_last' "
                                      "only; transpose the inputs to channels last.")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = -1  # set by build: the state's [*spatial, filters]
        self.output_size = None

    def state_spatial(self, input_shape) -> tuple:
        return tuple(_output_length(n, k, s, d, self.padding) for n, k, s, d in zip(
            input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate))

    def build(self, input_shape) -> None:
        shape = self.state_spatial(input_shape) + (self.filters,)
        self.state_size, self.output_size = [shape, shape], shape
        width = 4 * self.filters
        self.kernel = self.add_weight(shape=self.kernel_size + (input_shape[-1], width),
                                      name="kernel", initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, width), name="recurrent_kernel",
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:
                base, f = self.bias_initializer, self.filters

                def initializer(shape, dtype=None):
                    return concat([base((f,), dtype=dtype), ones((f,), dtype=dtype),
                                   base((2 * f,), dtype=dtype)], axis=0)
            self._add_bias((width,), initializer)
        self.built = True

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        if training and 0.0 < self.dropout < 1.0:
            inputs = inputs * self.get_dropout_mask(inputs)
        if training and 0.0 < self.recurrent_dropout < 1.0:
            h_tm1 = h_tm1 * self.get_recurrent_dropout_mask(h_tm1)
        z = convolution(inputs, self.kernel, strides=list(self.strides),
                        padding=self.padding.upper(), dilations=list(self.dilation_rate))
        if self.use_bias:
            z = z + self.bias
        z = z + convolution(h_tm1, self.recurrent_kernel, padding="SAME")
        z_i, z_f, z_c, z_o = split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_tm1 + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_initial_state(self, batch_size=None) -> list:
        return [zeros([batch_size] + list(s), dtype=self.compute_dtype)
                for s in self.state_size]

    def get_config(self) -> dict:
        config = {**super().get_config(), **self._cell_config()}
        del config["units"]
        config.update({
            "filters": self.filters, "kernel_size": self.kernel_size,
            "strides": self.strides, "padding": self.padding,
            "data_format": self.data_format, "dilation_rate": self.dilation_rate,
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias})
        return config


class ConvLSTM(CellLayer):
    """The RNN layer around a ``ConvLSTMCell`` of ``rank`` spatial axes (its config is the
    cell's arguments, as for SimpleRNN/LSTM/GRU)."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, **kwargs):
        cell = ConvLSTMCell(
            self.rank, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="conv_lstm_cell")
        unroll = kwargs.pop("unroll", False)
        zero_output = kwargs.pop("zero_output_for_mask", False)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         zero_output_for_mask=zero_output,
                         activity_regularizer=activity_regularizer, **kwargs)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        state = (batch,) + self.cell.state_spatial((batch,) + tuple(sequences_shape[2:])) + \
            (self.cell.filters,)
        output = state[:1] + (steps,) + state[1:] if self.return_sequences else state
        return [output, state, state] if self.return_state else output

    def compute_mask(self, inputs, mask=None):
        output_mask = mask if self.return_sequences else None
        return [output_mask, None, None] if self.return_state else output_mask

@keras_class("keras.layers")
class ConvLSTM1D(ConvLSTM):
    """1D convolutional LSTM over ``[batch, time, steps, channels]`` (``keras.layers``)."""

    rank = 1


@keras_class("keras.layers")
class ConvLSTM2D(ConvLSTM):
    """2D convolutional LSTM over ``[batch, time, rows, cols, channels]``.

    >>> import numpy as np
    >>> ConvLSTM2D(2, 3)(np.ones((1, 4, 5, 5, 1), "float32")).shape
    TensorShape([1, 3, 3, 2])
    """

    rank = 2


@keras_class("keras.layers")
class ConvLSTM3D(ConvLSTM):
    """3D convolutional LSTM over ``[batch, time, depth, rows, cols, channels]``."""

    rank = 3
