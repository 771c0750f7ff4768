"""``tf.compat.v1.nn``: TF 1's signatures of the neural-network ops, and its extra ops.

TF 1 spells arguments differently: ``dropout(x, keep_prob)``, ``conv2d(input, filter)``,
``max_pool(value, ...)``, ``softmax(logits, dim=...)``, ``moments(x, axes,
keep_dims=...)``, and its ``softmax_cross_entropy_with_logits`` does not propagate
gradients into ``labels`` (``..._v2`` does).  It also has ``xw_plus_b``,
``relu_layer``, ``embedding_lookup`` over a list of shards, ``zero_fraction``,
``sufficient_statistics`` / ``normalize_moments`` / ``weighted_moments``,
``local_response_normalization`` and ``log_poisson_loss``.  Every other name is
``fluxion.nn``'s.
"""

from __future__ import annotations

import fluxion.ops.nn_ops as _nn
from fluxion.compat import root_namespace
from fluxion.compat import v1_rnn_cell as rnn_cell  # noqa: F401 - tf.compat.v1.nn.rnn_cell
from fluxion.compat.v1_nn_native import (  # noqa: F401 - re-exported
    conv2d_backprop_filter,
    conv2d_backprop_input,
    depthwise_conv2d_native,
    fused_batch_norm,
)
from fluxion.compat.v1_ops import deprecated_alias
from fluxion.compat.v1_rnn import (  # noqa: F401 - re-exported
    bidirectional_dynamic_rnn,
    dynamic_rnn,
    static_bidirectional_rnn,
    static_rnn,
)
from fluxion.core import dtypes
from fluxion.core.tensor import convert_to_tensor
from fluxion.graph.v1.named_ops import named
from fluxion.ops.dropout_ops import dropout as _dropout


def _tf():
    return root_namespace.root()


def _nn_module():
    return _tf().nn


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """Zeroes elements with probability ``1 - keep_prob`` and scales the rest up."""
    if keep_prob is not None:
        if rate is not None:
            raise ValueError("Cannot specify both 'rate' and 'keep_prob'.")
        rate = 1 - keep_prob
    if rate is None:
        raise ValueError("dropout needs keep_prob (TF 1) or rate.")
    return _dropout(x, rate, noise_shape=noise_shape, seed=seed)


def conv2d(input, filter=None, strides=None, padding=None,  # noqa: A002
           use_cudnn_on_gpu=True, data_format="NHWC", dilations=(1, 1, 1, 1), name=None,
           filters=None):
    """2-D convolution; TF 1 names the kernel ``filter``."""
    filters = deprecated_alias("filters", filters, "filter", filter)
    return _nn_module().conv2d(input, filters, strides, padding, data_format=data_format,
                               dilations=dilations)


def _pool(pool):
    def pooled(value=None, ksize=None, strides=None, padding=None, data_format="NHWC",
               name=None, input=None):  # noqa: A002
        value = deprecated_alias("value", value, "input", input)
        return pool(value, ksize, strides, padding, data_format=data_format)

    pooled.__name__ = pool.__name__
    pooled.__doc__ = f"``{pool.__name__}`` with TF 1's ``value`` argument."
    return pooled


def softmax(logits, axis=None, name=None, dim=None):
    """Softmax along ``axis`` (TF 1: ``dim``), the last by default."""
    axis = deprecated_alias("axis", axis, "dim", dim)
    return _nn.softmax(logits, axis=-1 if axis is None else axis)


def log_softmax(logits, axis=None, name=None, dim=None):
    """Log-softmax along ``axis`` (TF 1: ``dim``), the last by default."""
    axis = deprecated_alias("axis", axis, "dim", dim)
    return _nn.log_softmax(logits, axis=-1 if axis is None else axis)


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name=None, axis=None):
    """Softmax cross-entropy per example; no gradient flows into ``labels`` (TF 1)."""
    _named_only("softmax_cross_entropy_with_logits", _sentinel)
    axis = deprecated_alias("axis", axis, "dim", dim if dim != -1 else None)
    labels = _tf().stop_gradient(convert_to_tensor(labels))
    return _nn.softmax_cross_entropy_with_logits(labels, logits, axis=-1 if axis is None
                                                 else axis)


