"""Fourier transforms of ``keras.ops`` (``fft``, ``fft2``, ``ifft2``, ``rfft``, ``irfft``,
``stft``, ``istft``).

Complex values travel as ``(real, imag)`` pairs of float tensors, as in Keras.  Each
transform is a product with a constant DFT matrix (``cos`` and ``sin`` of
``2 pi k n / N``), so it is composed from ``matmul`` and differentiable without gradient
code of its own.  That costs ``O(N^2)`` a transform, which suits the short axes these ops
meet in models (token mixing, spectrogram frames).

>>> import numpy as np
>>> from fluxion.keras import ops
>>> real, imag = ops.rfft(np.array([1.0, 0.0, 0.0, 0.0], "float32"))
>>> np.asarray(real).tolist()
[1.0, 1.0, 1.0]
"""

from __future__ import annotations

import numpy as np

from fluxion.keras.ops import core_ops, numpy_products, numpy_shape

__all__ = ["fft", "fft2", "ifft2", "irfft", "istft", "rfft", "stft"]


def _pair(x, op):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{op} expects a tuple of (real, imag) tensors. Received: {type(x)}")
    real, imag = core_ops.convert_to_tensor(x[0]), core_ops.convert_to_tensor(x[1])
    if not real.dtype.is_floating:
        real = core_ops.cast(real, "float32")
    imag = core_ops.cast(imag, real.dtype)
    if tuple(real.shape) != tuple(imag.shape):
        raise ValueError(f"{op}: the real part {tuple(real.shape)} and the imaginary part "
                         f"{tuple(imag.shape)} must have the same shape.")
    return real, imag


def _length(x, axis, op):
    size = tuple(x.shape)[axis]
    if size is None:
        raise ValueError(f"{op} needs a known length along axis {axis}; got shape "
                         f"{tuple(x.shape)}")
    return int(size)


def _dft_matrices(rows: int, cols: int, length: int, dtype, inverse=False):
    """``(cos, sin)`` of ``2 pi k n / length`` for ``k < rows``, ``n < cols``, transposed
    for right-multiplication (``x @ m``)."""
    k = np.arange(rows)[None, :]
    n = np.arange(cols)[:, None]
    angle = 2.0 * np.pi * ((n * k) % length) / length
    sign = 1.0 if inverse else -1.0
    return (core_ops.convert_to_tensor(np.cos(angle).astype(dtype)),
            core_ops.convert_to_tensor((sign * np.sin(angle)).astype(dtype)))


def _complex_dft_last(real, imag, inverse=False):
    """The DFT of ``real + i imag`` along the last axis (unnormalised)."""
    n = _length(real, -1, "fft")
    cos, sin = _dft_matrices(n, n, n, real.dtype.np_dtype, inverse)
    out_real = numpy_products.matmul(real, cos) - numpy_products.matmul(imag, sin)
    out_imag = numpy_products.matmul(real, sin) + numpy_products.matmul(imag, cos)
    return out_real, out_imag


def fft(x):
    """The complex DFT of ``x = (real, imag)`` along the last axis."""
    return _complex_dft_last(*_pair(x, "fft"))


def _over_last_two(real, imag, inverse):
    real, imag = _complex_dft_last(real, imag, inverse)
    real, imag = numpy_shape.swapaxes(real, -1, -2), numpy_shape.swapaxes(imag, -1, -2)
    real, imag = _complex_dft_last(real, imag, inverse)
    return numpy_shape.swapaxes(real, -1, -2), numpy_shape.swapaxes(imag, -1, -2)


def fft2(x):
    """The 2-D complex DFT of ``x = (real, imag)`` over the last two axes."""
    real, imag = _pair(x, "fft2")
    return _over_last_two(real, imag, inverse=False)


def ifft2(x):
    """The inverse 2-D DFT of ``x = (real, imag)`` over the last two axes."""
    real, imag = _pair(x, "ifft2")
    scale = 1.0 / (_length(real, -1, "ifft2") * _length(real, -2, "ifft2"))
    real, imag = _over_last_two(real, imag, inverse=True)
    return real * scale, imag * scale


def _fit_last(x, length):
    """``x`` cut or zero-padded to ``length`` along its last axis."""
    size = _length(x, -1, "rfft")
    if size > length:
        return x[..., :length]
    if size < length:
        return numpy_shape.pad(x, [[0, 0]] * (len(x.shape) - 1) + [[0, length - size]])
    return x


