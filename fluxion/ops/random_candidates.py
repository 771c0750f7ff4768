"""Candidate samplers for sampled losses (``tf.random.*_candidate_sampler``).

Each returns ``(sampled_candidates, true_expected_count, sampled_expected_count)``:
``num_sampled`` class ids drawn from a distribution over ``[0, range_max)``, and the
expected number of times each true and each sampled class would be drawn.  With
``unique=True`` draws are repeated until ``num_sampled`` distinct ids are found, and
the expected count of a class of probability ``p`` after ``n`` tries is
``1 - (1 - p) ** n``, as in TF.  Draws use the stateful seed stream of
``fluxion.random`` (so ``set_seed`` makes them repeatable).
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes, random_state
from fluxion.core.primitive import bind
from fluxion.core.primitives.elementwise import cast
from fluxion.core.primitives.random_candidates import candidate_sampler_p
from fluxion.core.tensor import convert_to_tensor

__all__ = ["uniform_candidate_sampler", "log_uniform_candidate_sampler",
           "fixed_unigram_candidate_sampler", "learned_unigram_candidate_sampler",
           "all_candidate_sampler"]


def _sample(true_classes, num_true, num_sampled, unique, probabilities, seed):
    true = cast(convert_to_tensor(true_classes), dtypes.int64)
    if true.shape.rank != 2 or true.shape[1] not in (None, int(num_true)):
        raise ValueError(f"candidate sampler: true_classes must be [batch, num_true="
                         f"{num_true}], got shape {true.shape}")
    return bind(candidate_sampler_p, random_state.stateful_seed(seed), true,
                convert_to_tensor(np.asarray(probabilities, np.float64)),
                num_sampled=int(num_sampled), unique=bool(unique))


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                              seed=None, name=None):
    """Candidates drawn uniformly from ``[0, range_max)``."""
    p = np.full(int(range_max), 1.0 / int(range_max))
    return _sample(true_classes, num_true, num_sampled, unique, p, seed)


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                  seed=None, name=None):
    """Candidates from the log-uniform (Zipfian) distribution
    ``P(k) = log((k + 2) / (k + 1)) / log(range_max + 1)``."""
    k = np.arange(int(range_max), dtype=np.float64)
    p = np.log((k + 2) / (k + 1)) / np.log(int(range_max) + 1)
    return _sample(true_classes, num_true, num_sampled, unique, p / p.sum(), seed)


def fixed_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max,
                                    vocab_file="", distortion=1.0, num_reserved_ids=0,
                                    num_shards=1, shard=0, unigrams=(), seed=None,
                                    name=None):
    """Candidates drawn in proportion to ``unigrams ** distortion`` (or a vocab file's
    counts, the last comma-separated field of each line)."""
    counts = list(unigrams)
    if vocab_file:
        with open(vocab_file) as handle:
            counts = [float(line.rsplit(",", 1)[-1]) for line in handle if line.strip()]
    weights = np.concatenate([np.zeros(int(num_reserved_ids)),
                              np.asarray(counts, np.float64) ** float(distortion)])
    if weights.size != int(range_max):
        raise ValueError(f"fixed_unigram_candidate_sampler: {weights.size} weights (with "
                         f"reserved ids) but range_max={range_max}")
    return _sample(true_classes, num_true, num_sampled, unique, weights / weights.sum(), seed)


def learned_unigram_candidate_sampler(true_classes, num_true, num_sampled, unique,
                                      range_max, seed=None, name=None):
    """Candidates in proportion to how often each class has appeared in ``true_classes``
    (plus one, so that unseen classes can be drawn)."""
    true = np.asarray(convert_to_tensor(true_classes)._value).astype(np.int64)
    if true is None or true.dtype == object:
        raise ValueError("learned_unigram_candidate_sampler needs concrete true_classes")
    counts = np.bincount(true.reshape(-1), minlength=int(range_max))[:int(range_max)] + 1.0
    return _sample(true_classes, num_true, num_sampled, unique, counts / counts.sum(), seed)


def all_candidate_sampler(true_classes, num_true, num_sampled, unique, seed=None, name=None):
    """Every class ``0..num_sampled-1`` once, each with expected count 1."""
    true = np.asarray(convert_to_tensor(true_classes)._value)
    sampled = np.arange(int(num_sampled), dtype=np.int64)
    return (convert_to_tensor(sampled), convert_to_tensor(np.ones(true.shape, np.float32)),
            convert_to_tensor(np.ones(sampled.shape, np.float32)))
