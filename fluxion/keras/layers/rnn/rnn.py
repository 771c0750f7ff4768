"""``RNN``: runs any recurrent cell over the time axis of ``[batch, time, ...]`` inputs.

A cell is a layer (or any object) with ``state_size`` (an int, or a list of them, or a
list of lists for stacked cells) and ``call(inputs, states) -> (output, new_states)``;
``output_size`` and ``get_initial_state(batch_size)`` are optional.  The generic loop
here unrolls over the time steps in Python (traced, that is one small graph per step);
traced with an unknown number of steps it becomes one ``while_loop`` over the steps
(``while_loop_rnn``).  ``LSTM`` and ``GRU`` replace it with fused sequence primitives
where they can.  A masked step keeps the previous states and repeats the previous
output (or outputs zeros with ``zero_output_for_mask``), as Keras does.
"""

from __future__ import annotations

from fluxion.core import nest
from fluxion.core.tensor import convert_to_tensor
from fluxion.graph.control_flow import while_loop
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from fluxion.ops.array_ops import (
    expand_dims,
    gather,
    reshape,
    reverse,
    stack,
    tensor_scatter_nd_update,
    transpose,
    where,
)
from fluxion.ops.creation_ops import cast, zeros, zeros_like
from fluxion.ops.creation_ops import shape as dynamic_shape