def rfft(x, fft_length=None):
    """The DFT of a real ``x`` along its last axis: ``fft_length // 2 + 1`` bins, as
    ``(real, imag)``."""
    x = core_ops.convert_to_tensor(x)
    if not x.dtype.is_floating:
        x = core_ops.cast(x, "float32")
    length = _length(x, -1, "rfft") if fft_length is None else int(fft_length)
    x = _fit_last(x, length)
    cos, sin = _dft_matrices(length // 2 + 1, length, length, x.dtype.np_dtype)
    return numpy_products.matmul(x, cos), numpy_products.matmul(x, sin)


def irfft(x, fft_length=None):
    """The real inverse of ``rfft``: ``x = (real, imag)`` holds the non-negative bins;
    the output has ``fft_length`` samples (by default ``2 * (bins - 1)``)."""
    real, imag = _pair(x, "irfft")
    bins = _length(real, -1, "irfft")
    length = 2 * (bins - 1) if fft_length is None else int(fft_length)
    used = min(bins, length // 2 + 1)
    real, imag = real[..., :used], imag[..., :used]
    # Hermitian symmetry: bins other than DC (and Nyquist, for even lengths) count twice.
    weights = np.full(used, 2.0)
    weights[0] = 1.0
    if length % 2 == 0 and used == length // 2 + 1:
        weights[-1] = 1.0
    k = np.arange(used)[:, None]
    n = np.arange(length)[None, :]
    angle = 2.0 * np.pi * ((k * n) % length) / length
    dtype = real.dtype.np_dtype
    cos = core_ops.convert_to_tensor((weights[:, None] * np.cos(angle) / length).astype(dtype))
    sin = core_ops.convert_to_tensor((weights[:, None] * np.sin(angle) / length).astype(dtype))
    return numpy_products.matmul(real, cos) - numpy_products.matmul(imag, sin)


def _window(window, sequence_length: int, fft_length: int, dtype):
    """The analysis window, zero-padded (centred) to ``fft_length``; None for no window."""
    if window is None:
        values = np.ones(sequence_length)
    elif isinstance(window, str):
        n = np.arange(sequence_length)
        if window == "hann":
            values = 0.5 - 0.5 * np.cos(2.0 * np.pi * n / sequence_length)
        elif window == "hamming":
            values = 0.54 - 0.46 * np.cos(2.0 * np.pi * n / sequence_length)
        else:
            raise ValueError(f"If a string is passed to `window`, it must be one of "
                             f"`'hann'`, `'hamming'`. Received: window={window}")
    else:
        values = np.asarray(window, dtype=np.float64)
        if values.shape != (sequence_length,):
            raise ValueError(f"The shape of `window` must be equal to [sequence_length]. "
                             f"Received: window shape={values.shape}")
    left = (fft_length - sequence_length) // 2
    padded = np.zeros(fft_length)
    padded[left:left + sequence_length] = values
    return padded.astype(dtype)


def _frames(x, frame_length: int, stride: int):
    """``[..., num_frames, frame_length]`` slices of the last axis."""
    total = _length(x, -1, "stft")
    count = 1 + (total - frame_length) // stride
    if count < 1:
        raise ValueError(f"stft: the signal ({total} samples) is shorter than one frame "
                         f"({frame_length}).")
    index = np.arange(frame_length)[None, :] + stride * np.arange(count)[:, None]
    return numpy_shape.take(x, core_ops.convert_to_tensor(index.astype("int32")), axis=-1)


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """The short-time Fourier transform of real ``x`` along its last axis:
    ``(real, imag)`` of shape ``[..., frames, fft_length // 2 + 1]``."""
    if fft_length < sequence_length:
        raise ValueError(f"`fft_length` must equal or larger than `sequence_length`. "
                         f"Received: sequence_length={sequence_length}, "
                         f"fft_length={fft_length}")
    x = core_ops.convert_to_tensor(x)
    if not x.dtype.is_floating:
        x = core_ops.cast(x, "float32")
    if center:
        half = fft_length // 2
        x = numpy_shape.pad(x, [[0, 0]] * (len(x.shape) - 1) + [[half, half]], mode="reflect")
    frames = _frames(x, fft_length, sequence_stride)
    frames = frames * core_ops.convert_to_tensor(_window(window, sequence_length, fft_length,
                                                         frames.dtype.np_dtype))
    return rfft(frames, fft_length)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """The inverse of ``stft``: each frame's inverse DFT times the synthesis window
    (the analysis window over the sum of its squares at the positions that overlap with
    this stride), overlap-added; the centre padding is dropped and ``length`` cuts the
    result."""
    frames = irfft(x, fft_length)  # [..., count, fft_length]
    count = _length(frames, -2, "istft")
    dtype = frames.dtype.np_dtype
    win = _window(window, sequence_length, fft_length, np.float64)
    squares = win ** 2
    overlap = np.array([squares[n % sequence_stride::sequence_stride].sum()
                        for n in range(fft_length)])
    synthesis = np.where(overlap > 0, win / np.where(overlap > 0, overlap, 1.0), 0.0)
    frames = frames * core_ops.convert_to_tensor(synthesis.astype(dtype))
    total = fft_length + sequence_stride * (count - 1)
    # Overlap-add as one matmul with a constant 0/1 placement matrix.
    placement = np.zeros((count * fft_length, total), dtype=dtype)
    for index in range(count):
        start = index * sequence_stride
        placement[index * fft_length + np.arange(fft_length),
                  start + np.arange(fft_length)] = 1.0
    lead = tuple(frames.shape)[:-2]
    flat = numpy_shape.reshape(frames, (-1, count * fft_length))
    signal = numpy_products.matmul(flat, core_ops.convert_to_tensor(placement))
    signal = numpy_shape.reshape(signal, tuple(-1 if d is None else d for d in lead) + (total,))
    begin = fft_length // 2 if center else 0
    if length is not None:
        end = min(begin + int(length), total)
    else:
        end = total - fft_length // 2 if center else total
    return signal[..., begin:end]
