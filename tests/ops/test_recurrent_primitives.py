"""The fused GRU sequence primitive through the op harness: forward vs a step-by-step
NumPy reference, shape rules (also with unknown sizes), first and second derivatives by
finite differences (cotangents on every output, the residuals included); masks,
``reverse`` (go_backwards), ``reset_after``; errors and the composite reference.
(The LSTM's primitive: test_lstm_primitive.py.)"""

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


def gru_inputs():
    return [rng.standard_normal((T, B, 3 * U)), rng.standard_normal((B, U)),
            rng.standard_normal((U, 3 * U)) * 0.5, rng.standard_normal(3 * U)]


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_gru_sequence(reset_after, reverse, masked):
    args = gru_inputs() + ([MASK] if masked else [])
    check_op(lambda *a: recurrent.gru_sequence(*a, reverse=reverse, reset_after=reset_after),
             args, lambda *a: np_gru(*a, reverse=reverse, reset_after=reset_after))


def test_reference_composite_agrees_with_kernel():
    args = [tf.constant(a) for a in gru_inputs()]
    for fused, ref in zip(recurrent.gru_sequence(*args, reset_after=False),
                          recurrent.gru_reference(*args, reset_after=False)):
        np.testing.assert_allclose(fused.numpy(), ref.numpy(), rtol=1e-12, atol=1e-12)


def test_errors_name_the_op_and_shapes():
    gx, gh, gk, grb = [tf.constant(a.astype(np.float32)) for a in gru_inputs()]
    with pytest.raises(ValueError, match="recurrent bias"):
        recurrent.gru_sequence(gx, gh, gk, grb[:2])
    with pytest.raises(ValueError, match="gru_sequence.*rank 3"):
        recurrent.gru_sequence(gx[0], gh, gk, grb)