@keras_class("keras.layers")
class RNN(Layer):
    """A recurrent layer around ``cell`` (``keras.layers.RNN``).

    Args:
      cell: a cell, or a list of cells (stacked with ``StackedRNNCells``).
      return_sequences: return every step's output (``[batch, time, units]``), not only
        the last one.
      return_state: also return the final states.
      go_backwards: process the sequence in reverse (outputs come in processing order).
      stateful: the final states of a batch are the initial states of the next.
      unroll: accepted for compatibility (the generic loop is always unrolled).
      zero_output_for_mask: masked steps output zeros instead of the previous output.

    >>> import numpy as np
    >>> from fluxion import keras
    >>> RNN(keras.layers.SimpleRNNCell(4))(np.ones((2, 3, 5), "float32")).shape
    TensorShape([2, 4])
    """

    _casts_integer_inputs = True  # uint8 images, bool one-hots: as Keras promotes them

    def __init__(self, cell, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs):
        if isinstance(cell, (list, tuple)):
            from fluxion.keras.layers.rnn.stacked_rnn_cells import StackedRNNCells

            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: "
                             f"cell={cell}")
        if "state_size" not in dir(cell):
            raise ValueError("The RNN cell should have a `state_size` attribute (single "
                             f"integer or list of integers, one per state). Received: "
                             f"cell={cell}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.states = None

    # --- states ----------------------------------------------------------------------------
    @property
    def state_size(self) -> list:
        size = self.cell.state_size
        return list(size) if isinstance(size, (list, tuple)) else [size]

    @property
    def _output_size(self) -> int:
        size = getattr(self.cell, "output_size", None)
        if size is None:
            first = self.state_size[0]
            size = first[0] if isinstance(first, (list, tuple)) else first
        return size

    def get_initial_state(self, batch_size) -> list:
        make = getattr(self.cell, "get_initial_state", None)
        if make is not None:
            state = make(batch_size=batch_size)
            return list(state) if nest.is_nested(state) else [state]
        dtype = getattr(self.cell, "compute_dtype", self.compute_dtype)
        return [zeros([batch_size, d], dtype=dtype) for d in self.state_size]

    def reset_state(self) -> None:
        if self.states is not None:
            for variable in nest.flatten(self.states):
                variable.assign(zeros_like(variable))

    reset_states = reset_state

    # --- building ----------------------------------------------------------------------------
    def build(self, sequences_shape, initial_state_shape=None) -> None:
        step_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._maybe_build(step_shape)
        if self.stateful:
            if sequences_shape[0] is None:
                raise ValueError(
                    "When using `stateful=True` in a RNN, the batch size must be static. "
                    "Found dynamic batch size: sequence.shape="
                    f"{tuple(sequences_shape)}")
            initial = self.get_initial_state(sequences_shape[0])
            self.states = nest.map_structure(
                lambda value: self.add_weight(shape=tuple(value.shape), initializer="zeros",
                                              trainable=False, name="rnn_state"), initial)
        self.built = True

    # --- calling ------------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=False):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.unroll and sequences.shape[1] is None:
            raise ValueError("Cannot unroll a RNN if the time dimension is undefined. Either "
                             "set `unroll=False` or specify the number of timesteps.")
        if initial_state is None:
            if self.stateful:
                initial_state = [convert_to_tensor(s) for s in nest.flatten(self.states)]
                initial_state = nest.pack_sequence_as(self.states, initial_state)
            else:
                initial_state = self.get_initial_state(dynamic_shape(sequences)[0])
        if not nest.is_nested(initial_state):
            initial_state = [initial_state]
        initial_state = nest.map_structure(self._as_state, list(initial_state))
        last_output, outputs, states = self.inner_loop(sequences, initial_state, mask,
                                                       training)
        self._reset_dropout_masks()
        if self.stateful:
            for variable, state in zip(nest.flatten(self.states), nest.flatten(states)):
                variable.assign(state)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return (output, *states)
        return output

    def _as_state(self, state):
        state = convert_to_tensor(state)
        if state.dtype.name != self.compute_dtype and state.dtype.is_floating:
            state = cast(state, self.compute_dtype)
        return state

    def _reset_dropout_masks(self) -> None:
        cells = getattr(self.cell, "cells", [self.cell])
        for cell in cells:
            for reset in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
                if hasattr(cell, reset):
                    getattr(cell, reset)()

    def _step(self, training):
        cell = self.cell
        has_training = isinstance(cell, Layer) and cell._call_has_training

        def step(inputs, states):
            kwargs = {"training": training} if has_training else {}
            call = cell if isinstance(cell, Layer) else cell.call
            output, new_states = call(inputs, states, **kwargs)
            if not nest.is_nested(new_states):
                new_states = [new_states]
            return output, list(new_states)

        return step

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """The generic loop: (last_output, all outputs [batch, time, ...], final states)."""
        return generic_loop(self._step(training), sequences, initial_state, mask,
                            self.go_backwards, self.zero_output_for_mask,
                            self.return_sequences)

    # --- shapes, masks, config ------------------------------------------------------------------
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        size = self._output_size
        size = tuple(size) if isinstance(size, (list, tuple)) else (size,)
        output = (batch, steps) + size if self.return_sequences else (batch,) + size
        if not self.return_state:
            return output
        return [output] + [(batch,) + (tuple(s) if isinstance(s, (list, tuple)) else (s,))
                           for s in nest.flatten(self.state_size)]

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(nest.flatten(self.state_size))
        return output_mask

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_keras_object(self.cell),
        })
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        config["cell"] = deserialize_keras_object(config["cell"], custom_objects=custom_objects)
        return super().from_config(config)


def generic_loop(step, sequences, initial_state: list, mask, go_backwards: bool,
                 zero_output_for_mask: bool, return_all_outputs: bool):
    """Runs ``step(x_t, states) -> (output, states)`` over axis 1 of ``sequences``.

    Returns ``(last_output, outputs, states)``; ``outputs`` is ``[batch, time, ...]`` in
    processing order when ``return_all_outputs``, else the last output.
    """
    steps = sequences.shape[1]
    if steps is None:
        return while_loop_rnn(step, sequences, initial_state, mask, go_backwards,
                              zero_output_for_mask, return_all_outputs)
    states = list(initial_state)
    outputs, previous = [], None
    for k in range(steps):
        t = steps - 1 - k if go_backwards else k
        output, new_states = step(sequences[:, t], states)
        if mask is not None:
            keep = expand_dims(mask[:, t], -1)
            flat_new = [_keep_where(keep, n, s) for n, s in
                        zip(nest.flatten(new_states), nest.flatten(states))]
            new_states = nest.pack_sequence_as(states, flat_new)
            if zero_output_for_mask:
                stored = _keep_where(keep, output, zeros_like(output))
            else:
                stored = _keep_where(keep, output, zeros_like(output) if previous is None
                                     else previous)
            previous = output = stored
        states = new_states if nest.is_nested(new_states) else [new_states]
        if return_all_outputs:
            outputs.append(output)
        last = output
    if steps == 0:
        raise ValueError("An RNN needs at least one time step; got a sequence of length 0.")
    all_outputs = stack(outputs, axis=1) if return_all_outputs else last
    return last, all_outputs, states



