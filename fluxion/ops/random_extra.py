"""``stateless_parameterized_truncated_normal`` and ``index_shuffle``.

The truncated normal is drawn by inverting the normal CDF on a uniform draw between
the CDF values of the bounds, so each element has its own mean, deviation and bounds.
``index_shuffle`` maps an index to its place in a random permutation of
``[0, max_index]`` without building the permutation: a seeded Feistel network is a
bijection on the enclosing power-of-two range, and cycle-walking (re-applying it until
the value falls inside the range) keeps it a bijection on ``[0, max_index]``.
"""

from __future__ import annotations

import math

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.elementwise import erf
from fluxion.core.primitives.random import index_shuffle_p
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["stateless_parameterized_truncated_normal", "index_shuffle"]


def stateless_parameterized_truncated_normal(shape, seed, means=0.0, stddevs=1.0,
                                             minvals=-2.0, maxvals=2.0, name=None) -> Tensor:
    """Normal draws with per-element ``means`` / ``stddevs``, truncated to
    ``[minvals, maxvals]``; the same ``seed`` gives the same values."""
    from fluxion.ops.random_ops import stateless_uniform
    from fluxion.ops.special_math_ops import ndtri

    means = convert_to_tensor(means)
    dtype = means.dtype if means.dtype.is_floating else dtypes.float32
    means, stddevs, minvals, maxvals = (convert_to_tensor(v, dtype=dtype) for v in
                                        (means, stddevs, minvals, maxvals))

    def cdf(z):
        return 0.5 * (1 + erf(z / math.sqrt(2)))

    low = cdf((minvals - means) / stddevs)
    high = cdf((maxvals - means) / stddevs)
    u = stateless_uniform(shape, seed, dtype=dtype)
    tiny = np.finfo(dtype.np_dtype).tiny
    p = low + u * (high - low)
    from fluxion.ops.math_ops import maximum, minimum

    p = minimum(maximum(p, tiny), 1 - np.finfo(dtype.np_dtype).eps)
    draws = means + stddevs * ndtri(p)
    return minimum(maximum(draws, minvals), maxvals)


def index_shuffle(index, seed, max_index, rounds=4) -> Tensor:
    """Where each ``index`` lands in a random permutation of ``[0, max_index]`` fixed by
    ``seed`` (stateless: the same seed gives the same permutation)."""
    index = convert_to_tensor(index)
    if not index.dtype.is_integer:
        raise TypeError(f"index_shuffle: index must be integers, got {index.dtype.name}")
    return bind(index_shuffle_p, index, convert_to_tensor(seed),
                convert_to_tensor(max_index, dtype=index.dtype), rounds=max(4, int(rounds)))


def random_index_shuffle(index, seed, max_index, rounds=4, name=None) -> Tensor:
    """``tf.random_index_shuffle``: ``index_shuffle`` with a ``rounds`` count."""
    return index_shuffle(index, seed, max_index, rounds)
