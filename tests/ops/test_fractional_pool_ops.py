"""Fractional pooling: the regions the returned sequences describe, pooled as NumPy would."""

import numpy as np
import pytest

import fluxion as tf


def reference(x, rows, cols, overlapping, reduce):
    extra = 1 if overlapping else 0
    out = np.empty((x.shape[0], len(rows) - 1, len(cols) - 1, x.shape[3]))
    for i in range(len(rows) - 1):
        for j in range(len(cols) - 1):
            block = x[:, rows[i]:min(rows[i + 1] + extra, x.shape[1]),
                      cols[j]:min(cols[j + 1] + extra, x.shape[2])]
            out[:, i, j] = reduce(block, axis=(1, 2))
    return out


@pytest.mark.parametrize("pseudo_random", [False, True])
@pytest.mark.parametrize("overlapping", [False, True])
def test_fractional_pools(pseudo_random, overlapping):
    x = np.random.default_rng(0).normal(size=(2, 10, 7, 3))
    out, rows, cols = tf.nn.fractional_max_pool(x, [1.0, 1.44, 1.73, 1.0], pseudo_random,
                                                overlapping, seed=3)
    rows, cols = rows.numpy(), cols.numpy()
    assert rows[0] == 0 and rows[-1] == 10 and cols[-1] == 7
    assert len(rows) - 1 == int(10 / 1.44) and len(cols) - 1 == int(7 / 1.73)
    assert set(np.diff(rows)) <= {1, 2} and set(np.diff(cols)) <= {1, 2}
    np.testing.assert_allclose(out.numpy(), reference(x, rows, cols, overlapping, np.max))
    avg, rows, cols = tf.nn.fractional_avg_pool(x, [1.0, 1.5, 1.5, 1.0], pseudo_random,
                                                overlapping, seed=4)
    np.testing.assert_allclose(avg.numpy(), reference(x, rows.numpy(), cols.numpy(),
                                                      overlapping, np.mean))


def test_fractional_pool_gradient():
    x = tf.constant(np.random.default_rng(1).normal(size=(1, 5, 5, 1)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        out, rows, cols = tf.nn.fractional_avg_pool(x, [1.0, 1.6, 1.6, 1.0], seed=7)
        weights = np.arange(1.0, 1.0 + np.prod(out.shape)).reshape(out.shape)
        loss = tf.reduce_sum(out * weights)
    grad = tape.gradient(loss, x).numpy()
    rows, cols = rows.numpy(), cols.numpy()
    want = np.zeros((1, 5, 5, 1))
    for i in range(len(rows) - 1):
        for j in range(len(cols) - 1):
            area = (rows[i + 1] - rows[i]) * (cols[j + 1] - cols[j])
            want[0, rows[i]:rows[i + 1], cols[j]:cols[j + 1]] += weights[0, i, j] / area
    np.testing.assert_allclose(grad, want)
