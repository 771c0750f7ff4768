"""The fused LSTM/GRU sequence primitives through the op harness: forward vs a step-by-step
NumPy reference, shape rules (also with unknown sizes), first and second derivatives by
finite differences (cotangents on every output, the residuals included); masks,
``reverse`` (go_backwards), GRU ``reset_after``; errors and the composite reference."""

import numpy as np
import pytest

import fluxion as tf
from fluxion.core.primitives import recurrent
from fluxion.testing.op_check import check_op

rng = np.random.default_rng(0)
T, B, U = 3, 2, 2
MASK = np.array([[True, True], [False, True], [True, False]])


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_lstm(xw, h0, c0, kernel, mask=None, reverse=False):
    steps, units = xw.shape[0], kernel.shape[0]
    h, c, hs, cs, gs = h0, c0, [], [], []
    for k in range(steps):
        t = steps - 1 - k if reverse else k
        z = xw[t] + h @ kernel
        i, f = sigmoid(z[:, :units]), sigmoid(z[:, units:2 * units])
        g, o = np.tanh(z[:, 2 * units:3 * units]), sigmoid(z[:, 3 * units:])
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


def np_gru(xw, h0, kernel, rb, mask=None, reverse=False, reset_after=True):
    steps, units = xw.shape[0], kernel.shape[0]
    h, hs, gs, recs = h0, [], [], []
    for k in range(steps):
        t = steps - 1 - k if reverse else k
        x = xw[t]
        rec = h @ kernel + rb if reset_after else h @ kernel[:, :2 * units] + rb[:2 * units]
        z = sigmoid(x[:, :units] + rec[:, :units])
        r = sigmoid(x[:, units:2 * units] + rec[:, units:2 * units])
        if reset_after:
            hrec = rec[:, 2 * units:]
            hh = np.tanh(x[:, 2 * units:] + r * hrec)
        else:
            hrec = (r * h) @ kernel[:, 2 * units:] + rb[2 * units:]
            hh = np.tanh(x[:, 2 * units:] + hrec)
        h_new = z * h + (1 - z) * hh
        if mask is not None:
            h_new = np.where(mask[t][:, None], h_new, h)
        h = h_new
        hs.append(h)
        gs.append(np.concatenate([z, r, hh], 1))
        recs.append(hrec)
    return np.stack(hs), np.stack(gs), np.stack(recs)


def lstm_inputs():
    return [rng.standard_normal((T, B, 4 * U)), rng.standard_normal((B, U)),
            rng.standard_normal((B, U)), rng.standard_normal((U, 4 * U)) * 0.5]


def gru_inputs():
    return [rng.standard_normal((T, B, 3 * U)), rng.standard_normal((B, U)),
            rng.standard_normal((U, 3 * U)) * 0.5, rng.standard_normal(3 * U)]


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_lstm_sequence(reverse, masked):
    args = lstm_inputs() + ([MASK] if masked else [])
    check_op(lambda *a: recurrent.lstm_sequence(*a, reverse=reverse), args,
             lambda *a: np_lstm(*a, reverse=reverse))


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_gru_sequence(reset_after, reverse, masked):
    args = gru_inputs() + ([MASK] if masked else [])
    check_op(lambda *a: recurrent.gru_sequence(*a, reverse=reverse, reset_after=reset_after),
             args, lambda *a: np_gru(*a, reverse=reverse, reset_after=reset_after))


def test_lstm_last_state_only_gradient():
    """The usual use: only the last hidden state feeds the loss (other cotangents zero)."""
    def last(xw, h0, c0, kernel):
        return recurrent.lstm_sequence(xw, h0, c0, kernel)[0][-1]

    check_op(last, lstm_inputs(), lambda *a: np_lstm(*a)[0][-1])


def test_float32_matches_float64():
    args = lstm_inputs()
    want = np_lstm(*args)
    got = recurrent.lstm_sequence(*[tf.constant(a.astype(np.float32)) for a in args])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w, rtol=1e-5, atol=1e-5)
        assert g.dtype == tf.float32


