"""``tf.experimental.numpy.random``: NumPy's legacy random functions on Fluxion's RNG.

``seed`` sets Fluxion's global seed (``tf.random.set_seed``), so a seeded program
draws the same numbers each run.  Floats come in the default float type.
"""

from __future__ import annotations

import numpy as np

from fluxion.experimental.numpy import dtype_rules
from fluxion.ops import math_ops
from fluxion.ops import random as tf_random


def _shape(size) -> list:
    if size is None:
        return []
    return [size] if isinstance(size, int) else list(size)


def seed(s) -> None:
    """Seeds the random functions (and every op taking the global seed)."""
    tf_random.set_seed(int(s))


def random(size=None):
    """Uniform floats in ``[0, 1)`` of shape ``size`` (a scalar when None)."""
    return tf_random.uniform(_shape(size), dtype=dtype_rules.default_float_type())


def rand(*size):
    """Uniform floats in ``[0, 1)``; the dimensions are separate arguments."""
    return random(size)


def uniform(low=0.0, high=1.0, size=None):
    """Uniform floats in ``[low, high)``."""
    dtype = dtype_rules.default_float_type()
    return tf_random.uniform(_shape(size), minval=math_ops.cast(low, dtype),
                             maxval=math_ops.cast(high, dtype), dtype=dtype)


def standard_normal(size=None):
    """Samples of the standard normal distribution."""
    return tf_random.normal(_shape(size), dtype=dtype_rules.default_float_type())


def randn(*args):
    """Standard normal samples; the dimensions are separate arguments."""
    return standard_normal(args)


def randint(low, high=None, size=None, dtype=np.int64):
    """Integers drawn uniformly from ``[low, high)`` (``[0, low)`` when ``high`` is None)."""
    if high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    target = dtype_rules.numpy_dtype(dtype)
    if not np.issubdtype(target, np.integer):
        raise TypeError(f"randint: dtype must be an integer type, got {target.name}")
    values = tf_random.uniform(_shape(size), minval=low, maxval=high, dtype="int64")
    return math_ops.cast(values, target)


def poisson(lam=1.0, size=None):
    """Samples of the Poisson distribution with rate ``lam`` (int64 counts)."""
    return math_ops.cast(tf_random.poisson(_shape(size), lam, dtype="float64"), "int64")