def softmax_cross_entropy_with_logits_v2(labels, logits, axis=None, name=None, dim=None):
    """Softmax cross-entropy per example, gradients into both arguments."""
    axis = deprecated_alias("axis", axis, "dim", dim)
    return _nn.softmax_cross_entropy_with_logits(labels, logits, axis=-1 if axis is None
                                                 else axis)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name=None):
    """Cross-entropy of integer ``labels`` against ``softmax(logits)`` per example."""
    _named_only("sparse_softmax_cross_entropy_with_logits", _sentinel)
    return _nn.sparse_softmax_cross_entropy_with_logits(labels, logits)


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """Element-wise logistic loss of ``logits`` against ``labels``."""
    _named_only("sigmoid_cross_entropy_with_logits", _sentinel)
    return _nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)


def _named_only(op: str, sentinel) -> None:
    if sentinel is not None:
        raise ValueError(f"Only call `{op}` with named arguments (labels=..., logits=...).")


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """``(mean, variance)`` over ``axes`` (TF 1: ``keep_dims``)."""
    keepdims = deprecated_alias("keepdims", keepdims, "keep_dims", keep_dims)
    return _nn.moments(x, axes, keepdims=bool(keepdims))


def xw_plus_b(x, weights, biases, name=None):
    """``matmul(x, weights) + biases``."""
    return _nn.bias_add(_tf().matmul(x, weights), biases)


def relu_layer(x, weights, biases, name=None):
    """``relu(matmul(x, weights) + biases)``."""
    return _nn.relu(xw_plus_b(x, weights, biases))


