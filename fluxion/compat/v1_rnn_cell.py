"""TF 1's recurrent cells (``tf.compat.v1.nn.rnn_cell``): ``BasicRNNCell``,
``BasicLSTMCell``, ``LSTMCell``, ``GRUCell``, ``MultiRNNCell``, ``DropoutWrapper``.

A cell is called as ``output, new_state = cell(inputs, state)`` on one time step.  It
makes its weights with ``get_variable`` on its first call, under the enclosing variable
scope and its own name (``rnn/basic_lstm_cell/kernel``, TF 1's names and layouts, so
TF 1 checkpoints restore into them), and reuses them on later calls.
"""

from __future__ import annotations

import collections

from fluxion.compat import root_namespace


def _tf():
    return root_namespace.root()


LSTMStateTuple = collections.namedtuple("LSTMStateTuple", ["c", "h"])
LSTMStateTuple.dtype = property(lambda self: self.c.dtype)


class RNNCell:
    """Base class: ``state_size``, ``output_size``, ``zero_state``, ``__call__``."""

    _default_name = "rnn_cell"

    def __init__(self, name=None, dtype=None, reuse=None):
        self._name = name
        self._dtype = dtype
        self._weights = None
        self._scope_name = None

    @property
    def state_size(self):
        raise TypeError(f"{type(self).__name__} must define state_size")

    @property
    def output_size(self):
        raise TypeError(f"{type(self).__name__} must define output_size")

    @property
    def trainable_variables(self) -> list:
        return [w for w in (self._weights or {}).values() if w is not None]

    variables = weights = trainable_weights = trainable_variables

    def zero_state(self, batch_size, dtype):
        """Zeros shaped like the state, for ``batch_size`` sequences."""
        tf = _tf()

        def zeros(size):
            if isinstance(size, (tuple, list)):
                return type(size)(zeros(s) for s in size) if not isinstance(
                    size, LSTMStateTuple) else LSTMStateTuple(*(zeros(s) for s in size))
            return tf.zeros(tf.stack([batch_size, size]) if not isinstance(batch_size, int)
                            else [batch_size, size], dtype=dtype)

        return zeros(self.state_size)

    def __call__(self, inputs, state, scope=None):
        from fluxion.graph.v1.variable_scope import variable_scope

        inputs = _tf().convert_to_tensor(inputs)
        if self._weights is None:
            with variable_scope(scope or self._name or self._default_name) as vs:
                self._scope_name = vs.name
                self._weights = self._build(int(inputs.shape[-1]), inputs.dtype)
        return self._step(inputs, state)

    def _variable(self, name, shape, dtype, initializer=None):
        from fluxion.graph.v1.variable_scope import get_variable

        return get_variable(name, shape, dtype=dtype, initializer=initializer)

    def _build(self, input_depth: int, dtype) -> dict:
        raise TypeError(f"{type(self).__name__} must define _build")

    def _step(self, inputs, state):
        raise TypeError(f"{type(self).__name__} must define _step")


def _activation(activation):
    tf = _tf()
    if activation is None:
        return tf.tanh
    if isinstance(activation, str):
        return getattr(tf.nn, activation, None) or getattr(tf, activation)
    return activation


class BasicRNNCell(RNNCell):
    """``h = activation([x, h] @ kernel + bias)``; the output is ``h``."""

    _default_name = "basic_rnn_cell"

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None, **_):
        super().__init__(name, dtype, reuse)
        self._num_units = num_units
        self._activation = _activation(activation)

    state_size = property(lambda self: self._num_units)
    output_size = property(lambda self: self._num_units)

    def _build(self, input_depth, dtype):
        from fluxion.graph.v1.initializers import Zeros

        return {"kernel": self._variable("kernel", [input_depth + self._num_units,
                                                    self._num_units], dtype),
                "bias": self._variable("bias", [self._num_units], dtype, Zeros())}

    def _step(self, inputs, state):
        tf = _tf()
        w = self._weights
        h = self._activation(tf.matmul(tf.concat([inputs, state], 1), w["kernel"]) + w["bias"])
        return h, h


