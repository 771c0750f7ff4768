"""tf.compat.v1.nn: TF 1 signatures and TF 1-only ops, against NumPy."""

import numpy as np
import pytest

import fluxion as fx
import fluxion.compat.v1 as tf


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_tf1_argument_names():
    x = np.random.RandomState(0).rand(2, 3).astype(np.float32)
    np.testing.assert_allclose(tf.nn.softmax(x, dim=0).numpy(), _softmax(x, 0), rtol=1e-6)
    np.testing.assert_allclose(tf.nn.log_softmax(x).numpy(), np.log(_softmax(x)), rtol=1e-5)
    assert np.all(tf.nn.dropout(x, keep_prob=1.0).numpy() == x)
    kept = tf.nn.dropout(np.ones(10000, np.float32), keep_prob=0.25).numpy()
    assert set(np.unique(kept)) <= {0.0, 4.0} and 0.2 < (kept > 0).mean() < 0.3
    mean, variance = tf.nn.moments(x, [0], keep_dims=True)
    np.testing.assert_allclose(mean.numpy(), x.mean(0, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(variance.numpy(), x.var(0, keepdims=True), rtol=1e-5)
    image = np.random.RandomState(1).rand(1, 4, 4, 1).astype(np.float32)
    kernel = np.ones((2, 2, 1, 1), np.float32)
    out = tf.nn.conv2d(image, filter=kernel, strides=[1, 1, 1, 1], padding="VALID")
    np.testing.assert_allclose(out.numpy()[0, 0, 0, 0], image[0, :2, :2, 0].sum(), rtol=1e-5)
    pooled = tf.nn.max_pool(value=image, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1],
                            padding="VALID")
    np.testing.assert_allclose(pooled.numpy()[0, 0, 0, 0], image[0, :2, :2, 0].max())


def test_v1_softmax_cross_entropy_stops_the_labels_gradient():
    labels = fx.Variable([[0.2, 0.8]])
    logits = fx.Variable([[1.0, 2.0]])
    with fx.GradientTape(persistent=True) as tape:
        v1 = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert tape.gradient(v1, labels) is None
    assert tape.gradient(v2, labels) is not None
    expected = -(np.array([0.2, 0.8]) * np.log(_softmax(np.array([1.0, 2.0])))).sum()
    np.testing.assert_allclose(float(v1[0]), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="named arguments"):
        tf.nn.softmax_cross_entropy_with_logits(labels, logits)


def test_embedding_lookup_over_shards_mod_and_div():
    table = np.arange(14.0).reshape(7, 2)
    ids = np.array([[0, 6], [3, 4]])
    mod_shards = [table[i::3] for i in range(3)]  # id i in shard i % 3, row i // 3
    np.testing.assert_array_equal(tf.nn.embedding_lookup(mod_shards, ids).numpy(), table[ids])
    div_shards = [table[:3], table[3:5], table[5:]]
    np.testing.assert_array_equal(
        tf.nn.embedding_lookup(div_shards, ids, partition_strategy="div").numpy(), table[ids])
    clipped = tf.nn.embedding_lookup(table, [6], max_norm=1.0).numpy()
    np.testing.assert_allclose(np.linalg.norm(clipped, axis=1), [1.0], rtol=1e-6)


def test_layers_of_arithmetic_and_statistics():
    x, w, b = np.ones((2, 3)), np.arange(6.0).reshape(3, 2), np.array([-10.0, 1.0])
    np.testing.assert_array_equal(tf.nn.xw_plus_b(x, w, b).numpy(), x @ w + b)
    np.testing.assert_array_equal(tf.nn.relu_layer(x, w, b).numpy(), np.maximum(x @ w + b, 0))
    assert float(tf.nn.zero_fraction([0.0, 1.0, 0.0, 0.0])) == 0.75
    data = np.random.RandomState(2).rand(5, 3)
    counts, sums, squares, shift = tf.nn.sufficient_statistics(data, [0])
    mean, variance = tf.nn.normalize_moments(counts, sums, squares, shift)
    np.testing.assert_allclose(mean.numpy(), data.mean(0))
    np.testing.assert_allclose(variance.numpy(), data.var(0))
    weights = np.array([1.0, 2.0, 0.0, 1.0, 3.0])[:, None]
    mean, variance = tf.nn.weighted_moments(data, [0], weights)
    expected = (weights * data).sum(0) / weights.sum()
    np.testing.assert_allclose(mean.numpy(), expected)
    np.testing.assert_allclose(variance.numpy(),
                               (weights * (data - expected) ** 2).sum(0) / weights.sum())


def test_local_response_normalization_and_log_poisson():
    x = np.random.RandomState(3).rand(1, 2, 2, 5).astype(np.float32)
    out = tf.nn.lrn(x, depth_radius=1, bias=2.0, alpha=0.5, beta=0.75).numpy()
    squares = np.pad(x ** 2, [(0, 0)] * 3 + [(1, 1)])
    window = squares[..., :-2] + squares[..., 1:-1] + squares[..., 2:]
    np.testing.assert_allclose(out, x / (2.0 + 0.5 * window) ** 0.75, rtol=1e-5)
    targets, log_input = np.array([0.0, 2.0, 3.0]), np.array([0.1, 0.5, 1.0])
    full = tf.nn.log_poisson_loss(targets, log_input, compute_full_loss=True).numpy()
    stirling = targets * np.log(np.maximum(targets, 1)) - targets + 0.5 * np.log(
        2 * np.pi * np.maximum(targets, 1))
    np.testing.assert_allclose(full, np.exp(log_input) - log_input * targets
                               + np.where(targets > 1, stirling, 0.0))


def test_other_names_come_from_fluxion_nn():
    assert tf.nn.relu.__wrapped__ is fx.nn.relu  # naming its graph op as TF 1 does
    with pytest.raises(AttributeError, match="compat.v1.nn"):
        tf.nn.no_such_op  # noqa: B018
