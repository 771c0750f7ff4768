"""``LSTMCell`` and ``LSTM``.  Weights as Keras 3 lays them out: ``kernel [input, 4U]``,
``recurrent_kernel [U, 4U]``, ``bias [4U]``, gates in the order i, f, c, o.

With Keras's default activations and no recurrent dropout, ``LSTM`` runs the fused
``lstm_sequence`` primitive: the whole sequence is one kernel (one matrix product per
step, the input projection included), its gradient another.  Other configurations run
the cell in the generic RNN loop.
"""

from __future__ import annotations

from fluxion.keras import activations
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from fluxion.keras.layers.rnn.simple_rnn import CellArguments, CellLayer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import (
    concat,
    expand_dims,
    reshape,
    reverse,
    split,
    transpose,
    where,
)
from fluxion.ops.creation_ops import cast, ones, zeros, zeros_like
from fluxion.ops.creation_ops import shape as dynamic_shape
from fluxion.ops.linalg_ops import matmul
from fluxion.ops.math_ops import greater
from fluxion.ops.recurrent_ops import lstm_sequence


@keras_class("keras.layers")
class LSTMCell(DropoutRNNCell, CellArguments, Layer):
    """One step of a long short-term memory layer (``keras.layers.LSTMCell``).

    >>> import numpy as np
    >>> cell = LSTMCell(3)
    >>> h, (h2, c) = cell(np.ones((2, 4), "float32"), [np.zeros((2, 3), "float32")] * 2)
    >>> h.shape
    TensorShape([2, 3])
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        self._set_cell_arguments(units, activation, use_bias, kernel_initializer,
                                 recurrent_initializer, bias_initializer, kernel_regularizer,
                                 recurrent_regularizer, bias_regularizer, kernel_constraint,
                                 recurrent_constraint, bias_constraint, dropout,
                                 recurrent_dropout, seed)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape) -> None:
        self._add_kernels(input_shape[-1], 4 * self.units)
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:
                base = self.bias_initializer
                units = self.units

                def initializer(shape, dtype=None):
                    return concat([base((units,), dtype=dtype), ones((units,), dtype=dtype),
                                   base((2 * units,), dtype=dtype)], axis=0)
            self._add_bias((4 * self.units,), initializer)
        self.built = True

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        dp_mask = self.get_dropout_mask(inputs)
        rec_dp_mask = self.get_recurrent_dropout_mask(h_tm1)
        if training and 0.0 < self.dropout < 1.0:
            inputs = inputs * dp_mask
        if training and 0.0 < self.recurrent_dropout < 1.0:
            h_tm1 = h_tm1 * rec_dp_mask
        z = matmul(inputs, self.kernel) + matmul(h_tm1, self.recurrent_kernel)
        if self.use_bias:
            z = z + self.bias
        z0, z1, z2, z3 = split(z, 4, axis=1)
        i = self.recurrent_activation(z0)
        f = self.recurrent_activation(z1)
        c = f * c_tm1 + i * self.activation(z2)
        o = self.recurrent_activation(z3)
        h = o * self.activation(c)
        return h, [h, c]

    def get_initial_state(self, batch_size=None) -> list:
        return [zeros([batch_size, d], dtype=self.compute_dtype) for d in self.state_size]

    def get_config(self) -> dict:
        config = {**super().get_config(), **self._cell_config()}
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


# --- the fused path, shared with GRU ----------------------------------------------------------
def fusable(cell) -> bool:
    """Keras's cuDNN conditions: default activations and no recurrent dropout."""
    return (cell.activation is activations.tanh and
            cell.recurrent_activation is activations.sigmoid and
            cell.recurrent_dropout == 0)


def dropped_inputs(cell, sequences, training):
    """The sequences after the cell's input dropout: one mask for all steps, as Keras's."""
    if training and 0.0 < cell.dropout < 1.0:
        return sequences * expand_dims(cell.get_dropout_mask(sequences[:, 0]), 1)
    return sequences


