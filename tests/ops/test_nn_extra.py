"""The rest of tf.nn and the candidate samplers, against NumPy (TF 2.21's conventions)."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

TABLE = np.arange(20.0).reshape(5, 4) / 10


def test_embedding_lookup_sharded_and_max_norm():
    check_op(lambda p: tf.nn.embedding_lookup(p, [[3, 0], [1, 1]]), [TABLE.copy()],
             lambda p: p[[[3, 0], [1, 1]]])
    shards = [TABLE[0::2], TABLE[1::2]]  # "mod" sharding: id i in shard i % 2
    got = tf.nn.embedding_lookup(shards, [4, 1, 2])
    np.testing.assert_array_equal(got.numpy(), TABLE[[4, 1, 2]])
    clipped = tf.nn.embedding_lookup(TABLE, [4], max_norm=1.0).numpy()
    np.testing.assert_allclose(np.linalg.norm(clipped), 1.0)


@pytest.mark.parametrize("combiner", ["sum", "mean", "sqrtn"])
def test_embedding_lookup_sparse(combiner):
    ids = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], [1, 3, 4], [3, 2])
    weights = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], np.array([2.0, 1.0, 0.5]), [3, 2])
    got = tf.nn.embedding_lookup_sparse(TABLE, ids, weights, combiner=combiner).numpy()
    row0 = 2 * TABLE[1] + TABLE[3]
    scale = {"sum": 1, "mean": 3, "sqrtn": np.sqrt(5)}[combiner]
    np.testing.assert_allclose(got[0], row0 / scale)
    np.testing.assert_allclose(got[1], 0)
    np.testing.assert_allclose(got[2], 0.5 * TABLE[4] / {"sum": 1, "mean": 0.5,
                                                        "sqrtn": 0.5}[combiner])
    safe_ids = tf.SparseTensor([[0, 0], [1, 0]], [2, -1], [2, 1])
    safe = tf.nn.safe_embedding_lookup_sparse(TABLE, safe_ids, combiner=combiner).numpy()
    np.testing.assert_allclose(safe, [TABLE[2], np.zeros(4)])


def test_moments_helpers_and_lrn():
    x = np.random.default_rng(1).normal(size=(3, 4))
    count, mean_ss, var_ss, _ = tf.nn.sufficient_statistics(x, [0])
    mean, variance = tf.nn.normalize_moments(count, mean_ss, var_ss, None)
    np.testing.assert_allclose(mean.numpy(), x.mean(0))
    np.testing.assert_allclose(variance.numpy(), x.var(0))
    w = np.array([[1.0], [2.0], [1.0]])
    wm, wv = tf.nn.weighted_moments(x, [0], w)
    ref_mean = (w * x).sum(0) / w.sum()
    np.testing.assert_allclose(wm.numpy(), ref_mean)
    np.testing.assert_allclose(wv.numpy(), (w * (x - ref_mean) ** 2).sum(0) / w.sum())
    image = np.random.default_rng(2).normal(size=(1, 2, 2, 6))

    def lrn_reference(v):
        out = np.empty_like(v)
        for c in range(6):
            lo, hi = max(0, c - 2), min(6, c + 3)
            out[..., c] = v[..., c] / (1.0 + 0.5 * (v[..., lo:hi] ** 2).sum(-1)) ** 0.75
        return out

    check_op(lambda v: tf.nn.local_response_normalization(v, 2, 1.0, 0.5, 0.75), [image],
             lrn_reference, second_order=False)


def test_space_to_depth_roundtrip_as_tf():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    packed = tf.nn.space_to_depth(x, 2)
    # TF 2.21: the first output pixel holds the top-left 2x2 block, row-major
    assert packed.numpy()[0, 0, 0].tolist() == [0.0, 1.0, 4.0, 5.0]
    np.testing.assert_array_equal(tf.nn.depth_to_space(packed, 2).numpy(), x)


def test_losses_and_decoders():
    targets = np.array([0.0, 1.0, 3.0])
    log_input = np.array([0.5, -0.2, 1.0])
    check_op(tf.nn.log_poisson_loss, [targets, log_input],
             lambda t, li: np.exp(li) - li * t, wrt=[1])
    full = tf.nn.log_poisson_loss(targets, log_input, compute_full_loss=True).numpy()
    stirling = 3 * np.log(3) - 3 + 0.5 * np.log(2 * np.pi * 3)
    np.testing.assert_allclose(full[2], np.exp(1.0) - 3.0 + stirling)
    assert float(tf.nn.compute_average_loss([1.0, 3.0], global_batch_size=4)) == 1.0
    collapsed, lengths = tf.nn.collapse_repeated([[1, 1, 2, 2, 3], [4, 4, 4, 0, 0]], [5, 3])
    assert collapsed.numpy().tolist() == [[1, 2, 3], [4, 0, 0]] and \
        lengths.numpy().tolist() == [3, 1]
    logits = np.log(np.array([[[0.1, 0.9]], [[0.8, 0.2]], [[0.7, 0.3]], [[0.1, 0.9]]]))
    (decoded,), score = tf.nn.ctc_greedy_decoder(logits, [4])
    assert decoded.values.numpy().tolist() == [0] and float(score[0, 0]) > 0


def test_samplers_and_sampled_losses():
    tf.random.set_seed(3)
    sampled, true_count, sampled_count = tf.random.log_uniform_candidate_sampler(
        [[1], [2]], 1, 5, True, 20)
    values = sampled.numpy()
    assert len(set(values.tolist())) == 5 and values.max() < 20
    p = np.log((np.arange(20) + 2) / (np.arange(20) + 1)) / np.log(21)
    assert np.all(sampled_count.numpy() > p[values] - 1e-6)  # at least one try per draw
    u = tf.random.uniform_candidate_sampler([[0]], 1, 3, False, 4)[0].numpy()
    assert u.shape == (3,) and u.max() < 4
    weights = np.random.default_rng(4).normal(size=(6, 3))
    biases = np.zeros(6)
    inputs = np.random.default_rng(5).normal(size=(2, 3))
    fixed = (tf.constant([4, 5], tf.int64), tf.constant([[1.0], [1.0]]),
             tf.constant([1.0, 1.0]))
    loss = tf.nn.sampled_softmax_loss(weights, biases, [[0], [1]], inputs, 2, 6,
                                      sampled_values=fixed).numpy()
    logits = inputs @ weights[[0, 1, 4, 5]].T
    rows = np.stack([logits[0, [0, 2, 3]], logits[1, [1, 2, 3]]])
    want = -rows[:, 0] + np.log(np.exp(rows).sum(1))
    np.testing.assert_allclose(loss, want, rtol=1e-6)
    nce = tf.nn.nce_loss(weights, biases, [[0], [1]], inputs, 2, 6,
                         sampled_values=fixed).numpy()

    def softplus(v):
        return np.log1p(np.exp(v))

    np.testing.assert_allclose(nce, softplus(-rows[:, 0]) + softplus(rows[:, 1:]).sum(1),
                               rtol=1e-6)

    @tf.function
    def traced(w):
        return tf.reduce_sum(tf.nn.sampled_softmax_loss(w, biases, [[0], [1]], inputs, 2, 6))

    assert np.isfinite(float(traced(tf.constant(weights))))
