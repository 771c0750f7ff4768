"""TF 1's recurrent loops (``tf.compat.v1.nn``): ``static_rnn``, ``dynamic_rnn``,
``bidirectional_dynamic_rnn``, ``static_bidirectional_rnn``.

Each runs a cell (``fluxion.compat.v1_rnn_cell``) over the time steps, unrolled: the
number of steps must be known when the graph is built (a placeholder's time
dimension given, as in TF 1's examples).  With ``sequence_length`` a sequence's
outputs past its length are zeros and its state stays the one at its last step.
Weights live under the scope ``rnn`` (``bidirectional_rnn/fw``, ``.../bw``).
"""

from __future__ import annotations

from fluxion.compat import root_namespace


def _tf():
    return root_namespace.root()


def _map(fn, *structures):
    return _tf().nest.map_structure(fn, *structures)


def _initial_state(cell, initial_state, batch_size, dtype):
    if initial_state is not None:
        return initial_state
    if dtype is None:
        raise ValueError("If no initial_state is provided, dtype must be specified")
    return cell.zero_state(batch_size, dtype)


def _batch_size(first):
    tf = _tf()
    static = first.shape.as_list()[0]
    return static if static is not None else tf.shape(first)[0]


def _unroll(cell, steps: list, state, sequence_length):
    """Runs ``cell`` over the list of step inputs; (outputs, final state)."""
    tf = _tf()
    outputs = []
    lengths = None if sequence_length is None else \
        tf.expand_dims(tf.cast(sequence_length, tf.int32), 1)
    for time, step in enumerate(steps):
        output, new_state = cell(step, state)
        if lengths is not None:
            alive = time < lengths  # [batch, 1]
            output = tf.where(alive, output, tf.zeros_like(output))
            new_state = _map(lambda new, old, alive=alive: tf.where(alive, new, old),
                             new_state, state)
        outputs.append(output)
        state = new_state
    return outputs, state


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None,
               scope=None):
    """Runs ``cell`` over ``inputs``, a list of ``[batch, depth]`` tensors (one a time
    step); returns (the list of outputs, the final state)."""
    from fluxion.graph.v1.variable_scope import variable_scope

    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise TypeError("inputs must be a non-empty list of tensors, one per time step")
    tf = _tf()
    inputs = [tf.convert_to_tensor(x) for x in inputs]
    with variable_scope(scope or "rnn"):
        state = _initial_state(cell, initial_state, _batch_size(inputs[0]),
                               dtype or inputs[0].dtype)
        return _unroll(cell, inputs, state, sequence_length)


def _time_steps(inputs, time_major: bool) -> list:
    tf = _tf()
    inputs = tf.convert_to_tensor(inputs)
    axis = 0 if time_major else 1
    count = inputs.shape.as_list()[axis] if inputs.shape.rank is not None else None
    if count is None:
        raise ValueError(f"dynamic_rnn: the time dimension of inputs {inputs.shape} must be "
                         f"known when the graph is built (Fluxion unrolls the loop): give "
                         f"the placeholder its number of steps")
    return tf.unstack(inputs, num=count, axis=axis)


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None,
                parallel_iterations=None, swap_memory=False, time_major=False, scope=None):
    """Runs ``cell`` over ``inputs`` ``[batch, time, depth]`` (``[time, batch, depth]``
    if ``time_major``); returns (outputs shaped alike, the final state)."""
    from fluxion.graph.v1.variable_scope import variable_scope

    tf = _tf()
    steps = _time_steps(inputs, time_major)
    with variable_scope(scope or "rnn"):
        state = _initial_state(cell, initial_state, _batch_size(steps[0]),
                               dtype or steps[0].dtype)
        outputs, state = _unroll(cell, steps, state, sequence_length)
    return tf.stack(outputs, axis=0 if time_major else 1), state


def _reverse(inputs, sequence_length, time_major: bool):
    tf = _tf()
    axis = 0 if time_major else 1
    if sequence_length is None:
        return tf.reverse(inputs, [axis])
    return tf.reverse_sequence(inputs, sequence_length, seq_axis=axis,
                               batch_axis=1 - axis)


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None,
                              initial_state_fw=None, initial_state_bw=None, dtype=None,
                              parallel_iterations=None, swap_memory=False, time_major=False,
                              scope=None):
    """``dynamic_rnn`` forward with ``cell_fw`` and backward (each sequence reversed
    within its length) with ``cell_bw``; returns ((outputs_fw, outputs_bw),
    (state_fw, state_bw)), the backward outputs back in forward time order."""
    from fluxion.graph.v1.variable_scope import variable_scope

    tf = _tf()
    inputs = tf.convert_to_tensor(inputs)
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw"):
            out_fw, state_fw = dynamic_rnn(cell_fw, inputs, sequence_length, initial_state_fw,
                                           dtype, time_major=time_major)
        with variable_scope("bw"):
            reversed_inputs = _reverse(inputs, sequence_length, time_major)
            out_bw, state_bw = dynamic_rnn(cell_bw, reversed_inputs, sequence_length,
                                           initial_state_bw, dtype, time_major=time_major)
    return (out_fw, _reverse(out_bw, sequence_length, time_major)), (state_fw, state_bw)


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None,
                             initial_state_bw=None, dtype=None, sequence_length=None,
                             scope=None):
    """``static_rnn`` both ways over the list ``inputs``; returns (the list of
    ``concat([fw, bw], 1)`` outputs, state_fw, state_bw)."""
    from fluxion.graph.v1.variable_scope import variable_scope

    tf = _tf()
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise TypeError("inputs must be a non-empty list of tensors, one per time step")
    stacked = tf.stack(list(inputs), axis=0)
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw"):
            out_fw, state_fw = static_rnn(cell_fw, list(inputs), initial_state_fw, dtype,
                                          sequence_length)
        with variable_scope("bw"):
            reversed_steps = tf.unstack(_reverse(stacked, sequence_length, True),
                                        num=len(inputs))
            out_bw, state_bw = static_rnn(cell_bw, reversed_steps, initial_state_bw, dtype,
                                          sequence_length)
    out_bw = tf.unstack(_reverse(tf.stack(out_bw, 0), sequence_length, True),
                        num=len(inputs))
    outputs = [tf.concat([f, b], 1) for f, b in zip(out_fw, out_bw)]
    return outputs, state_fw, state_bw
