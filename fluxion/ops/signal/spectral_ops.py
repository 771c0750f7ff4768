"""Short-time Fourier transforms and the MDCT: ``stft``, ``inverse_stft``,
``inverse_stft_window_fn``, ``mdct``, ``inverse_mdct``.

All are composites of ``frame``, a window product, the FFT/DCT primitives and
``overlap_and_add``, so their gradients come from those.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.errors import op_error
from fluxion.core.primitives.subscript import getitem
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.ops.array_ops import concat, reverse
from fluxion.ops.signal.dct_ops import dct
from fluxion.ops.signal.fft_ops import fit_innermost, irfft, rfft
from fluxion.ops.signal.framing import frame, overlap_and_add
from fluxion.ops.signal.windows import hann_window, vorbis_window

__all__ = ["stft", "inverse_stft", "inverse_stft_window_fn", "mdct", "inverse_mdct"]


def _positive(op: str, what: str, value) -> int:
    value = int(np.asarray(value._value if isinstance(value, Tensor) else value))
    if value <= 0:
        raise op_error(ValueError, op, f"{what} must be positive, got {value}")
    return value


def _next_power_of_two(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window,
         pad_end=False, name=None) -> Tensor:
    """The short-time Fourier transform of real ``signals [..., samples]``.

    Returns:
      complex ``[..., frames, fft_length // 2 + 1]``; ``fft_length`` defaults to the
      smallest power of two >= ``frame_length``.
    """
    signals = convert_to_tensor(signals)
    length = _positive("stft", "frame_length", frame_length)
    step = _positive("stft", "frame_step", frame_step)
    fft_length = _next_power_of_two(length) if fft_length is None else \
        _positive("stft", "fft_length", fft_length)
    frames = frame(signals, length, step, pad_end=pad_end, axis=-1)
    if window_fn is not None:
        frames = frames * window_fn(length, dtype=signals.dtype)
    return rfft(frames, [fft_length])


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """A window function for ``inverse_stft`` that undoes ``forward_window_fn``: the
    forward window divided by the overlap-added sum of its squares, so that windowing
    twice and overlap-adding reconstructs the signal."""
    step = _positive("inverse_stft_window_fn", "frame_step", frame_step)

    def window(frame_length, dtype):
        forward = np.asarray(forward_window_fn(frame_length, dtype=dtype)._value,
                             dtype=np.float64)
        length = forward.shape[0]
        overlaps = -(-length // step)
        squares = np.zeros(overlaps * step)
        squares[:length] = forward * forward
        per_phase = squares.reshape(overlaps, step).sum(axis=0)
        denominator = np.tile(per_phase, overlaps)[:length]
        return Tensor((forward / denominator).astype(np.dtype(getattr(dtype, "np_dtype",
                                                                        dtype))))

    return window


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window,
                 name=None) -> Tensor:
    """Real signals from their STFT: ``irfft`` each frame, window, overlap-add.

    Pass ``window_fn=inverse_stft_window_fn(frame_step)`` for a perfect reconstruction
    of a Hann-windowed ``stft``.
    """
    stfts = convert_to_tensor(stfts)
    length = _positive("inverse_stft", "frame_length", frame_length)
    step = _positive("inverse_stft", "frame_step", frame_step)
    fft_length = _next_power_of_two(length) if fft_length is None else \
        _positive("inverse_stft", "fft_length", fft_length)
    frames = fit_innermost(irfft(stfts, [fft_length]), (length,))
    if window_fn is not None:
        frames = frames * window_fn(length, dtype=frames.dtype)
    return overlap_and_add(frames, step)


def _mdct_length(op: str, frame_length) -> int:
    length = _positive(op, "frame_length", frame_length)
    if length % 4:
        raise op_error(ValueError, op, f"frame_length must be a multiple of 4, got {length}")
    return length


def mdct(signals, frame_length, window_fn=vorbis_window, pad_end=False, norm=None,
         name=None) -> Tensor:
    """The modified DCT of frames of ``frame_length`` (a multiple of 4) every half frame:
    ``frame_length // 2`` coefficients per frame, ``[..., frames, frame_length // 2]``."""
    signals = convert_to_tensor(signals)
    length = _mdct_length("mdct", frame_length)
    frames = frame(signals, length, length // 2, pad_end=pad_end, axis=-1)
    if window_fn is not None:
        frames = frames * window_fn(length, dtype=signals.dtype)
    quarter = length // 4
    a, b, c, d = (getitem(frames, (Ellipsis, slice(i * quarter, (i + 1) * quarter)))
                  for i in range(4))
    folded = concat([-reverse(c, [-1]) - d, a - reverse(b, [-1])], axis=-1)
    return dct(folded, type=4, norm=norm)


def inverse_mdct(mdcts, window_fn=vorbis_window, norm=None, name=None) -> Tensor:
    """Signals from their MDCT: a DCT-IV per frame, unfolding to ``2 * N`` samples,
    window, overlap-add (time-domain aliasing cancels between neighbouring frames)."""
    mdcts = convert_to_tensor(mdcts)
    half = mdcts.shape[-1]
    if half is None or half % 2:
        raise op_error(ValueError, "inverse_mdct", f"the number of coefficients must be "
                                                   f"known and even, got {half}")
    unfolded = dct(mdcts, type=4, norm=norm)
    if norm is None:
        unfolded = unfolded * (0.5 / half)
    quarter = half // 2
    first = getitem(unfolded, (Ellipsis, slice(0, quarter)))
    second = getitem(unfolded, (Ellipsis, slice(quarter, half)))
    frames = concat([second, -reverse(second, [-1]), -reverse(first, [-1]), -first], axis=-1)
    if window_fn is not None:
        frames = frames * window_fn(2 * half, dtype=mdcts.dtype)
    return overlap_and_add(frames, half)