def project_inputs(layer, sequences, training, kernel, bias):
    """``x @ kernel + bias`` for every step at once (after the input dropout), time-major
    ``[T, B, gates]``."""
    sequences = dropped_inputs(layer.cell, sequences, training)
    time_major = transpose(sequences, [1, 0, 2])
    steps, batch, features = time_major.shape
    xw = matmul(reshape(time_major, [-1, features]), kernel)  # one matmul for all steps
    if bias is not None:
        xw = xw + bias
    if steps is None or batch is None:
        return reshape(xw, concat([dynamic_shape(time_major)[:2], [kernel.shape[1]]], 0))
    return reshape(xw, [steps, batch, kernel.shape[1]])


def time_major_mask(mask):
    return None if mask is None else transpose(cast(mask, "bool"), [1, 0])


def finish(layer, hs, mask_t, states: list):
    """Keras's outputs from the fused states ``hs [T, B, U]`` (processing order).

    Before the first unmasked step Keras outputs zeros (not the carried initial state);
    ``zero_output_for_mask`` zeroes every masked step.
    """
    if mask_t is not None:
        if layer.go_backwards:  # hs is in processing order
            mask_t = reverse(mask_t, [0])
        keep = mask_t if layer.zero_output_for_mask else greater(
            cumulative_any(mask_t), 0)
        hs = where(expand_dims(keep, -1), hs, zeros_like(hs))
    last = hs[-1]
    outputs = transpose(hs, [1, 0, 2]) if layer.return_sequences else last
    return last, outputs, states


def cumulative_any(mask_t):
    from fluxion.ops.reduce_ops import cumsum

    return cumsum(cast(mask_t, "int32"), axis=0)


@keras_class("keras.layers")
class LSTM(CellLayer):
    """Long short-term memory layer (``keras.layers.LSTM``, Hochreiter 1997).

    >>> import numpy as np
    >>> LSTM(4)(np.ones((2, 3, 5), "float32")).shape
    TensorShape([2, 4])
    """

    _cell_keys = ("units", "activation", "recurrent_activation", "use_bias", "dropout",
                  "recurrent_dropout", "unit_forget_bias", "kernel_initializer",
                  "recurrent_initializer", "bias_initializer")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 use_cudnn="auto", **kwargs):
        cell = LSTMCell(units, activation=activation, recurrent_activation=recurrent_activation,
                        use_bias=use_bias, kernel_initializer=kernel_initializer,
                        unit_forget_bias=unit_forget_bias,
                        recurrent_initializer=recurrent_initializer,
                        bias_initializer=bias_initializer,
                        kernel_regularizer=kernel_regularizer,
                        recurrent_regularizer=recurrent_regularizer,
                        bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                        recurrent_constraint=recurrent_constraint,
                        bias_constraint=bias_constraint, dropout=dropout,
                        recurrent_dropout=recurrent_dropout, seed=seed,
                        dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                        name="lstm_cell")
        kwargs.update(return_sequences=return_sequences, return_state=return_state,
                      go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                      activity_regularizer=activity_regularizer)
        self._init_layer(cell, kwargs)
        self.use_cudnn = use_cudnn

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if not fusable(self.cell) or len(sequences.shape) != 3:
            return super().inner_loop(sequences, initial_state, mask, training)
        cell = self.cell
        sequences = dropped_inputs(cell, sequences, training)
        bias = cell.bias if cell.use_bias else zeros([4 * cell.units], dtype=sequences.dtype)
        mask_t = time_major_mask(mask)
        hs, cs, _ = lstm_sequence(sequences, initial_state[0], initial_state[1], cell.kernel,
                                  cell.recurrent_kernel, bias, mask=mask_t,
                                  reverse=self.go_backwards)
        return finish(self, hs, mask_t, [hs[-1], cs[-1]])