def embedding_lookup(params, ids, partition_strategy="mod", name=None,
                     validate_indices=True, max_norm=None):
    """Rows ``ids`` of ``params`` (a tensor, or a list of shards split by id, TF 1).

    With several shards, ``"mod"`` puts id ``i`` in shard ``i % n`` at row ``i // n``;
    ``"div"`` gives each shard a contiguous block of ids.  ``max_norm`` clips each
    looked-up row to that L2 norm.
    """
    from fluxion.ops.array_ops import concat, gather

    shards = list(params) if isinstance(params, (list, tuple)) else [params]
    if len(shards) == 1:
        table = convert_to_tensor(shards[0])
    elif partition_strategy == "div":
        table = concat([convert_to_tensor(s) for s in shards], axis=0)
    elif partition_strategy == "mod":
        # Interleave the shards' rows back into id order: id i is row i // n of shard i % n.
        from fluxion.ops.array_ops import reshape, stack

        sizes = [convert_to_tensor(s).shape[0] for s in shards]
        if len(set(sizes)) != 1:  # uneven shards: gather each id from its shard
            total = sum(sizes)
            import numpy as np

            order = np.argsort([i for i in range(total)], kind="stable")
            rows = [(i % len(shards), i // len(shards)) for i in order]
            table = stack([gather(convert_to_tensor(shards[s]), r) for s, r in rows])
        else:
            stacked = stack([convert_to_tensor(s) for s in shards], axis=1)
            table = reshape(stacked, [-1] + list(stacked.shape[2:]))
    else:
        raise ValueError(f"Unrecognized partition strategy: {partition_strategy!r} "
                         f"(expected 'mod' or 'div')")
    rows = gather(table, ids)
    if max_norm is not None:
        from fluxion.ops.clip_ops import clip_by_norm

        axes = list(range(len(ids_shape(ids)), len(rows.shape)))
        rows = clip_by_norm(rows, max_norm, axes=axes)
    return rows


def ids_shape(ids) -> tuple:
    return tuple(convert_to_tensor(ids).shape)


def zero_fraction(value, name=None):
    """The fraction of zeros in ``value``, a float32 scalar."""
    value = convert_to_tensor(value)
    zeros = _tf().cast(_tf().equal(value, _tf().cast(0, value.dtype)), dtypes.float32)
    return _tf().reduce_mean(zeros)


def sufficient_statistics(x, axes, shift=None, keep_dims=None, name=None, keepdims=None):
    """``(count, sum(x - shift), sum((x - shift)^2), shift)`` over ``axes``."""
    keepdims = bool(deprecated_alias("keepdims", keepdims, "keep_dims", keep_dims))
    x = convert_to_tensor(x)
    axes = [axes] if isinstance(axes, int) else list(axes)
    count = 1
    for axis in axes:
        count *= x.shape[axis]
    count = convert_to_tensor(float(count), dtype=x.dtype)
    shifted = x if shift is None else x - shift
    return (count, _tf().reduce_sum(shifted, axes, keepdims=keepdims),
            _tf().reduce_sum(shifted * shifted, axes, keepdims=keepdims), shift)


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """``(mean, variance)`` from ``sufficient_statistics``."""
    divisor = _tf().math.reciprocal(counts)
    shifted_mean = mean_ss * divisor
    mean = shifted_mean if shift is None else shifted_mean + shift
    variance = variance_ss * divisor - shifted_mean * shifted_mean
    return mean, variance


def weighted_moments(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    """``(mean, variance)`` of ``x`` over ``axes`` weighted by ``frequency_weights``."""
    keepdims = bool(deprecated_alias("keepdims", keepdims, "keep_dims", keep_dims))
    x = convert_to_tensor(x)
    weights = _tf().cast(frequency_weights, x.dtype) + _tf().zeros_like(x)
    total = _tf().reduce_sum(weights, axes, keepdims=True)
    mean = _tf().reduce_sum(weights * x, axes, keepdims=True) / total
    variance = _tf().reduce_sum(weights * _tf().square(x - mean), axes,
                                     keepdims=True) / total
    if not keepdims:
        from fluxion.core.primitives.shape import squeeze

        mean, variance = squeeze(mean, axes), squeeze(variance, axes)
    return mean, variance


def local_response_normalization(input, depth_radius=5, bias=1.0, alpha=1.0,  # noqa: A002
                                 beta=0.5, name=None):
    """``input / (bias + alpha * sum of squares over 2*depth_radius+1 channels) ** beta``."""
    from fluxion.ops.array_ops import pad

    x = convert_to_tensor(input)
    squared = _tf().square(x)
    padded = pad(squared, [[0, 0]] * (len(x.shape) - 1) + [[depth_radius, depth_radius]])
    channels = x.shape[-1]
    window = padded[..., 0:channels]
    for offset in range(1, 2 * depth_radius + 1):
        window = window + padded[..., offset:offset + channels]
    return x / _tf().pow(bias + alpha * window, beta)


lrn = local_response_normalization


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """``exp(log_input) - targets * log_input`` (+ Stirling's term for targets > 1)."""
    import math

    log_input = convert_to_tensor(log_input)
    targets = _tf().cast(targets, log_input.dtype)
    loss = _tf().exp(log_input) - log_input * targets
    if compute_full_loss:
        stirling = (targets * _tf().log(_tf().maximum(targets, 1.0)) - targets
                    + 0.5 * _tf().log(2.0 * math.pi * _tf().maximum(targets, 1.0)))
        loss = loss + _tf().where(targets > 1.0, stirling, _tf().zeros_like(targets))
    return loss


max_pool = _pool(_nn_module().max_pool)
avg_pool = _pool(_nn_module().avg_pool)


def __getattr__(name: str):
    """Any other name is ``fluxion.nn``'s (naming its graph ops as TF 1 does)."""
    import inspect

    if name.startswith("__"):
        raise AttributeError(name)
    from fluxion.compat import v1_aliases

    try:
        value = v1_aliases.resolve(v1_aliases.NN, name) if name in v1_aliases.NN \
            else getattr(_nn_module(), name)
    except AttributeError:
        raise AttributeError(f"module 'tf.compat.v1.nn' has no attribute {name!r}") from None
    if inspect.isfunction(value):
        value = named(value)
        globals()[name] = value
    return value


for _function in (dropout, conv2d, softmax, log_softmax, softmax_cross_entropy_with_logits,
                  softmax_cross_entropy_with_logits_v2, sparse_softmax_cross_entropy_with_logits,
                  sigmoid_cross_entropy_with_logits, moments, xw_plus_b, relu_layer,
                  embedding_lookup, zero_fraction, local_response_normalization,
                  log_poisson_loss, max_pool, avg_pool):
    globals()[_function.__name__] = named(_function)
lrn = local_response_normalization