def while_loop_rnn(step, sequences, initial_state: list, mask, go_backwards: bool,
                   zero_output_for_mask: bool, return_all_outputs: bool):
    """``generic_loop`` for a traced sequence of unknown length: one ``while_loop``.

    Step 0 runs before the loop: it gives the output's shape and dtype, and any dropout
    masks the cell draws on its first call are drawn there, outside the loop, so every
    step reuses them.  The loop variables are the step counter, the previous output
    (what a masked step repeats, and the last output at the end), an accumulator
    ``[time, batch, ...]`` of the outputs (only for ``return_all_outputs``; each step
    writes its row with ``tensor_scatter_nd_update``) and the flattened states.
    """
    rank = len(sequences.shape)
    time_major = transpose(sequences, [1, 0] + list(range(2, rank)))
    mask_tm = None if mask is None else transpose(convert_to_tensor(mask), [1, 0])
    if go_backwards:  # outputs come in processing order, as in the unrolled loop
        time_major = reverse(time_major, [0])
        mask_tm = None if mask_tm is None else reverse(mask_tm, [0])
    steps = dynamic_shape(time_major)[0]

    def one_step(t, states, previous):
        output, new_states = step(gather(time_major, t), states)
        if mask_tm is None:
            return output, new_states
        keep = expand_dims(gather(mask_tm, t), -1)
        flat_new = [_keep_where(keep, n, s) for n, s in
                    zip(nest.flatten(new_states), nest.flatten(states))]
        old = zeros_like(output) if previous is None or zero_output_for_mask else previous
        return (_keep_where(keep, output, old),
                nest.pack_sequence_as(states, flat_new))

    first, states = one_step(convert_to_tensor(0), list(initial_state), None)
    structure = states
    accumulator = []
    if return_all_outputs:
        # zeros [time, *first.shape] that keep first's static dimensions: a [time, 1, ...]
        # column of zeros broadcast against zeros shaped like first
        column = cast(zeros_like(time_major[(slice(None),) + (0,) * (rank - 1)]), first.dtype)
        column = reshape(column, [-1] + [1] * len(first.shape))
        rows = column + expand_dims(zeros_like(first), 0)
        accumulator = [_write_row(rows, convert_to_tensor(0), first)]
    n_acc = len(accumulator)

    def body(t, previous, *rest):
        states = nest.pack_sequence_as(structure, list(rest[n_acc:]))
        output, new_states = one_step(t, states, previous)
        written = [_write_row(rest[0], t, output)] if n_acc else []
        return (t + 1, output, *written, *nest.flatten(new_states))

    loop_vars = (convert_to_tensor(1), first, *accumulator, *nest.flatten(states))
    results = while_loop(lambda t, *_: t < steps, body, loop_vars)
    last = results[1]
    states = nest.pack_sequence_as(structure, list(results[2 + n_acc:]))
    if not return_all_outputs:
        return last, last, states
    all_outputs = results[2]
    outputs = transpose(all_outputs, [1, 0] + list(range(2, len(all_outputs.shape))))
    return last, outputs, states


def _write_row(rows, t, value):
    """``rows`` with ``rows[t] = value``."""
    return tensor_scatter_nd_update(rows, reshape(t, [1, 1]), expand_dims(value, 0))


def _keep_where(keep, new, old):
    """``new`` where ``keep`` (broadcast over the trailing axes), else ``old``."""
    while len(keep.shape) < len(new.shape):
        keep = expand_dims(keep, -1)
    return where(keep, new, old)