class BasicLSTMCell(RNNCell):
    """An LSTM step: ``i, j, f, o = split([x, h] @ kernel + bias, 4)``;
    ``c = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j)``; ``h = tanh(c) *
    sigmoid(o)``.  The state is ``LSTMStateTuple(c, h)`` (or their concatenation when
    ``state_is_tuple=False``)."""

    _default_name = "basic_lstm_cell"

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None,
                 reuse=None, name=None, dtype=None, **_):
        super().__init__(name, dtype, reuse)
        self._num_units, self._forget_bias = num_units, forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    output_size = property(lambda self: self._num_units)

    def _build(self, input_depth, dtype):
        from fluxion.graph.v1.initializers import Zeros

        n = self._num_units
        return {"kernel": self._variable("kernel", [input_depth + n, 4 * n], dtype),
                "bias": self._variable("bias", [4 * n], dtype, Zeros())}

    def _split_state(self, state):
        if self._state_is_tuple:
            return state
        tf = _tf()
        c, h = tf.split(state, 2, axis=1)
        return c, h

    def _join_state(self, c, h):
        return LSTMStateTuple(c, h) if self._state_is_tuple else _tf().concat([c, h], 1)

    def _step(self, inputs, state):
        tf = _tf()
        c, h = self._split_state(state)
        gates = tf.matmul(tf.concat([inputs, h], 1), self._weights["kernel"]) + \
            self._weights["bias"]
        i, j, f, o = tf.split(gates, 4, axis=1)
        new_c = c * tf.sigmoid(f + self._forget_bias) + tf.sigmoid(i) * self._activation(j)
        new_h = self._activation(new_c) * tf.sigmoid(o)
        return new_h, self._join_state(new_c, new_h)


class LSTMCell(BasicLSTMCell):
    """``BasicLSTMCell`` with TF 1's options: peephole connections (``use_peepholes``),
    a cell clip, and an output projection to ``num_proj`` units (clipped by
    ``proj_clip``)."""

    _default_name = "lstm_cell"

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None,
                 num_proj=None, proj_clip=None, num_unit_shards=None, num_proj_shards=None,
                 forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None, name=None,
                 dtype=None, **_):
        super().__init__(num_units, forget_bias, state_is_tuple, activation, reuse, name,
                         dtype)
        self._use_peepholes, self._cell_clip = use_peepholes, cell_clip
        self._initializer, self._num_proj, self._proj_clip = initializer, num_proj, proj_clip

    @property
    def state_size(self):
        n, out = self._num_units, self._num_proj or self._num_units
        return LSTMStateTuple(n, out) if self._state_is_tuple else n + out

    output_size = property(lambda self: self._num_proj or self._num_units)

    def _build(self, input_depth, dtype):
        from fluxion.graph.v1.initializers import Zeros
        from fluxion.graph.v1.variable_scope import variable_scope

        n, out = self._num_units, self._num_proj or self._num_units
        weights = {"kernel": self._variable("kernel", [input_depth + out, 4 * n], dtype,
                                            self._initializer),
                   "bias": self._variable("bias", [4 * n], dtype, Zeros())}
        if self._use_peepholes:
            for gate in ("w_f_diag", "w_i_diag", "w_o_diag"):
                weights[gate] = self._variable(gate, [n], dtype, self._initializer)
        if self._num_proj:
            with variable_scope("projection"):
                weights["projection"] = self._variable("kernel", [n, self._num_proj], dtype,
                                                       self._initializer)
        return weights

    def _split_state(self, state):
        if self._state_is_tuple:
            return state
        return state[:, :self._num_units], state[:, self._num_units:]

    def _step(self, inputs, state):
        tf = _tf()
        w = self._weights
        c, h = self._split_state(state)
        gates = tf.matmul(tf.concat([inputs, h], 1), w["kernel"]) + w["bias"]
        i, j, f, o = tf.split(gates, 4, axis=1)
        if self._use_peepholes:
            i, f = i + w["w_i_diag"] * c, f + w["w_f_diag"] * c
        new_c = c * tf.sigmoid(f + self._forget_bias) + tf.sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            new_c = tf.clip_by_value(new_c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            o = o + w["w_o_diag"] * new_c
        new_h = self._activation(new_c) * tf.sigmoid(o)
        if self._num_proj:
            new_h = tf.matmul(new_h, w["projection"])
            if self._proj_clip is not None:
                new_h = tf.clip_by_value(new_h, -self._proj_clip, self._proj_clip)
        return new_h, self._join_state(new_c, new_h)


class GRUCell(RNNCell):
    """A GRU step (Cho et al., 2014), TF 1's layout: ``r, u = split(sigmoid([x, h] @
    gates/kernel + gates/bias), 2)``; ``c = tanh([x, r * h] @ candidate/kernel +
    candidate/bias)``; ``h = u * h + (1 - u) * c``."""

    _default_name = "gru_cell"

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None, **_):
        super().__init__(name, dtype, reuse)
        self._num_units = num_units
        self._activation = _activation(activation)
        self._kernel_initializer, self._bias_initializer = kernel_initializer, bias_initializer

    state_size = property(lambda self: self._num_units)
    output_size = property(lambda self: self._num_units)

    def _build(self, input_depth, dtype):
        from fluxion.graph.v1.initializers import Constant, Zeros
        from fluxion.graph.v1.variable_scope import variable_scope

        n = self._num_units
        weights = {}
        with variable_scope("gates"):
            weights["gates_kernel"] = self._variable("kernel", [input_depth + n, 2 * n], dtype,
                                                     self._kernel_initializer)
            weights["gates_bias"] = self._variable("bias", [2 * n], dtype,
                                                   self._bias_initializer or Constant(1.0))
        with variable_scope("candidate"):
            weights["candidate_kernel"] = self._variable("kernel", [input_depth + n, n], dtype,
                                                         self._kernel_initializer)
            weights["candidate_bias"] = self._variable("bias", [n], dtype,
                                                       self._bias_initializer or Zeros())
        return weights

    def _step(self, inputs, state):
        tf = _tf()
        w = self._weights
        gates = tf.sigmoid(tf.matmul(tf.concat([inputs, state], 1), w["gates_kernel"]) +
                           w["gates_bias"])
        r, u = tf.split(gates, 2, axis=1)
        candidate = self._activation(
            tf.matmul(tf.concat([inputs, r * state], 1), w["candidate_kernel"]) +
            w["candidate_bias"])
        new_h = u * state + (1 - u) * candidate
        return new_h, new_h


