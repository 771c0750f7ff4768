"""tf.signal windows, framing, STFT/MDCT, mel matrices, MFCCs and DCTs against
fixtures written by real TensorFlow (fixtures/make_signal_fixtures.py), with gradients
by finite differences."""

import os

import numpy as np
import pytest

import fluxion as tf
from fluxion.testing.op_check import check_op

FIX = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "signal_fixtures.npz"))
rng = np.random.default_rng(2)


def close(got, want, tol=1e-5):
    got = got.numpy() if hasattr(got, "numpy") else got
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def test_windows_match_tensorflow():
    close(tf.signal.hann_window(10), FIX["hann_p"])
    close(tf.signal.hann_window(10, periodic=False), FIX["hann_s"])
    close(tf.signal.hamming_window(9), FIX["hamming_p"])
    close(tf.signal.hamming_window(9, periodic=False), FIX["hamming_s"])
    close(tf.signal.kaiser_window(11, beta=5.0), FIX["kaiser"])
    close(tf.signal.kaiser_bessel_derived_window(12, beta=4.0), FIX["kbd"])
    close(tf.signal.vorbis_window(10), FIX["vorbis"])
    assert tf.signal.hann_window(5, dtype=tf.float64).dtype == tf.float64


def test_frame_matches_tensorflow_and_numpy():
    signal = FIX["signal"]
    close(tf.signal.frame(signal, 300, 128, pad_end=True, pad_value=1.5), FIX["frame_pad"])
    close(tf.signal.frame(signal.T, 300, 200, axis=0), FIX["frame_axis0"])
    x = rng.standard_normal((2, 11))
    check_op(lambda v: tf.signal.frame(v, 4, 3), [x],
             lambda v: np.stack([v[:, i:i + 4] for i in (0, 3, 6)], axis=1))


def test_overlap_and_add_inverts_frame_counts():
    frames = rng.standard_normal((2, 5, 7))
    step = 3

    def expected(f):
        out = np.zeros((2, 4 * step + 7))
        for i in range(5):
            out[:, i * step:i * step + 7] += f[:, i]
        return out

    check_op(lambda f: tf.signal.overlap_and_add(f, step), [frames], expected)
    check_op(lambda f: tf.signal.overlap_and_add(f, 7), [frames[0]],
             lambda f: f.reshape(-1))


def test_stft_and_inverse_match_tensorflow():
    signal = FIX["signal"]
    stft = tf.signal.stft(signal, 256, 100, fft_length=300)
    close(stft, FIX["stft"], 2e-4)
    close(tf.signal.stft(signal, 200, 80, pad_end=True), FIX["stft_default"], 2e-4)
    close(tf.signal.inverse_stft(FIX["stft"], 256, 100, fft_length=300),
          FIX["inverse_stft"], 1e-4)
    rebuilt = tf.signal.inverse_stft(FIX["stft"], 256, 100, fft_length=300,
                                     window_fn=tf.signal.inverse_stft_window_fn(100))
    close(rebuilt, FIX["inverse_stft_win"], 1e-4)
    # perfect reconstruction away from the edges
    np.testing.assert_allclose(rebuilt.numpy()[:, 256:700], signal[:, 256:700], atol=1e-4)


def test_stft_gradient():
    x = rng.standard_normal((1, 40))
    check_op(lambda v: tf.abs(tf.signal.stft(v, 16, 8, fft_length=16)), [x],
             lambda v: np.abs(np.fft.rfft(
                 np.stack([v[:, i:i + 16] * (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(16) / 16))
                           for i in range(0, 25, 8)], axis=1), 16)),
             second_order=False)


def test_mdct_matches_tensorflow():
    signal = FIX["signal"]
    close(tf.signal.mdct(signal, 64), FIX["mdct"], 2e-4)
    close(tf.signal.mdct(signal, 64, norm="ortho", pad_end=True), FIX["mdct_ortho"], 2e-4)
    close(tf.signal.inverse_mdct(FIX["mdct"]), FIX["inverse_mdct"], 2e-4)
    ortho = tf.signal.mdct(signal, 64, norm="ortho")
    close(tf.signal.inverse_mdct(ortho, norm="ortho"), FIX["inverse_mdct_ortho"], 2e-4)


def test_mel_matrix_and_mfccs_match_tensorflow():
    close(tf.signal.linear_to_mel_weight_matrix(40, 129, 16000, 80.0, 7600.0), FIX["mel"])
    close(tf.signal.linear_to_mel_weight_matrix(), FIX["mel_default"])
    mel64 = tf.signal.linear_to_mel_weight_matrix(20, 257, 22050, 0.0, 11025.0,
                                                  dtype=tf.float64)
    assert mel64.dtype == tf.float64
    close(mel64, FIX["mel64"], 1e-10)
    close(tf.signal.mfccs_from_log_mel_spectrograms(FIX["log_mel"]), FIX["mfcc"])
    with pytest.raises(ValueError, match="upper_edge_hertz"):
        tf.signal.linear_to_mel_weight_matrix(upper_edge_hertz=9000.0)


@pytest.mark.parametrize("kind", [1, 2, 3, 4])
def test_dct_and_idct_match_tensorflow(kind):
    x = FIX["dct_x"]
    close(tf.signal.dct(x, type=kind), FIX[f"dct{kind}"], 1e-9)
    close(tf.signal.idct(x, type=kind), FIX[f"idct{kind}"], 1e-9)
    if kind != 1:
        close(tf.signal.dct(x, type=kind, norm="ortho"), FIX[f"dct{kind}_ortho"], 1e-9)
    check_op(lambda v: tf.signal.dct(v, type=kind), [x[:2, :5]], None)


def test_dct_cuts_or_pads_to_n_and_rejects_bad_arguments():
    close(tf.signal.dct(FIX["dct_x"], n=12), FIX["dct2_n"], 1e-9)
    with pytest.raises(ValueError, match="type-I"):
        tf.signal.dct(FIX["dct_x"], type=1, norm="ortho")
    with pytest.raises(ValueError, match="type must be"):
        tf.signal.dct(FIX["dct_x"], type=5)


@pytest.mark.parametrize("pad_end", [False, True])
def test_stft_of_a_signal_whose_length_is_known_only_at_run_time(pad_end):
    @tf.function(input_signature=[tf.TensorSpec([2, None], tf.float32)])
    def spectrogram(signal):
        return tf.abs(tf.signal.stft(signal, 64, 24, pad_end=pad_end))

    for samples in (300, 257):
        signal = rng.standard_normal((2, samples)).astype(np.float32)
        want = tf.abs(tf.signal.stft(signal, 64, 24, pad_end=pad_end)).numpy()
        np.testing.assert_allclose(spectrogram(signal).numpy(), want, rtol=1e-5, atol=1e-5)
    from fluxion.ops.signal.framing import frame_p

    x = rng.standard_normal((2, 11))
    check_op(lambda v: frame_p.bind(v, length=4, step=3, axis=1, pad_end=pad_end,
                                    pad_value=0.0), [x],
             lambda v: tf.signal.frame(v, 4, 3, pad_end=pad_end).numpy())
