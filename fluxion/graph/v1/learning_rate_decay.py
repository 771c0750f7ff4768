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


piecewise_constant_decay = piecewise_constant


def cosine_decay_restarts(learning_rate, global_step, first_decay_steps, t_mul=2.0, m_mul=1.0,
                          alpha=0.0, name=None):
    """Cosine decay with warm restarts (SGDR): period ``i`` lasts ``first_decay_steps *
    t_mul ** i`` steps and starts at ``learning_rate * m_mul ** i``."""
    if global_step is None:
        raise ValueError("cosine decay restarts requires global_step")

    def compute():
        fraction = _as_float(global_step) / float(first_decay_steps)
        if t_mul == 1.0:
            restarts = math_ops.floor(fraction)
            fraction = fraction - restarts
        else:
            restarts = math_ops.floor(math_ops.log(1.0 - fraction * (1.0 - t_mul))
                                      / math.log(t_mul))
            done = (1.0 - math_ops.pow(_as_float(t_mul), restarts)) / (1.0 - t_mul)
            fraction = (fraction - done) / math_ops.pow(_as_float(t_mul), restarts)
        factor = math_ops.pow(_as_float(m_mul), restarts)
        cosine = 0.5 * factor * (1.0 + math_ops.cos(math.pi * fraction))
        return _as_float(learning_rate) * ((1.0 - alpha) * cosine + alpha)

    return _deferred(compute)


def _linear_cosine(global_step, decay_steps, num_periods):
    step = math_ops.minimum(_as_float(global_step), float(decay_steps))
    linear = (float(decay_steps) - step) / float(decay_steps)
    cosine = 0.5 * (1.0 + math_ops.cos(math.pi * 2.0 * num_periods * step /
                                       float(decay_steps)))
    return step, linear, cosine


def linear_cosine_decay(learning_rate, global_step, decay_steps, num_periods=0.5, alpha=0.0,
                        beta=0.001, name=None):
    """``lr * ((alpha + linear) * cosine + beta)``: ``linear`` falls from 1 to 0 over
    ``decay_steps``, ``cosine`` makes ``num_periods`` periods in that time."""
    if global_step is None:
        raise ValueError("linear cosine decay requires global_step")

    def compute():
        _step, linear, cosine = _linear_cosine(global_step, decay_steps, num_periods)
        return _as_float(learning_rate) * ((alpha + linear) * cosine + beta)

    return _deferred(compute)


def noisy_linear_cosine_decay(learning_rate, global_step, decay_steps, initial_variance=1.0,
                              variance_decay=0.55, num_periods=0.5, alpha=0.0, beta=0.001,
                              name=None):
    """``linear_cosine_decay`` with Gaussian noise added to its linear part, of variance
    ``initial_variance / (1 + step) ** variance_decay``."""
    if global_step is None:
        raise ValueError("noisy linear cosine decay requires global_step")
    from fluxion.ops import random_ops

    def compute():
        step, linear, cosine = _linear_cosine(global_step, decay_steps, num_periods)
        variance = initial_variance / math_ops.pow(1.0 + step, float(variance_decay))
        noisy = linear + random_ops.normal([]) * math_ops.sqrt(variance)
        return _as_float(learning_rate) * ((alpha + noisy) * cosine + beta)

    return _deferred(compute)
