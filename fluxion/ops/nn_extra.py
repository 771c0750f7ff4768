"""More of ``tf.nn``, composed from existing ops: embeddings (``embedding_lookup`` and
its sparse forms), moments helpers, local response normalization, depth/space
rearrangements, sampled losses (``nce_loss``, ``sampled_softmax_loss``) with their
candidate samplers, ``ctc_greedy_decoder``, ``collapse_repeated`` and a few losses.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitives.elementwise import cast, exp, log, select, sqrt
from fluxion.core.primitives.gather_scatter import gather
from fluxion.core.primitives.shape import concat, expand_dims, reshape, transpose
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.ops.array_extra import space_to_batch  # noqa: F401 - tf.nn name
from fluxion.ops.math_extra import approx_max_k, approx_min_k, zero_fraction  # noqa: F401
from fluxion.ops.reduce_ops import reduce_sum
from fluxion.ops.sort_ops import in_top_k, top_k  # noqa: F401 - tf.nn names

__all__ = ["embedding_lookup", "embedding_lookup_sparse", "safe_embedding_lookup_sparse",
           "normalize_moments", "sufficient_statistics", "weighted_moments",
           "local_response_normalization", "lrn", "space_to_depth", "depth_to_space",
           "log_poisson_loss", "compute_average_loss", "scale_regularization_loss",
           "batch_norm_with_global_normalization", "collapse_repeated", "ctc_greedy_decoder",
           "compute_accidental_hits", "nce_loss", "sampled_softmax_loss", "top_k",
           "in_top_k", "approx_max_k", "approx_min_k", "zero_fraction", "space_to_batch"]


def embedding_lookup(params, ids, max_norm=None, name=None) -> Tensor:
    """The rows of ``params`` at ``ids`` (a list of tables is sharded "mod": id ``i``
    lives in table ``i % n``); rows longer than ``max_norm`` are scaled down to it."""
    ids = convert_to_tensor(ids)
    if isinstance(params, (list, tuple)) and len(params) > 1:
        full = _interleave_shards([convert_to_tensor(p) for p in params])
    else:
        full = convert_to_tensor(params[0] if isinstance(params, (list, tuple)) else params)
    rows = gather(full, ids)
    if max_norm is not None:
        norms = sqrt(reduce_sum(rows * rows, axis=-1, keepdims=True))
        rows = rows * select(norms > max_norm, max_norm / norms, norms * 0 + 1)
    return rows


def _interleave_shards(shards: list) -> Tensor:
    """The full table of "mod"-sharded tables: row ``i`` is ``shards[i % n][i // n]``."""
    n = len(shards)
    sizes = [int(s.shape[0]) for s in shards]
    order = np.argsort(np.concatenate([np.arange(size) * n + k
                                       for k, size in enumerate(sizes)]), kind="stable")
    return gather(concat(shards, 0), convert_to_tensor(order.astype(np.int32)))


def embedding_lookup_sparse(params, sp_ids, sp_weights, combiner="mean", max_norm=None,
                            name=None, allow_fast_lookup=False) -> Tensor:
    """Combines the embeddings of each row's ids (``sum``, ``mean`` or ``sqrtn``)."""
    from fluxion.ops.segment_ops import unsorted_segment_sum

    if combiner not in ("sum", "mean", "sqrtn"):
        raise ValueError(f"embedding_lookup_sparse: combiner must be 'sum', 'mean' or "
                         f"'sqrtn', got {combiner!r}")
    rows = cast(sp_ids.indices[:, 0], dtypes.int32)
    count = cast(sp_ids.dense_shape[0], dtypes.int32)
    vectors = embedding_lookup(params, sp_ids.values, max_norm=max_norm)
    weights = sp_weights.values if sp_weights is not None else \
        cast(sp_ids.values * 0 + 1, vectors.dtype)
    weights = cast(weights, vectors.dtype)
    total = unsorted_segment_sum(vectors * expand_dims(weights, -1), rows, count)
    if combiner == "sum":
        return total
    scale = unsorted_segment_sum(weights if combiner == "mean" else weights * weights, rows,
                                 count)
    scale = scale if combiner == "mean" else sqrt(scale)
    safe = select(scale > 0, scale, scale * 0 + 1)
    return total / expand_dims(safe, -1)


def safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=None,
                                 combiner="mean", default_id=None, max_norm=None, name=None,
                                 allow_fast_lookup=False) -> Tensor:
    """``embedding_lookup_sparse`` that drops negative ids and gives empty rows zeros
    (or ``default_id``'s embedding)."""
    from fluxion.ops.sparse_ops import fill_empty_rows, retain

    keep = sparse_ids.values >= 0
    if sparse_weights is not None:
        keep = keep & (sparse_weights.values > 0)
        sparse_weights = retain(sparse_weights, keep)
    sparse_ids = retain(sparse_ids, keep)
    filled, empty = fill_empty_rows(sparse_ids, default_id if default_id is not None else 0)
    if sparse_weights is not None:
        sparse_weights, _ = fill_empty_rows(sparse_weights, 1.0)
    result = embedding_lookup_sparse(embedding_weights, filled, sparse_weights, combiner,
                                     max_norm)
    if default_id is None:
        result = select(expand_dims(empty, -1), result * 0, result)
    return result


