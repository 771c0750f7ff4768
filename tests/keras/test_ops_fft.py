"""keras.ops Fourier transforms against numpy.fft, recorded Keras values for the STFT
pair, and gradients by finite differences."""

import numpy as np

import fluxion as tf
from fluxion.keras import ops

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 6, 5)).astype("float32")
Y = RNG.normal(size=(2, 6, 5)).astype("float32")
Z = X + 1j * Y


def _close(pair, expected, rtol=1e-4, atol=1e-4):
    np.testing.assert_allclose(np.asarray(pair[0]), expected.real, rtol=rtol, atol=atol)
    np.testing.assert_allclose(np.asarray(pair[1]), expected.imag, rtol=rtol, atol=atol)


def test_complex_transforms_match_numpy():
    _close(ops.fft((X, Y)), np.fft.fft(Z))
    _close(ops.fft2((X, Y)), np.fft.fft2(Z))
    _close(ops.ifft2((X, Y)), np.fft.ifft2(Z))


def test_real_transforms_match_numpy():
    _close(ops.rfft(X), np.fft.rfft(X))
    _close(ops.rfft(X, 8), np.fft.rfft(X, 8))
    _close(ops.rfft(X, 3), np.fft.rfft(X, 3))
    np.testing.assert_allclose(np.asarray(ops.irfft((X, Y))), np.fft.irfft(Z), atol=1e-5)
    np.testing.assert_allclose(np.asarray(ops.irfft((X, Y), 7)), np.fft.irfft(Z, 7),
                               atol=1e-5)


def test_stft_and_istft_match_keras_and_invert():
    signal = RNG.normal(size=(2, 40)).astype("float32")
    real, imag = ops.stft(signal, 8, 4, 16)
    assert tuple(real.shape) == (2, 11, 9)
    np.testing.assert_allclose(np.asarray(real).ravel()[:4], [1.8862, -2.0124, 2.102, -1.6716],
                               atol=2e-4)
    rebuilt = ops.istft(ops.stft(signal, 16, 4, 16), 16, 4, 16, length=40)
    assert tuple(rebuilt.shape) == (2, 40)
    # Keras's (TensorFlow's) synthesis window is normalised for the steady state, so the
    # interior is reconstructed exactly and the first samples as Keras gives them.
    np.testing.assert_allclose(np.asarray(rebuilt)[:, 8:32], signal[:, 8:32], atol=1e-4)
    np.testing.assert_allclose(np.asarray(rebuilt).ravel()[:2], [0.6563, 0.7905], atol=2e-4)


def test_fft2_gradient_by_finite_differences():
    x = tf.Variable(X[0])
    weights = RNG.normal(size=(6, 5)).astype("float32")
    with tf.GradientTape() as tape:
        total = ops.sum(ops.fft2((x, ops.zeros_like(x)))[0] * weights)
    grad = np.asarray(tape.gradient(total, x))
    expected = np.fft.fft2(weights).real  # d/dx sum(w * Re(F x)) = Re(F^T w)
    np.testing.assert_allclose(grad, expected, rtol=1e-4, atol=1e-4)
