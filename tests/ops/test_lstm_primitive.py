"""The fused LSTM primitive through the op harness: forward vs a step-by-step NumPy
reference, shape rules (also with unknown sizes), first and second derivatives by finite
differences (cotangents on every output, the residuals included, and on some outputs
only); masks, ``reverse`` (go_backwards); errors, tracing, and the composite reference."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.core.primitives import lstm
from fluxion.testing.op_check import check_op

rng = np.random.default_rng(0)
B, T, F, U = 2, 3, 3, 2
MASK = np.array([[True, True], [False, True], [True, False]])  # [T, B]


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_lstm(x, h0, c0, kernel, recurrent_kernel, bias, mask=None, reverse=False):
    steps = x.shape[1]
    h, c, hs, cs, gs = h0, c0, [], [], []
    for k in range(steps):
        t = steps - 1 - k if reverse else k
        z = x[:, t] @ kernel + h @ recurrent_kernel + bias
        i, f = sigmoid(z[:, :U]), sigmoid(z[:, U:2 * U])
        g, o = np.tanh(z[:, 2 * U:3 * U]), sigmoid(z[:, 3 * U:])
        c_new = f * c + i * g
        h_new = o * np.tanh(c_new)
        if mask is not None:
            keep = mask[t][:, None]
            c_new, h_new = np.where(keep, c_new, c), np.where(keep, h_new, h)
        h, c = h_new, c_new
        hs.append(h)
        cs.append(c)
        gs.append(np.concatenate([i, f, g, o], 1))
    return np.stack(hs), np.stack(cs), np.stack(gs)


def lstm_inputs():
    return [rng.standard_normal((B, T, F)), rng.standard_normal((B, U)),
            rng.standard_normal((B, U)), rng.standard_normal((F, 4 * U)) * 0.5,
            rng.standard_normal((U, 4 * U)) * 0.5, rng.standard_normal(4 * U) * 0.5]


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_lstm_sequence(reverse, masked):
    args = lstm_inputs() + ([MASK] if masked else [])
    check_op(lambda *a: lstm.lstm_sequence(*a, reverse=reverse), args,
             lambda *a: np_lstm(*a, reverse=reverse))


@pytest.mark.parametrize("output", [0, 1])
def test_gradient_seeded_on_one_output(output):
    """The usual use: one state feeds the loss; the other outputs get no cotangent at all
    (the autodiff passes None, and the gradient kernel reads no zero arrays)."""
    def last(*args):
        return lstm.lstm_sequence(*args, reverse=True)[output][-1]

    check_op(last, lstm_inputs() + [MASK],
             lambda *a: np_lstm(*a, reverse=True)[output][-1])


def test_float32_matches_float64():
    args = lstm_inputs()
    want = np_lstm(*args)
    got = lstm.lstm_sequence(*[tf.constant(a.astype(np.float32)) for a in args])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w, rtol=1e-5, atol=1e-5)
        assert g.dtype == tf.float32


def test_empty_sequence():
    x, *rest = lstm_inputs()
    hs, cs, gates = lstm.lstm_sequence(x[:, :0], *rest)
    assert hs.shape == (0, B, U) and gates.shape == (0, B, 4 * U)
    with tf.GradientTape() as tape:
        weights = [tf.Variable(a) for a in rest[2:]]
        hs, cs, _ = lstm.lstm_sequence(x[:, :0], *rest[:2], *weights)
        loss = tf.reduce_sum(hs) + tf.reduce_sum(cs)
    assert all(np.all(g.numpy() == 0) for g in tape.gradient(loss, weights))


def test_reference_composite_agrees_with_kernel():
    args = [tf.constant(a) for a in lstm_inputs()]
    mask = tf.constant(MASK)
    for fused, ref in zip(lstm.lstm_sequence(*args, mask=mask, reverse=True),
                          lstm.lstm_reference(*args, mask=mask, reverse=True)):
        np.testing.assert_allclose(fused.numpy(), ref.numpy(), rtol=1e-12, atol=1e-12)


def test_shape_rule_with_unknown_sizes():
    from fluxion.core import dtypes
    from fluxion.core.primitive import Aval

    f32 = dtypes.float32
    hs, cs, gates = lstm.lstm_sequence_p.shape_rule(
        Aval((None, None, 5), f32), Aval((None, 2), f32), Aval((None, 2), f32),
        Aval((5, 8), f32), Aval((2, 8), f32), Aval((8,), f32))
    assert hs.shape == (None, None, 2) and gates.shape == (None, None, 8)


def test_errors_name_the_op_and_shapes():
    x, h0, c0, kernel, rk, bias = [tf.constant(a.astype(np.float32)) for a in lstm_inputs()]
    with pytest.raises(ValueError, match="lstm_sequence.*rank 3"):
        lstm.lstm_sequence(x[0], h0, c0, kernel, rk, bias)
    with pytest.raises(ValueError, match="units"):
        lstm.lstm_sequence(x, h0, c0, kernel, tf.zeros((3, 8)), bias)
    with pytest.raises(ValueError, match="features"):
        lstm.lstm_sequence(x, h0, c0, tf.zeros((F + 1, 4 * U)), rk, bias)
    with pytest.raises(ValueError, match="gate width"):
        lstm.lstm_sequence(x, h0, c0, kernel, rk, bias[:3])
    with pytest.raises((TypeError, ValueError), match="one dtype"):
        lstm.lstm_sequence(x, tf.cast(h0, tf.float64), c0, kernel, rk, bias)
    with pytest.raises((TypeError, ValueError), match="one dtype"):
        lstm.lstm_sequence(x, h0, c0, kernel, rk, tf.cast(bias, tf.float64))
    with pytest.raises((TypeError, ValueError), match="bool"):
        lstm.lstm_sequence(x, h0, c0, kernel, rk, bias, mask=tf.ones((T, B)))
    with pytest.raises(ValueError, match="batch"):
        lstm.lstm_sequence(x, h0, c0, kernel, rk, bias, mask=tf.ones((T, B + 1), tf.bool))


def test_traced_with_unknown_batch_and_time():
    args = [a.astype(np.float32) for a in lstm_inputs()]
    spec = [tf.TensorSpec([None, None, F]), tf.TensorSpec([None, U]),
            tf.TensorSpec([None, U]), tf.TensorSpec([F, 4 * U]), tf.TensorSpec([U, 4 * U]),
            tf.TensorSpec([4 * U])]

    @tf.function(input_signature=spec)
    def last_and_grads(x, h0, c0, kernel, rk, bias):
        with tf.GradientTape() as tape:
            tape.watch([x, kernel, rk, bias])
            hs = lstm.lstm_sequence(x, h0, c0, kernel, rk, bias, reverse=True)[0]
            loss = tf.reduce_sum(hs[-1] ** 2)
        return hs, tape.gradient(loss, [x, kernel, rk, bias])

    hs, grads = last_and_grads(*args)
    np.testing.assert_allclose(hs.numpy(), np_lstm(*args, reverse=True)[0], rtol=1e-5,
                               atol=1e-6)
    with tf.GradientTape() as tape:
        eager = [tf.constant(a) for a in args]
        tape.watch(eager)
        loss = tf.reduce_sum(lstm.lstm_sequence(*eager, reverse=True)[0][-1] ** 2)
    want = tape.gradient(loss, [eager[0]] + eager[3:])
    for got, expected in zip(grads, want):
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_v1_gradients_of_one_output():
    """``tf.compat.v1.gradients`` passes no cotangent for unused outputs either."""
    v1 = tf.compat.v1
    args = [a.astype(np.float32) for a in lstm_inputs()]
    graph = v1.Graph()
    with graph.as_default():
        kernel = v1.placeholder(tf.float32, [F, 4 * U])
        hs, cs, _ = lstm.lstm_sequence(args[0], args[1], args[2], kernel, args[4], args[5])
        (grad,) = v1.gradients(tf.reduce_sum(cs[-1]), [kernel])
        with v1.Session(graph=graph) as session:
            got = session.run(grad, {kernel: args[3]})
    with tf.GradientTape() as tape:
        k = tf.constant(args[3])
        tape.watch(k)
        loss = tf.reduce_sum(lstm.lstm_sequence(args[0], *args[1:3], k, *args[4:])[1][-1])
    np.testing.assert_allclose(got, tape.gradient(loss, k).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reverse", [False, True])
def test_backward_reads_the_forward_buffers_or_rebuilds_them(reverse):
    """The forward kernel's ``hs``/``cs`` carry each step's stacked input and tanh(c) in
    their buffers, which the backward kernel reads; given copies (no such buffers) it
    recomputes them, with the same result."""
    x, h0, c0, kernel, rk, bias = lstm_inputs()
    hs, cs, gates = lstm._lstm_kernel(x, h0, c0, kernel, rk, bias, reverse=reverse)
    assert lstm._buffer_behind(cs, (T, 2 * U, B), lambda b: b[:, :U].transpose(0, 2, 1)) \
        is not None
    ghs, gcs = rng.standard_normal(hs.shape), rng.standard_normal(cs.shape)
    reused = lstm._lstm_grad_kernel(x, h0, c0, kernel, rk, bias, hs, cs, gates, ghs, gcs,
                                    seeded=(True, True, False), reverse=reverse)
    rebuilt = lstm._lstm_grad_kernel(x, h0, c0, kernel, rk, bias, hs.copy(), cs.copy(),
                                     gates, ghs, gcs, seeded=(True, True, False),
                                     reverse=reverse)
    for a, b in zip(reused, rebuilt):
        np.testing.assert_array_equal(a, b)
    assert lstm._buffer_behind(cs.copy(), (T, 2 * U, B), lambda b: b) is None
