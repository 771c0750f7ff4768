"""Fractional pooling (``tf.nn.fractional_max_pool`` / ``fractional_avg_pool``, NHWC).

The pooling regions along height and width have sizes ``floor(alpha)`` or
``ceil(alpha)`` (``alpha`` = the pooling ratio), placed at random: either a random
mix of the two sizes (``pseudo_random=False``) or ``ceil(alpha * (i + u))`` boundaries
for one uniform ``u`` (``pseudo_random=True``), after Graham's paper.  With
``overlapping`` each region also takes the first row/column of the next.  The pooling
is composed of slices and reductions, so it is differentiable; the boundary sequences
are returned as TF returns them.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import random_state
from fluxion.core.primitives.random import bit_generator
from fluxion.core.primitives.shape import stack
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.ops.reduce_ops import reduce_max, reduce_mean

__all__ = ["fractional_max_pool", "fractional_avg_pool"]


def _sequence(size: int, ratio: float, pseudo_random: bool, generator) -> np.ndarray:
    out = int(size / ratio)
    if out < 1:
        raise ValueError(f"fractional pooling: a ratio of {ratio} leaves no output from a "
                         f"dimension of size {size}")
    alpha = size / out
    if pseudo_random:
        u = generator.uniform()
        bounds = np.ceil(alpha * (np.arange(out + 1) + u)).astype(np.int64)
        bounds -= bounds[0]
        bounds[-1] = size
        return bounds
    small = int(np.floor(alpha))
    large_count = size - small * out
    sizes = np.array([small + 1] * large_count + [small] * (out - large_count))
    generator.shuffle(sizes)
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


def _pool(value, pooling_ratio, pseudo_random, overlapping, seed, reduce, op: str):
    x = convert_to_tensor(value)
    ratio = [float(r) for r in np.asarray(pooling_ratio).reshape(-1)]
    if len(ratio) != 4 or ratio[0] != 1.0 or ratio[3] != 1.0:
        raise ValueError(f"{op}: pooling_ratio must be [1.0, row, col, 1.0], got {ratio}")
    if x.shape.rank != 4:
        raise ValueError(f"{op}: value must be NHWC, got shape {x.shape}")
    seed_value = np.asarray(random_state.stateful_seed(int(seed) if seed else None)._value)
    generator = bit_generator(seed_value)
    rows = _sequence(int(x.shape[1]), ratio[1], pseudo_random, generator)
    cols = _sequence(int(x.shape[2]), ratio[2], pseudo_random, generator)
    extra = 1 if overlapping else 0

    def pooled(t: Tensor, bounds: np.ndarray, axis: int, size: int) -> Tensor:
        parts = []
        for start, stop in zip(bounds[:-1], bounds[1:]):
            stop = min(int(stop) + extra, size)
            key = [slice(None)] * 4
            key[axis] = slice(int(start), stop)
            parts.append(reduce(t[tuple(key)], axis=axis))
        return stack(parts, axis=axis)

    out = pooled(pooled(x, rows, 1, int(x.shape[1])), cols, 2, int(x.shape[2]))
    return (out, convert_to_tensor(rows.astype(np.int64)),
            convert_to_tensor(cols.astype(np.int64)))


def fractional_max_pool(value, pooling_ratio, pseudo_random=False, overlapping=False,
                        seed=0, name=None):
    """Max pooling over randomly sized regions; returns ``(output, row_pooling_sequence,
    col_pooling_sequence)``."""
    return _pool(value, pooling_ratio, pseudo_random, overlapping, seed, reduce_max,
                 "fractional_max_pool")


def fractional_avg_pool(value, pooling_ratio, pseudo_random=False, overlapping=False,
                        seed=0, name=None):
    """Average pooling over randomly sized regions; returns ``(output,
    row_pooling_sequence, col_pooling_sequence)``."""
    return _pool(value, pooling_ratio, pseudo_random, overlapping, seed, reduce_mean,
                 "fractional_avg_pool")

