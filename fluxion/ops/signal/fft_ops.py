"""``tf.signal``'s Fourier transforms: ``fft``/``ifft`` (1-3 and N axes), ``rfft``/``irfft``,
``fftshift``/``ifftshift``.

Each transform is one primitive (``fluxion.core.primitives.fft``); this module only fits
the input to the requested ``fft_length`` (cutting or zero-padding the innermost axes,
both differentiable) and checks dtypes.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.errors import op_error
from fluxion.core.primitive import bind
from fluxion.core.primitives.fft import fft_p, irfft_p, rfft_p
from fluxion.core.primitives.layout import pad
from fluxion.core.primitives.subscript import getitem
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.array_ops import roll

__all__ = ["fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d", "fftnd", "ifftnd",
           "rfft", "irfft", "rfft2d", "irfft2d", "rfft3d", "irfft3d", "rfftnd", "irfftnd",
           "fftshift", "ifftshift"]


def _complex_input(op: str, x) -> Tensor:
    x = convert_to_tensor(x)
    if not x.dtype.is_complex:
        raise op_error(TypeError, op, f"expected a complex64 or complex128 tensor, got "
                                      f"{x.dtype.name}; use tf.cast(x, tf.complex64) first.")
    return x


def _real_input(op: str, x) -> Tensor:
    x = convert_to_tensor(x)
    if x.dtype.name not in ("float32", "float64"):
        raise op_error(TypeError, op, f"expected a float32 or float64 tensor, got "
                                      f"{x.dtype.name}")
    return x


def _static_lengths(op: str, fft_length, rank: int) -> tuple | None:
    if fft_length is None:
        return None
    values = np.asarray(fft_length._value if isinstance(fft_length, Tensor) else fft_length)
    values = values.reshape(-1)
    if values.size != rank:
        raise op_error(ValueError, op, f"fft_length must have {rank} entries (one per "
                                       f"transformed axis), got {values.tolist()}")
    return tuple(int(v) for v in values)


def fit_innermost(x: Tensor, lengths: tuple) -> Tensor:
    """Cuts or zero-pads the innermost ``len(lengths)`` axes of ``x`` to ``lengths``."""
    shape = shape_tuple(x)
    rank = len(lengths)
    lead = len(shape) - rank
    if any(d is None for d in shape[lead:]):
        raise ValueError(f"the transformed axes must have known sizes, got shape {list(shape)}")
    key = (slice(None),) * lead + tuple(slice(0, n) for n in lengths)
    if any(d > n for d, n in zip(shape[lead:], lengths)):
        x = getitem(x, key)
        shape = shape_tuple(x)
    extra = [max(0, n - d) for d, n in zip(shape[lead:], lengths)]
    if any(extra):
        x = pad(x, [[0, 0]] * lead + [[0, e] for e in extra])
    return x


def _complex_transform(op: str, x, rank: int, inverse: bool) -> Tensor:
    x = _complex_input(op, x)
    if x.ndim < rank:
        raise op_error(ValueError, op, f"needs a tensor of rank >= {rank}, got shape "
                                       f"{list(shape_tuple(x))}")
    return bind(fft_p, x, rank=rank, inverse=inverse)


def fft(input, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """The discrete Fourier transform over the innermost axis of a complex tensor.

    >>> fft(tf.constant([1, 0, 0, 0], tf.complex64)).numpy()
    array([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j], dtype=complex64)
    """
    return _complex_transform("fft", input, 1, False)


def ifft(input, name=None) -> Tensor:  # noqa: A002
    """The inverse DFT over the innermost axis (scaled by ``1/N``)."""
    return _complex_transform("ifft", input, 1, True)


def fft2d(input, name=None) -> Tensor:  # noqa: A002
    """The 2-D DFT over the innermost two axes."""
    return _complex_transform("fft2d", input, 2, False)


def ifft2d(input, name=None) -> Tensor:  # noqa: A002
    """The inverse 2-D DFT over the innermost two axes."""
    return _complex_transform("ifft2d", input, 2, True)


def fft3d(input, name=None) -> Tensor:  # noqa: A002
    """The 3-D DFT over the innermost three axes."""
    return _complex_transform("fft3d", input, 3, False)


def ifft3d(input, name=None) -> Tensor:  # noqa: A002
    """The inverse 3-D DFT over the innermost three axes."""
    return _complex_transform("ifft3d", input, 3, True)


def _nd_axes(op: str, x: Tensor, fft_length, axes) -> tuple:
    """Moves ``axes`` innermost; returns (x, permutation back or None, lengths)."""
    rank = x.ndim
    axes = list(range(rank)) if axes is None else \
        [int(a) % rank for a in np.asarray(axes).reshape(-1)]
    lengths = _static_lengths(op, fft_length, len(axes)) if fft_length is not None else None
    return axes, lengths


def _moved(x: Tensor, axes: list):
    from fluxion.ops.array_ops import transpose

    rank = x.ndim
    rest = [a for a in range(rank) if a not in axes]
    perm = rest + axes
    if perm == list(range(rank)):
        return x, None
    inverse = list(np.argsort(perm))
    return transpose(x, perm), inverse


def _restore(x: Tensor, inverse):
    from fluxion.ops.array_ops import transpose

    return x if inverse is None else transpose(x, inverse)


def _scaled(out: Tensor, lengths, norm, inverse: bool, op: str) -> Tensor:
    """Applies NumPy's ``norm`` ("backward" is the unscaled default, "ortho" divides by
    sqrt(N) both ways, "forward" puts the 1/N on the forward transform)."""
    if norm in (None, "backward"):
        return out
    if norm not in ("ortho", "forward"):
        raise op_error(ValueError, op, f"norm must be 'backward', 'ortho' or 'forward', got "
                                       f"{norm!r}")
    count = float(np.prod(lengths))
    if norm == "ortho":
        factor = np.sqrt(count) if inverse else 1.0 / np.sqrt(count)
    else:
        factor = count if inverse else 1.0 / count
    return out * factor


def fftnd(input, fft_length=None, axes=None, norm=None, name=None) -> Tensor:  # noqa: A002
    """The N-D DFT over ``axes`` (all by default), each cut/padded to ``fft_length``."""
    x = _complex_input("fftnd", input)
    axes, lengths = _nd_axes("fftnd", x, fft_length, axes)
    x, back = _moved(x, axes)
    if lengths is not None:
        x = fit_innermost(x, lengths)
    out = bind(fft_p, x, rank=len(axes), inverse=False)
    out = _scaled(out, shape_tuple(x)[-len(axes):], norm, False, "fftnd")
    return _restore(out, back)


def ifftnd(input, fft_length=None, axes=None, norm=None, name=None) -> Tensor:  # noqa: A002
    """The inverse N-D DFT over ``axes`` (all by default)."""
    x = _complex_input("ifftnd", input)
    axes, lengths = _nd_axes("ifftnd", x, fft_length, axes)
    x, back = _moved(x, axes)
    if lengths is not None:
        x = fit_innermost(x, lengths)
    out = bind(fft_p, x, rank=len(axes), inverse=True)
    out = _scaled(out, shape_tuple(x)[-len(axes):], norm, True, "ifftnd")
    return _restore(out, back)


def _rfft(op: str, x, fft_length, rank: int) -> Tensor:
    x = _real_input(op, x)
    shape = shape_tuple(x)
    if len(shape) < rank:
        raise op_error(ValueError, op, f"needs a tensor of rank >= {rank}, got shape "
                                       f"{list(shape)}")
    lengths = _static_lengths(op, fft_length, rank) or tuple(shape[-rank:])
    if any(n is None for n in lengths):
        raise op_error(ValueError, op, f"the innermost {rank} axes need known sizes or an "
                                       f"explicit fft_length, got shape {list(shape)}")
    return bind(rfft_p, fit_innermost(x, lengths), fft_length=lengths)


def _irfft(op: str, x, fft_length, rank: int) -> Tensor:
    x = _complex_input(op, x)
    shape = shape_tuple(x)
    if len(shape) < rank:
        raise op_error(ValueError, op, f"needs a tensor of rank >= {rank}, got shape "
                                       f"{list(shape)}")
    lengths = _static_lengths(op, fft_length, rank)
    if lengths is None:
        if any(n is None for n in shape[-rank:]):
            raise op_error(ValueError, op, f"the innermost {rank} axes need known sizes or "
                                           f"an explicit fft_length, got {list(shape)}")
        lengths = tuple(shape[-rank:-1]) + (2 * (shape[-1] - 1),)
    stored = tuple(lengths[:-1]) + (lengths[-1] // 2 + 1,)
    return bind(irfft_p, fit_innermost(x, stored), fft_length=lengths)


def rfft(input_tensor, fft_length=None, name=None) -> Tensor:
    """The DFT of a real signal over its innermost axis: ``fft_length // 2 + 1`` bins.

    Args:
      input_tensor: float32 (-> complex64) or float64 (-> complex128).
      fft_length: the transform length; the signal is cut or zero-padded to it
        (default: the innermost axis's size).
    """
    return _rfft("rfft", input_tensor, fft_length, 1)


def irfft(input_tensor, fft_length=None, name=None) -> Tensor:
    """The real signal of length ``fft_length`` (default ``2 * (bins - 1)``) whose
    spectrum's non-negative half is ``input_tensor`` (the inverse of ``rfft``)."""
    return _irfft("irfft", input_tensor, fft_length, 1)


def rfft2d(input_tensor, fft_length=None, name=None) -> Tensor:
    """The 2-D real DFT over the innermost two axes."""
    return _rfft("rfft2d", input_tensor, fft_length, 2)


def irfft2d(input_tensor, fft_length=None, name=None) -> Tensor:
    """The inverse of ``rfft2d``."""
    return _irfft("irfft2d", input_tensor, fft_length, 2)


def rfft3d(input_tensor, fft_length=None, name=None) -> Tensor:
    """The 3-D real DFT over the innermost three axes."""
    return _rfft("rfft3d", input_tensor, fft_length, 3)


def irfft3d(input_tensor, fft_length=None, name=None) -> Tensor:
    """The inverse of ``rfft3d``."""
    return _irfft("irfft3d", input_tensor, fft_length, 3)


def rfftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None) -> Tensor:
    """The N-D real DFT over ``axes`` (all by default); the last axis is halved."""
    x = _real_input("rfftnd", input_tensor)
    axes, lengths = _nd_axes("rfftnd", x, fft_length, axes)
    x, back = _moved(x, axes)
    out = _rfft("rfftnd", x, lengths, len(axes))
    counts = lengths or shape_tuple(x)[-len(axes):]
    return _restore(_scaled(out, counts, norm, False, "rfftnd"), back)


def irfftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None) -> Tensor:
    """The inverse of ``rfftnd``."""
    x = _complex_input("irfftnd", input_tensor)
    axes, lengths = _nd_axes("irfftnd", x, fft_length, axes)
    x, back = _moved(x, axes)
    out = _irfft("irfftnd", x, lengths, len(axes))
    return _restore(_scaled(out, shape_tuple(out)[-len(axes):], norm, True, "irfftnd"), back)


def _shift(x, axes, sign: int) -> Tensor:
    x = convert_to_tensor(x)
    shape = shape_tuple(x)
    axes = list(range(len(shape))) if axes is None else \
        [int(a) for a in np.asarray(axes).reshape(-1)]
    shifts = [sign * (shape[a] // 2) if sign > 0 else -(shape[a] // 2) for a in axes]
    return roll(x, shifts, axes)


def fftshift(x, axes=None, name=None) -> Tensor:
    """Moves the zero-frequency bin to the centre (``np.fft.fftshift``)."""
    return _shift(x, axes, 1)


def ifftshift(x, axes=None, name=None) -> Tensor:
    """The inverse of ``fftshift``."""
    return _shift(x, axes, -1)
