"""GradientTape semantics, rule by rule, as TensorFlow defines them."""

import numpy as np
import pytest

import fluxion as tf


def test_watched_constant_and_unwatched_constant():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert float(tape.gradient(y, x)) == 6.0
    z = tf.constant(1.0)
    with tf.GradientTape() as tape:
        y = z * 2
    assert tape.gradient(y, z) is None


def test_trainable_variables_are_watched_automatically():
    v = tf.Variable(2.0)
    frozen = tf.Variable(5.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v * v * frozen
    gv, gf = tape.gradient(y, [v, frozen])
    assert float(gv) == 20.0 and gf is None
    assert tape.watched_variables() == (v,)


def test_watch_accessed_variables_false():
    v = tf.Variable(2.0)
    w = tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False, persistent=True) as tape:
        tape.watch(w)
        y = v * w
    assert tape.gradient(y, v) is None and float(tape.gradient(y, w)) == 2.0


def test_integer_sources_give_none():
    v = tf.Variable(3)
    with tf.GradientTape() as tape:
        y = tf.cast(v, tf.float32) * 2
    assert tape.gradient(y, v) is None


def test_second_gradient_call_needs_persistent():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.gradient(y, x)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * x
    assert float(tape.gradient(y, x)) == 6.0 and float(tape.gradient(z, x)) == 27.0


def test_nested_structures_and_output_gradients():
    a, b = tf.constant([1.0, 2.0]), tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        y = {"first": a * b, "second": b * b}
    grads = tape.gradient(y, {"a": a, "b": b})
    np.testing.assert_allclose(grads["a"].numpy(), [3.0, 3.0])
    assert float(grads["b"]) == 1.0 + 2.0 + 6.0
    with tf.GradientTape() as tape:
        tape.watch(a)
        y = a * a
    g = tape.gradient(y, a, output_gradients=tf.constant([10.0, 0.0]))
    np.testing.assert_allclose(g.numpy(), [20.0, 0.0])


def test_unconnected_gradients_zero():
    x, unused = tf.constant(1.0), tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch([x, unused])
        y = x * 2
    g = tape.gradient(y, [x, unused], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    np.testing.assert_allclose(g[1].numpy(), [0.0, 0.0])


def test_stop_recording():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        with tape.stop_recording():
            y = x * x
        total = x * 3 + y
    assert tape.gradient(y, x) is None
    assert float(tape.gradient(total, x)) == 3.0


def test_reset():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        tape.reset()
        tape.watch(x)
        z = x * 5
    assert float(tape.gradient(z, x)) == 5.0
    assert tape.gradient(y, x) is None


def test_higher_order_through_nested_tapes():
    x = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x * x * x
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    assert float(dy) == 12.0 and float(d2y) == 12.0


def test_third_order():
    x = tf.constant(0.5)
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.sin(x)
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    np.testing.assert_allclose(float(d3), -np.cos(0.5), rtol=1e-6)


def test_gradient_sums_over_variable_reads_and_assign_cuts():
    v = tf.Variable(3.0)
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = v * v + v
        v.assign(x * 10)
        z = v * 1.0
    assert float(tape.gradient(y, v)) == 7.0
    assert tape.gradient(z, x) is None  # assign is not differentiable, as in TF


def test_broadcasting_is_undone():
    x = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = tf.constant([1.0, 1.0, 1.0])
    s = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([b, s])
        y = (x + b) * s
    gb, gs = tape.gradient(y, [b, s])
    np.testing.assert_allclose(gb.numpy(), [4.0, 4.0, 4.0])
    assert float(gs) == 21.0 + 6.0


@pytest.mark.parametrize("shape", [(300, 7), (16, 9, 9, 32), (257, 3)])
def test_broadcasting_undone_over_many_rows_matches_numpy(shape):
    # Big bias gradients take a BLAS path (a ones-vector product over widened rows).
    g = np.random.default_rng(1).normal(size=shape)
    for dtype in ("float32", "float64"):
        b = tf.zeros(shape[-1:], dtype)
        with tf.GradientTape() as tape:
            tape.watch(b)
            y = tf.constant(np.zeros(shape), dtype) + b
        (gb,) = tape.gradient(y, [b], output_gradients=[tf.constant(g, dtype)])
        want = g.reshape(-1, shape[-1]).sum(axis=0)
        np.testing.assert_allclose(gb.numpy(), want, rtol=1e-4 if dtype == "float32" else 1e-12,
                                   atol=1e-3 if dtype == "float32" else 1e-10)


def test_jacobian_and_batch_jacobian():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    jac = tape.jacobian(y, x)
    assert jac.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(jac.numpy()[1, 0, 1, 0], 6.0)
    assert jac.numpy()[1, 0, 0, 1] == 0.0
    batch = tape.batch_jacobian(y, x)
    assert batch.shape == (2, 2, 2)
    np.testing.assert_allclose(batch.numpy(), [np.diag([2.0, 4.0]), np.diag([6.0, 8.0])])


def test_custom_gradient():
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))
        return tf.math.log(1 + e), grad

    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    assert float(tape.gradient(y, x)) == 1.0  # the naive gradient would be NaN


def test_custom_gradient_with_variables():
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def scaled(x):
        def grad(upstream, variables):
            return upstream * v, [upstream * x * 100.0]
        return x * v, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = scaled(x)
    gx, gv = tape.gradient(y, [x, v])
    assert float(gx) == 2.0 and float(gv) == 300.0


def test_gradient_through_indexing_and_matmul():
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum((w @ w)[0])
    np.testing.assert_allclose(tape.gradient(y, w).numpy(), [[4.0, 8.0], [2.0, 2.0]])