class MultiRNNCell(RNNCell):
    """Cells stacked: each one's output is the next one's input; the state is the
    tuple of their states.  Their weights live under ``cell_0``, ``cell_1``..."""

    _default_name = "multi_rnn_cell"

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        self._cells, self._state_is_tuple = list(cells), state_is_tuple

    @property
    def state_size(self):
        sizes = tuple(cell.state_size for cell in self._cells)
        return sizes if self._state_is_tuple else sum(sizes)

    output_size = property(lambda self: self._cells[-1].output_size)

    @property
    def trainable_variables(self) -> list:
        return [v for cell in self._cells for v in cell.trainable_variables]

    def __call__(self, inputs, state, scope=None):
        from fluxion.graph.v1.variable_scope import variable_scope

        with variable_scope(scope or self._name or self._default_name):
            new_states, current = [], inputs
            for index, cell in enumerate(self._cells):
                with variable_scope(f"cell_{index}"):
                    current, new_state = cell(current, state[index])
                new_states.append(new_state)
        return current, tuple(new_states)


class DropoutWrapper(RNNCell):
    """A cell with dropout on its inputs, outputs and state (keep probabilities)."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None):
        super().__init__()
        self._cell = cell
        self._input_keep, self._output_keep = input_keep_prob, output_keep_prob
        self._state_keep, self._seed = state_keep_prob, seed

    state_size = property(lambda self: self._cell.state_size)
    output_size = property(lambda self: self._cell.output_size)
    trainable_variables = property(lambda self: self._cell.trainable_variables)

    def _dropout(self, x, keep):
        if isinstance(keep, (int, float)) and keep == 1.0:
            return x
        return _tf().nn.dropout(x, rate=1.0 - keep, seed=self._seed)

    def __call__(self, inputs, state, scope=None):
        output, new_state = self._cell(self._dropout(inputs, self._input_keep), state, scope)
        if not (isinstance(self._state_keep, (int, float)) and self._state_keep == 1.0):
            new_state = _tf().nest.map_structure(
                lambda s: self._dropout(s, self._state_keep), new_state)
        return self._dropout(output, self._output_keep), new_state


__all__ = ["BasicLSTMCell", "BasicRNNCell", "DropoutWrapper", "GRUCell", "LSTMCell",
           "LSTMStateTuple", "MultiRNNCell", "RNNCell"]
