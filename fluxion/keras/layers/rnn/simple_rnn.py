"""``SimpleRNNCell`` (``h = activation(x @ kernel + h @ recurrent_kernel + bias)``) and
``SimpleRNN``, the RNN layer around it."""

from __future__ import annotations

from fluxion.keras import activations, constraints, initializers, regularizers
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from fluxion.keras.layers.rnn.rnn import RNN
from fluxion.keras.saving.serialization import keras_class, serialize_keras_object
from fluxion.ops.linalg_ops import matmul


def check_rates(units, dropout, recurrent_dropout) -> None:
    if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
        raise ValueError("Received an invalid value for argument `units`, expected a "
                         f"positive integer, got {units}.")
    for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
        if not 0 <= rate <= 1:
            raise ValueError(f"Received an invalid value for argument `{name}`, expected a "
                             f"float between 0 and 1, got {rate}.")


class CellArguments:
    """Shared by recurrent cells: their initializers, regularizers, constraints, dropout."""

    def _set_cell_arguments(self, units, activation, use_bias, kernel_initializer,
                            recurrent_initializer, bias_initializer, kernel_regularizer,
                            recurrent_regularizer, bias_regularizer, kernel_constraint,
                            recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                            seed) -> None:
        check_rates(units, dropout, recurrent_dropout)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.seed = seed
        self.bias = None

    def _add_kernels(self, input_dim: int, width: int) -> None:
        self.kernel = self.add_weight(shape=(input_dim, width), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, width),
                                                name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)

    def _add_bias(self, shape, initializer=None) -> None:
        self.bias = self.add_weight(shape=shape, name="bias",
                                    initializer=initializer or self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint)

    def _cell_config(self) -> dict:
        return {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize_keras_object(self.kernel_initializer),
            "recurrent_initializer": serialize_keras_object(self.recurrent_initializer),
            "bias_initializer": serialize_keras_object(self.bias_initializer),
            "kernel_regularizer": serialize_keras_object(self.kernel_regularizer),
            "recurrent_regularizer": serialize_keras_object(self.recurrent_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "kernel_constraint": serialize_keras_object(self.kernel_constraint),
            "recurrent_constraint": serialize_keras_object(self.recurrent_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


@keras_class("keras.layers")
class SimpleRNNCell(DropoutRNNCell, CellArguments, Layer):
    """One step of a fully connected RNN (``keras.layers.SimpleRNNCell``).

    >>> import numpy as np
    >>> cell = SimpleRNNCell(3)
    >>> out, states = cell(np.ones((2, 4), "float32"), [np.zeros((2, 3), "float32")])
    >>> out.shape
    TensorShape([2, 3])
    """

    def __init__(self, units, activation="tanh", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        self._set_cell_arguments(units, activation, use_bias, kernel_initializer,
                                 recurrent_initializer, bias_initializer, kernel_regularizer,
                                 recurrent_regularizer, bias_regularizer, kernel_constraint,
                                 recurrent_constraint, bias_constraint, dropout,
                                 recurrent_dropout, seed)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape) -> None:
        self._add_kernels(input_shape[-1], self.units)
        if self.use_bias:
            self._add_bias((self.units,))
        self.built = True

    def call(self, sequence, states, training=False):
        prev_output = states[0] if isinstance(states, (list, tuple)) else states
        dp_mask = self.get_dropout_mask(sequence)
        rec_dp_mask = self.get_recurrent_dropout_mask(prev_output)
        if training and dp_mask is not None:
            sequence = sequence * dp_mask
        h = matmul(sequence, self.kernel)
        if self.bias is not None:
            h = h + self.bias
        if training and rec_dp_mask is not None:
            prev_output = prev_output * rec_dp_mask
        output = h + matmul(prev_output, self.recurrent_kernel)
        if self.activation is not None:
            output = self.activation(output)
        new_state = [output] if isinstance(states, (list, tuple)) else output
        return output, new_state

    def get_initial_state(self, batch_size=None) -> list:
        from fluxion.ops.creation_ops import zeros

        return [zeros([batch_size, self.state_size], dtype=self.compute_dtype)]

    def get_config(self) -> dict:
        return {**super().get_config(), **self._cell_config()}


class CellLayer(RNN):
    """An RNN layer that builds its own cell from cell arguments (SimpleRNN, LSTM, GRU)."""

    _cell_keys: tuple = ()

    def _init_layer(self, cell, kwargs: dict) -> None:
        rnn_keys = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                    "zero_output_for_mask")
        rnn_args = {k: kwargs.pop(k) for k in rnn_keys if k in kwargs}
        RNN.__init__(self, cell, **rnn_args, **kwargs)

    def __getattr__(self, name):
        # units, activation, dropout... read through to the cell, as Keras's properties do.
        if name != "cell" and "cell" in self.__dict__ and name in self._cell_keys:
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def get_config(self) -> dict:
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        config.update(cell_config)
        config["activity_regularizer"] = serialize_keras_object(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return Layer.from_config.__func__(cls, config)


@keras_class("keras.layers")
class SimpleRNN(CellLayer):
    """A fully connected RNN whose output is fed back (``keras.layers.SimpleRNN``).

    >>> import numpy as np
    >>> SimpleRNN(4, return_sequences=True)(np.ones((2, 3, 5), "float32")).shape
    TensorShape([2, 3, 4])
    """

    _cell_keys = ("units", "activation", "use_bias", "dropout", "recurrent_dropout",
                  "kernel_initializer", "recurrent_initializer", "bias_initializer")

    def __init__(self, units, activation="tanh", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, seed=None, **kwargs):
        cell = SimpleRNNCell(units, activation=activation, use_bias=use_bias,
                             kernel_initializer=kernel_initializer,
                             recurrent_initializer=recurrent_initializer,
                             bias_initializer=bias_initializer,
                             kernel_regularizer=kernel_regularizer,
                             recurrent_regularizer=recurrent_regularizer,
                             bias_regularizer=bias_regularizer,
                             kernel_constraint=kernel_constraint,
                             recurrent_constraint=recurrent_constraint,
                             bias_constraint=bias_constraint, dropout=dropout,
                             recurrent_dropout=recurrent_dropout, seed=seed,
                             dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                             name="simple_rnn_cell")
        kwargs.update(return_sequences=return_sequences, return_state=return_state,
                      go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                      activity_regularizer=activity_regularizer)
        self._init_layer(cell, kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("seed", None)  # Keras's SimpleRNN config leaves the seed out
        return config
