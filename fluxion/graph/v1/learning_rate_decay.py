"""TF 1 learning-rate schedules of the global step (``tf.compat.v1.train.*_decay``).

Each returns, in graph mode, a tensor computed from ``global_step`` each time it is run
(pass it as an optimizer's learning rate); eagerly, a function returning the current
value, as TensorFlow does.  The formulas are TensorFlow's.
"""

from __future__ import annotations

import math

from fluxion.core import dtypes
from fluxion.graph.v1.graph import executing_eagerly
from fluxion.ops import math_ops
from fluxion.ops.array_ops import where
from fluxion.ops.math_ops import cast


def _deferred(compute):
    """``compute()`` now (a graph tensor), or the function itself when eager."""
    return compute if executing_eagerly() else compute()


def _as_float(value):
    return cast(value, dtypes.float32)


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """``learning_rate * decay_rate ** (global_step / decay_steps)`` (floored if staircase).

    >>> lr = exponential_decay(0.1, global_step, 1000, 0.96, staircase=True)  # doctest: +SKIP
    """
    if global_step is None:
        raise ValueError("global_step is required for exponential_decay.")

    def compute():
        progress = _as_float(global_step) / float(decay_steps)
        if staircase:
            progress = math_ops.floor(progress)
        return _as_float(learning_rate) * math_ops.pow(_as_float(decay_rate), progress)

    return _deferred(compute)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """``learning_rate * exp(-decay_rate * global_step / decay_steps)``."""

    def compute():
        progress = _as_float(global_step) / float(decay_steps)
        if staircase:
            progress = math_ops.floor(progress)
        return _as_float(learning_rate) * math_ops.exp(-_as_float(decay_rate) * progress)

    return _deferred(compute)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                       name=None):
    """``learning_rate / (1 + decay_rate * global_step / decay_steps)``."""

    def compute():
        progress = _as_float(global_step) / float(decay_steps)
        if staircase:
            progress = math_ops.floor(progress)
        return _as_float(learning_rate) / (1.0 + _as_float(decay_rate) * progress)

    return _deferred(compute)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001,
                     power=1.0, cycle=False, name=None):
    """``(lr - end) * (1 - step / decay_steps) ** power + end``, the step capped at
    ``decay_steps`` (or ``decay_steps`` grown to the next multiple when ``cycle``)."""

    def compute():
        step = _as_float(global_step)
        steps = float(decay_steps)
        if cycle:
            multiple = math_ops.maximum(math_ops.ceil(step / steps), 1.0)
            steps = steps * multiple
        else:
            step = math_ops.minimum(step, steps)
        fraction = 1.0 - step / steps
        start, end = _as_float(learning_rate), _as_float(end_learning_rate)
        return (start - end) * math_ops.pow(fraction, float(power)) + end

    return _deferred(compute)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """``lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps))
    + alpha)``."""

    def compute():
        step = math_ops.minimum(_as_float(global_step), float(decay_steps))
        cosine = 0.5 * (1.0 + math_ops.cos(math.pi * step / float(decay_steps)))
        return _as_float(learning_rate) * ((1.0 - alpha) * cosine + alpha)

    return _deferred(compute)


def piecewise_constant(x, boundaries, values, name=None):
    """``values[0]`` while ``x <= boundaries[0]``, ``values[i]`` while ``x`` is in
    ``(boundaries[i-1], boundaries[i]]``, ``values[-1]`` after the last boundary."""
    if len(values) != len(boundaries) + 1:
        raise ValueError(f"The length of boundaries ({len(boundaries)}) should be 1 less than "
                         f"the length of values ({len(values)})")

    def compute():
        step = _as_float(x)
        result = _as_float(values[-1])
        for boundary, value in reversed(list(zip(boundaries, values[:-1]))):
            result = where(step <= float(boundary), _as_float(value), result)
        return result

    return _deferred(compute)