def test_empty_sequence():
    xw, h0, c0, kernel = lstm_inputs()
    hs, cs, gates = recurrent.lstm_sequence(tf.constant(xw[:0]), tf.constant(h0),
                                            tf.constant(c0), tf.constant(kernel))
    assert hs.shape == (0, B, U) and gates.shape == (0, B, 4 * U)


def test_reference_composites_agree_with_kernels():
    args = [tf.constant(a) for a in lstm_inputs()]
    mask = tf.constant(MASK)
    for fused, ref in zip(recurrent.lstm_sequence(*args, mask=mask, reverse=True),
                          recurrent.lstm_reference(*args, mask=mask, reverse=True)):
        np.testing.assert_allclose(fused.numpy(), ref.numpy(), rtol=1e-12, atol=1e-12)
    args = [tf.constant(a) for a in gru_inputs()]
    for fused, ref in zip(recurrent.gru_sequence(*args, reset_after=False),
                          recurrent.gru_reference(*args, reset_after=False)):
        np.testing.assert_allclose(fused.numpy(), ref.numpy(), rtol=1e-12, atol=1e-12)


def test_shape_rule_with_unknown_sizes():
    from fluxion.core import dtypes
    from fluxion.core.primitive import Aval

    f32 = dtypes.float32
    hs, cs, gates = recurrent.lstm_sequence_p.shape_rule(
        Aval((None, None, 8), f32), Aval((None, 2), f32), Aval((None, 2), f32),
        Aval((2, 8), f32))
    assert hs.shape == (None, None, 2) and gates.shape == (None, None, 8)


def test_errors_name_the_op_and_shapes():
    xw, h0, c0, kernel = [tf.constant(a.astype(np.float32)) for a in lstm_inputs()]
    with pytest.raises(ValueError, match="lstm_sequence.*rank 3"):
        recurrent.lstm_sequence(xw[0], h0, c0, kernel)
    with pytest.raises(ValueError, match="units"):
        recurrent.lstm_sequence(xw, h0, c0, tf.zeros((3, 8)))
    with pytest.raises((TypeError, ValueError), match="one dtype"):
        recurrent.lstm_sequence(xw, tf.cast(h0, tf.float64), c0, kernel)
    with pytest.raises((TypeError, ValueError), match="bool"):
        recurrent.lstm_sequence(xw, h0, c0, kernel, mask=tf.ones((T, B)))
    with pytest.raises(ValueError, match="batch"):
        recurrent.lstm_sequence(xw, h0, c0, kernel, mask=tf.ones((T, B + 1), tf.bool))
    gx, gh, gk, grb = [tf.constant(a.astype(np.float32)) for a in gru_inputs()]
    with pytest.raises(ValueError, match="recurrent bias"):
        recurrent.gru_sequence(gx, gh, gk, grb[:2])


def test_traced_with_unknown_batch_and_time():
    xw, h0, c0, kernel = [a.astype(np.float32) for a in lstm_inputs()]
    spec = [tf.TensorSpec([None, None, 4 * U]), tf.TensorSpec([None, U]),
            tf.TensorSpec([None, U]), tf.TensorSpec([U, 4 * U])]

    @tf.function(input_signature=spec)
    def last_and_grad(xw, h0, c0, kernel):
        with tf.GradientTape() as tape:
            tape.watch(kernel)
            hs = recurrent.lstm_sequence(xw, h0, c0, kernel)[0]
            loss = tf.reduce_sum(hs[-1])
        return hs, tape.gradient(loss, kernel)

    hs, grad = last_and_grad(xw, h0, c0, kernel)
    np.testing.assert_allclose(hs.numpy(), np_lstm(xw, h0, c0, kernel)[0], rtol=1e-5,
                               atol=1e-6)
    assert grad.shape == (U, 4 * U)