def sufficient_statistics(x, axes, shift=None, keep_dims=None, name=None, keepdims=None):
    """``(count, sum(x - shift), sum((x - shift)^2), shift)`` over ``axes``."""
    x = convert_to_tensor(x)
    keep = bool(keepdims if keepdims is not None else keep_dims)
    axes = [int(a) % x.shape.rank for a in axes]
    count = float(np.prod([x.shape[a] for a in axes]))
    shifted = x - shift if shift is not None else x
    return (convert_to_tensor(count, dtype=x.dtype), reduce_sum(shifted, axes, keep),
            reduce_sum(shifted * shifted, axes, keep), shift)


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """``(mean, variance)`` from sufficient statistics."""
    divisor = 1 / counts
    shifted_mean = mean_ss * divisor
    mean = shifted_mean + shift if shift is not None else shifted_mean
    return mean, variance_ss * divisor - shifted_mean * shifted_mean


def weighted_moments(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    """The ``frequency_weights``-weighted mean and variance of ``x`` over ``axes``."""
    x = convert_to_tensor(x)
    keep = bool(keepdims if keepdims is not None else keep_dims)
    weights = convert_to_tensor(frequency_weights, dtype=x.dtype)
    weights = weights + x * 0
    total = reduce_sum(weights, axes, True)
    mean = reduce_sum(weights * x, axes, True) / total
    variance = reduce_sum(weights * (x - mean) ** 2, axes, True) / total
    if not keep:
        from fluxion.core.primitives.shape import squeeze

        mean, variance = squeeze(mean, axes), squeeze(variance, axes)
    return mean, variance


def local_response_normalization(input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5,  # noqa: A002
                                 name=None) -> Tensor:
    """``x / (bias + alpha * sum of squares over a channel window) ** beta`` (NHWC)."""
    from fluxion.ops.array_ops import pad

    x = convert_to_tensor(input)
    radius = int(depth_radius)
    squares = pad(x * x, [[0, 0]] * (x.shape.rank - 1) + [[radius, radius]])
    channels = int(x.shape[-1])
    window = squares[..., 0:channels]
    for offset in range(1, 2 * radius + 1):
        window = window + squares[..., offset:offset + channels]
    return x / (bias + alpha * window) ** beta


lrn = local_response_normalization


def space_to_depth(input, block_size, data_format="NHWC", name=None) -> Tensor:  # noqa: A002
    """Moves ``block_size x block_size`` spatial blocks into channels (NHWC)."""
    x = convert_to_tensor(input)
    if data_format != "NHWC":
        x = transpose(x, [0, 2, 3, 1])
    n, h, w, c = x.shape.as_list()
    b = int(block_size)
    x = reshape(x, [-1, h // b, b, w // b, b, c])
    x = reshape(transpose(x, [0, 1, 3, 2, 4, 5]), [-1, h // b, w // b, b * b * c])
    return x if data_format == "NHWC" else transpose(x, [0, 3, 1, 2])


def depth_to_space(input, block_size, data_format="NHWC", name=None) -> Tensor:  # noqa: A002
    """Moves channels into ``block_size x block_size`` spatial blocks (NHWC)."""
    x = convert_to_tensor(input)
    if data_format != "NHWC":
        x = transpose(x, [0, 2, 3, 1])
    n, h, w, c = x.shape.as_list()
    b = int(block_size)
    x = reshape(x, [-1, h, w, b, b, c // (b * b)])
    x = reshape(transpose(x, [0, 1, 3, 2, 4, 5]), [-1, h * b, w * b, c // (b * b)])
    return x if data_format == "NHWC" else transpose(x, [0, 3, 1, 2])


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None) -> Tensor:
    """The negative log-likelihood of ``targets`` under Poisson(``exp(log_input)``)."""
    targets = convert_to_tensor(targets)
    log_input = convert_to_tensor(log_input, dtype=targets.dtype)
    loss = exp(log_input) - log_input * targets
    if compute_full_loss:
        stirling = targets * log(select(targets > 0, targets, targets * 0 + 1)) - targets + \
            0.5 * log(2 * np.pi * select(targets > 0, targets, targets * 0 + 1))
        loss = loss + select(targets > 1, stirling, stirling * 0)
    return loss


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """The sum of the (weighted) per-example losses over the global batch size."""
    loss = convert_to_tensor(per_example_loss)
    if sample_weight is not None:
        loss = loss * convert_to_tensor(sample_weight, dtype=loss.dtype)
    total = reduce_sum(loss)
    if global_batch_size is None:
        from fluxion.ops.creation_ops import size

        global_batch_size = cast(size(loss) if loss.shape.rank == 0 else
                                 convert_to_tensor(loss.shape.as_list()[0] or 1), loss.dtype)
    return total / cast(convert_to_tensor(global_batch_size), loss.dtype)


def scale_regularization_loss(regularization_loss):
    """The regularization loss scaled for one replica (a single replica here: unchanged)."""
    from fluxion.ops.math_ops import add_n

    losses = regularization_loss if isinstance(regularization_loss, (list, tuple)) \
        else [regularization_loss]
    return add_n([convert_to_tensor(x) for x in losses])


def batch_norm_with_global_normalization(t=None, m=None, v=None, beta=None, gamma=None,
                                         variance_epsilon=None, scale_after_normalization=None,
                                         name=None, input=None, mean=None,  # noqa: A002
                                         variance=None):
    """TF 1's batch normalization with given mean and variance."""
    from fluxion.ops.nn_ops import batch_normalization

    x = t if t is not None else input
    mean = m if m is not None else mean
    variance = v if v is not None else variance
    return batch_normalization(x, mean, variance, beta,
                               gamma if scale_after_normalization else None, variance_epsilon)


def collapse_repeated(labels, seq_length, name=None):
    """Merges runs of equal labels; returns ``(collapsed, new_seq_length)`` padded with 0."""
    labels = np.asarray(convert_to_tensor(labels)._value)
    lengths = np.asarray(convert_to_tensor(seq_length)._value)
    rows = []
    for row, length in zip(labels, lengths):
        kept = [v for i, v in enumerate(row[:length]) if i == 0 or v != row[i - 1]]
        rows.append(kept)
    width = max((len(r) for r in rows), default=0)
    out = np.zeros((len(rows), width), labels.dtype)
    for i, row in enumerate(rows):
        out[i, :len(row)] = row
    return (convert_to_tensor(out),
            convert_to_tensor(np.array([len(r) for r in rows], lengths.dtype)))


def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None):
    """Best-path CTC decoding of time-major ``inputs`` ``[max_time, batch, classes]``.

    Returns ``([SparseTensor of decoded labels], neg_sum_logits [batch, 1])``.
    """
    from fluxion.ops.sparse_tensor import SparseTensor

    logits = np.asarray(convert_to_tensor(inputs)._value)
    lengths = np.asarray(convert_to_tensor(sequence_length)._value)
    classes = logits.shape[-1]
    blank = classes - 1 if blank_index is None else int(blank_index) % classes
    indices, values, scores, width = [], [], [], 0
    for b in range(logits.shape[1]):
        steps = logits[:lengths[b], b]
        best = steps.argmax(-1) if len(steps) else np.zeros(0, np.int64)
        scores.append(-steps.max(-1).sum() if len(steps) else 0.0)
        decoded, previous = [], None
        for label in best:
            if label != blank and not (merge_repeated and label == previous):
                decoded.append(label)
            previous = label
        for t, label in enumerate(decoded):
            indices.append([b, t])
            values.append(label)
        width = max(width, len(decoded))
    sparse = SparseTensor(np.array(indices, np.int64).reshape(-1, 2),
                          np.array(values, np.int64), [logits.shape[1], width])
    return [sparse], convert_to_tensor(np.array(scores, logits.dtype).reshape(-1, 1))


# --- sampled losses ----------------------------------------------------------------------------
def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """``(indices, ids, weights)``: each (example, sampled position) where the sampled
    candidate is one of the example's true classes, weighted -FLT_MAX (to drop it)."""
    from fluxion.ops.array_ops import where

    hits = _hit_mask(true_classes, sampled_candidates)
    found = where(hits)
    return (cast(found[:, 0], dtypes.int32), cast(found[:, 1], dtypes.int64),
            cast(found[:, 0], dtypes.float32) * 0 - np.finfo(np.float32).max)


def _hit_mask(true_classes, sampled_candidates) -> Tensor:
    """``[batch, num_sampled]``: whether each sampled id is among the row's true classes."""
    from fluxion.core.primitives.elementwise import equal
    from fluxion.ops.reduce_ops import reduce_any

    true = cast(convert_to_tensor(true_classes), dtypes.int64)
    sampled = cast(convert_to_tensor(sampled_candidates), dtypes.int64)
    return reduce_any(equal(expand_dims(true, -1), reshape(sampled, [1, 1, -1])), axis=1)


def _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                    sampled_values, subtract_log_q, remove_accidental_hits, seed):
    from fluxion.core.primitives.linalg import matmul
    from fluxion.ops.random_candidates import log_uniform_candidate_sampler

    labels = cast(convert_to_tensor(labels), dtypes.int64)
    labels = reshape(labels, [-1, num_true])
    if sampled_values is None:
        sampled_values = log_uniform_candidate_sampler(labels, num_true, num_sampled, True,
                                                       num_classes, seed=seed)
    sampled, true_expected, sampled_expected = sampled_values
    inputs = convert_to_tensor(inputs)
    all_ids = concat([reshape(labels, [-1]), sampled], 0)
    all_w = embedding_lookup(weights, all_ids)
    all_b = embedding_lookup(biases, all_ids)
    n_true = int(np.prod(labels.shape.as_list()))
    true_w = reshape(all_w[:n_true], [-1, num_true, int(all_w.shape[-1])])
    true_logits = reduce_sum(expand_dims(inputs, 1) * true_w, axis=-1) + \
        reshape(all_b[:n_true], [-1, num_true])
    sampled_logits = matmul(inputs, all_w[n_true:], transpose_b=True) + all_b[n_true:]
    if remove_accidental_hits:
        hits = _hit_mask(labels, sampled)
        penalty = sampled_logits * 0 - np.finfo(np.float32).max
        sampled_logits = sampled_logits + select(hits, penalty, penalty * 0)
    if subtract_log_q:
        true_logits = true_logits - log(cast(true_expected, true_logits.dtype))
        sampled_logits = sampled_logits - log(cast(sampled_expected, sampled_logits.dtype))
    logits = concat([true_logits, sampled_logits], 1)
    targets = concat([true_logits * 0 + 1.0 / num_true, sampled_logits * 0], 1)
    return logits, targets


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
             sampled_values=None, remove_accidental_hits=False, name="nce_loss"):
    """Noise-contrastive estimation loss per example (``[batch]``)."""
    from fluxion.ops.nn_ops import sigmoid_cross_entropy_with_logits

    logits, targets = _sampled_logits(weights, biases, labels, inputs, num_sampled,
                                      num_classes, num_true, sampled_values, True,
                                      remove_accidental_hits, None)
    return reduce_sum(sigmoid_cross_entropy_with_logits(labels=targets * num_true,
                                                        logits=logits), axis=1)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes,
                         num_true=1, sampled_values=None, remove_accidental_hits=True,
                         seed=None, name="sampled_softmax_loss"):
    """Softmax cross-entropy over the true class and ``num_sampled`` sampled classes."""
    from fluxion.ops.nn_ops import softmax_cross_entropy_with_logits

    logits, targets = _sampled_logits(weights, biases, labels, inputs, num_sampled,
                                      num_classes, num_true, sampled_values, True,
                                      remove_accidental_hits, seed)
    return softmax_cross_entropy_with_logits(labels=targets, logits=logits)

