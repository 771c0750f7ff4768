"""``GRUCell`` and ``GRU``.  Weights as Keras 3 lays them out: ``kernel [input, 3U]``,
``recurrent_kernel [U, 3U]``, gates in the order z, r, h; ``bias [2, 3U]`` (input and
recurrent biases) with ``reset_after=True`` (the default, cuDNN's form), else ``[3U]``.

With Keras's default activations and no recurrent dropout, ``GRU`` runs the fused
``gru_sequence`` primitive; other configurations run the cell in the generic loop.
"""

from __future__ import annotations

from fluxion.core import nest
from fluxion.keras import activations
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from fluxion.keras.layers.rnn.lstm import finish, fusable, project_inputs, time_major_mask
from fluxion.keras.layers.rnn.simple_rnn import CellArguments, CellLayer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import split
from fluxion.ops.creation_ops import zeros
from fluxion.ops.linalg_ops import matmul
from fluxion.ops.recurrent_ops import gru_sequence


@keras_class("keras.layers")
class GRUCell(DropoutRNNCell, CellArguments, Layer):
    """One step of a gated recurrent unit (``keras.layers.GRUCell``).

    >>> import numpy as np
    >>> h, state = GRUCell(3)(np.ones((2, 4), "float32"), np.zeros((2, 3), "float32"))
    >>> h.shape
    TensorShape([2, 3])
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, reset_after: bool = True, seed=None,
                 **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        self._set_cell_arguments(units, activation, use_bias, kernel_initializer,
                                 recurrent_initializer, bias_initializer, kernel_regularizer,
                                 recurrent_regularizer, bias_regularizer, kernel_constraint,
                                 recurrent_constraint, bias_constraint, dropout,
                                 recurrent_dropout, seed)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after
        self.state_size = units
        self.output_size = units

    def build(self, input_shape) -> None:
        self._add_kernels(input_shape[-1], 3 * self.units)
        if self.use_bias:
            self._add_bias((2, 3 * self.units) if self.reset_after else (3 * self.units,))
        self.built = True

    def call(self, inputs, states, training=False):
        h_tm1 = states[0] if nest.is_nested(states) else states
        dp_mask = self.get_dropout_mask(inputs)
        rec_dp_mask = self.get_recurrent_dropout_mask(h_tm1)
        input_bias = recurrent_bias = None
        if self.use_bias:
            if self.reset_after:
                input_bias, recurrent_bias = self.bias[0], self.bias[1]
            else:
                input_bias = self.bias
        if training and 0.0 < self.dropout < 1.0:
            inputs = inputs * dp_mask
        if training and 0.0 < self.recurrent_dropout < 1.0:
            h_tm1 = h_tm1 * rec_dp_mask
        matrix_x = matmul(inputs, self.kernel)
        if input_bias is not None:
            matrix_x = matrix_x + input_bias
        x_z, x_r, x_h = split(matrix_x, 3, axis=-1)
        units = self.units
        if self.reset_after:
            matrix_inner = matmul(h_tm1, self.recurrent_kernel)
            if recurrent_bias is not None:
                matrix_inner = matrix_inner + recurrent_bias
        else:
            matrix_inner = matmul(h_tm1, self.recurrent_kernel[:, :2 * units])
        z = self.recurrent_activation(x_z + matrix_inner[:, :units])
        r = self.recurrent_activation(x_r + matrix_inner[:, units:2 * units])
        if self.reset_after:
            recurrent_h = r * matrix_inner[:, 2 * units:]
        else:
            recurrent_h = matmul(r * h_tm1, self.recurrent_kernel[:, 2 * units:])
        hh = self.activation(x_h + recurrent_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, ([h] if nest.is_nested(states) else h)

    def get_initial_state(self, batch_size=None) -> list:
        return [zeros([batch_size, self.state_size], dtype=self.compute_dtype)]

    def get_config(self) -> dict:
        config = {**super().get_config(), **self._cell_config()}
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["reset_after"] = self.reset_after
        return config


@keras_class("keras.layers")
class GRU(CellLayer):
    """Gated recurrent unit layer (``keras.layers.GRU``, Cho et al. 2014).

    >>> import numpy as np
    >>> GRU(4, return_sequences=True)(np.ones((2, 3, 5), "float32")).shape
    TensorShape([2, 3, 4])
    """

    _cell_keys = ("units", "activation", "recurrent_activation", "use_bias", "dropout",
                  "recurrent_dropout", "reset_after", "kernel_initializer",
                  "recurrent_initializer", "bias_initializer")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 reset_after: bool = True, use_cudnn="auto", **kwargs):
        cell = GRUCell(units, activation=activation, recurrent_activation=recurrent_activation,
                       use_bias=use_bias, kernel_initializer=kernel_initializer,
                       recurrent_initializer=recurrent_initializer,
                       bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                       recurrent_regularizer=recurrent_regularizer,
                       bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                       recurrent_constraint=recurrent_constraint,
                       bias_constraint=bias_constraint, dropout=dropout,
                       recurrent_dropout=recurrent_dropout, reset_after=reset_after,
                       seed=seed, dtype=kwargs.get("dtype"),
                       trainable=kwargs.get("trainable", True), name="gru_cell")
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
        width = 3 * cell.units
        input_bias, recurrent_bias = None, zeros([width], dtype=self.compute_dtype)
        if cell.use_bias:
            if cell.reset_after:
                input_bias, recurrent_bias = cell.bias[0], cell.bias[1]
            else:
                input_bias = cell.bias
        xw = project_inputs(self, sequences, training, cell.kernel, input_bias)
        mask_t = time_major_mask(mask)
        hs, _, _ = gru_sequence(xw, initial_state[0], cell.recurrent_kernel, recurrent_bias,
                                mask=mask_t, reverse=self.go_backwards,
                                reset_after=cell.reset_after)
        return finish(self, hs, mask_t, [hs[-1]])
