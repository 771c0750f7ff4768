"""Mel-scale filter banks and MFCCs: ``linear_to_mel_weight_matrix``,
``mfccs_from_log_mel_spectrograms``.

The mel scale is the HTK one, ``mel = 1127 ln(1 + hz / 700)``, as in TensorFlow.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.signal.dct_ops import dct

__all__ = ["linear_to_mel_weight_matrix", "mfccs_from_log_mel_spectrograms"]

_MEL_BREAK_HZ = 700.0
_MEL_HIGH_Q = 1127.0


def hertz_to_mel(frequencies_hertz):
    """Hertz to HTK mels."""
    return _MEL_HIGH_Q * np.log1p(np.asarray(frequencies_hertz) / _MEL_BREAK_HZ)


def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000,
                                lower_edge_hertz=125.0, upper_edge_hertz=3800.0,
                                dtype=dtypes.float32, name=None) -> Tensor:
    """The ``[num_spectrogram_bins, num_mel_bins]`` matrix of triangular mel filters.

    Multiplying a magnitude spectrogram ``[..., num_spectrogram_bins]`` by it gives a mel
    spectrogram.  Filter ``m`` rises from mel edge ``m`` to ``m + 1`` and falls to ``m + 2``
    (edges evenly spaced in mels between the lower and upper edge); the DC bin gets no
    weight.
    """
    mels = int(num_mel_bins)
    bins = int(num_spectrogram_bins)
    rate = float(np.asarray(convert_to_tensor(sample_rate)._value))
    lower, upper = float(lower_edge_hertz), float(upper_edge_hertz)
    if mels <= 0 or bins <= 0:
        raise op_error(ValueError, "linear_to_mel_weight_matrix",
                       f"num_mel_bins and num_spectrogram_bins must be positive, got "
                       f"{mels} and {bins}")
    if rate <= 0:
        raise op_error(ValueError, "linear_to_mel_weight_matrix",
                       f"sample_rate must be positive, got {rate}")
    if not 0.0 <= lower < upper <= rate / 2:
        raise op_error(ValueError, "linear_to_mel_weight_matrix",
                       f"expected 0 <= lower_edge_hertz < upper_edge_hertz <= sample_rate / 2"
                       f" ({rate / 2}), got {lower} and {upper}")
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise op_error(ValueError, "linear_to_mel_weight_matrix",
                       f"dtype must be floating, got {dtype.name}")
    np_dtype = dtype.np_dtype
    # TF computes in the requested dtype; doing the same keeps float32 results bit-close.
    linear_hz = np.linspace(0.0, rate / 2, bins, dtype=np.float64).astype(np_dtype)[1:]
    spectrogram_mel = hertz_to_mel(linear_hz).astype(np_dtype)[:, None]
    edges = np.linspace(hertz_to_mel(lower), hertz_to_mel(upper), mels + 2).astype(np_dtype)
    left, center, right = edges[:-2], edges[1:-1], edges[2:]
    rising = (spectrogram_mel - left) / (center - left)
    falling = (right - spectrogram_mel) / (right - center)
    weights = np.maximum(0, np.minimum(rising, falling)).astype(np_dtype)
    return Tensor(np.concatenate([np.zeros((1, mels), np_dtype), weights], axis=0))


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None) -> Tensor:
    """Mel-frequency cepstral coefficients: an orthonormally scaled DCT-II of each
    log-mel spectrum ``[..., num_mel_bins]``; keep the first 13 or so."""
    spectra = convert_to_tensor(log_mel_spectrograms)
    mels = shape_tuple(spectra)[-1]
    if mels is None:
        raise op_error(ValueError, "mfccs_from_log_mel_spectrograms",
                       "the number of mel bins (the last axis) must be known")
    return dct(spectra, type=2) * float(1.0 / np.sqrt(2.0 * mels))
