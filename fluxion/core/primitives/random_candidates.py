"""``candidate_sampler``: classes drawn from a fixed distribution for sampled losses.

Draws ``num_sampled`` classes (``unique``: without replacement) from ``probabilities``
with the seed's bit generator, and the expected count of each true and sampled class
among the tries.  It advances a random stream, so its effect is ``writes_state``.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, define
from fluxion.core.primitives.random import bit_generator


def _draw(generator, probabilities: np.ndarray, num_sampled: int, unique: bool):
    if unique and num_sampled > np.count_nonzero(probabilities):
        raise ValueError(f"candidate sampler: cannot draw {num_sampled} unique candidates "
                         f"from {np.count_nonzero(probabilities)} possible classes")
    if not unique:
        return generator.choice(probabilities.size, num_sampled, p=probabilities), num_sampled
    found: list = []
    seen: set = set()
    tries = 0
    while len(found) < num_sampled:
        for candidate in generator.choice(probabilities.size, num_sampled, p=probabilities):
            tries += 1
            if candidate not in seen:
                seen.add(candidate)
                found.append(candidate)
                if len(found) == num_sampled:
                    break
    return np.asarray(found), tries


def _expected(p: np.ndarray, tries: int, unique: bool) -> np.ndarray:
    if unique:
        return -np.expm1(tries * np.log1p(-np.minimum(p, 1 - 1e-12)))
    return p * tries


def _sampler_kernel(seed, true_classes, probabilities, num_sampled, unique):
    sampled, tries = _draw(bit_generator(seed), probabilities.astype(np.float64),
                           num_sampled, unique)
    return (sampled.astype(np.int64),
            _expected(probabilities[true_classes.astype(np.int64)], tries, unique)
            .astype(np.float32),
            _expected(probabilities[sampled], tries, unique).astype(np.float32))


def _sampler_rule(seed: Aval, true_classes: Aval, probabilities: Aval, num_sampled, unique):
    if len(true_classes.shape) != 2:
        raise ValueError(f"candidate sampler: true_classes must be [batch, num_true], got "
                         f"shape {list(true_classes.shape)}")
    return (Aval((num_sampled,), dtypes.int64), Aval(true_classes.shape, dtypes.float32),
            Aval((num_sampled,), dtypes.float32))


candidate_sampler_p = define("candidate_sampler", _sampler_kernel, _sampler_rule,
                             multiple_results=True, effect="writes_state",
                             doc="Draws class ids from a given distribution.")
