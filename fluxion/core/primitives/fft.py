"""Fast Fourier transforms over the innermost ``rank`` axes: ``fft``, ``rfft``, ``irfft``.

The transforms are linear, so each gradient rule is the adjoint map (TensorFlow's
convention for complex cotangents, see ``complex_parts``):

- ``fft``: the DFT matrix F is symmetric, so its adjoint is ``conj(F) = conj . F . conj``;
  ``ifft`` (``conj(F) / N``) likewise has the adjoint ``conj . ifft . conj``.
- ``rfft`` keeps the first ``N // 2 + 1`` rows of F applied to a real signal: the
  adjoint pads the cotangent with zeros to N bins, applies ``F^H``, keeps the real part.
- ``irfft`` rebuilds a Hermitian spectrum (bins 1..N/2-1 count twice) and applies the
  inverse: its adjoint is ``rfft(g)`` scaled by those multiplicities over ``prod(N)``.

The primitives expect inputs already cut or zero-padded to the transform length; the
public ops in ``fluxion.ops.signal`` do that with differentiable pad and slice.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.complex_parts import conj_p, make_complex
from fluxion.core.primitives.elementwise import real_p
from fluxion.core.primitives.layout import pad
from fluxion.core.tensor import Tensor

_COMPLEX_OF = {"float32": dtypes.complex64, "float64": dtypes.complex128}


def _axes(rank: int) -> tuple:
    return tuple(range(-rank, 0))


def _check_rank(x: Aval, rank: int, op: str) -> None:
    if len(x.shape) < rank:
        raise ValueError(f"{op} transforms the innermost {rank} axes, but the input has "
                         f"rank {len(x.shape)}")


# --- complex-to-complex ---------------------------------------------------------------
def _fft_kernel(x, rank, inverse):
    transform = np.fft.ifftn if inverse else np.fft.fftn
    return transform(x, axes=_axes(rank)).astype(x.dtype, copy=False)


def _fft_rule(x: Aval, rank, inverse) -> Aval:
    if not x.dtype.is_complex:
        raise TypeError(f"expected a complex64 or complex128 tensor, got {x.dtype.name}")
    _check_rank(x, rank, "ifft" if inverse else "fft")
    return x


def _fft_vjp(g, xs, out, rank, inverse):
    return (bind(conj_p, bind(fft_p, bind(conj_p, g), rank=rank, inverse=inverse)),)


fft_p = define("fft", _fft_kernel, _fft_rule, _fft_vjp, fresh_output=True)


# --- real-to-complex ------------------------------------------------------------------
def _rfft_kernel(x, fft_length):
    out = np.fft.rfftn(x, s=fft_length, axes=_axes(len(fft_length)))
    return out.astype(_COMPLEX_OF[x.dtype.name].np_dtype, copy=False)


def _rfft_rule(x: Aval, fft_length) -> Aval:
    if x.dtype.name not in _COMPLEX_OF:
        raise TypeError(f"expected a float32 or float64 tensor, got {x.dtype.name}")
    rank = len(fft_length)
    _check_rank(x, rank, "rfft")
    shape = tuple(x.shape[:-rank]) + tuple(fft_length[:-1]) + (fft_length[-1] // 2 + 1,)
    return Aval(shape, _COMPLEX_OF[x.dtype.name])


def _rfft_vjp(g, xs, out, fft_length):
    rank = len(fft_length)
    bins = fft_length[-1] // 2 + 1
    padded = pad(g, [[0, 0]] * (len(g.shape) - 1) + [[0, fft_length[-1] - bins]])
    spread = bind(conj_p, bind(fft_p, bind(conj_p, padded), rank=rank, inverse=False))
    return (bind(real_p, spread),)


rfft_p = define("rfft", _rfft_kernel, _rfft_rule, _rfft_vjp, fresh_output=True)


# --- complex-to-real ------------------------------------------------------------------
def _irfft_kernel(x, fft_length):
    out = np.fft.irfftn(x, s=fft_length, axes=_axes(len(fft_length)))
    return out.astype(x.real.dtype, copy=False)


def _irfft_rule(x: Aval, fft_length) -> Aval:
    if not x.dtype.is_complex:
        raise TypeError(f"expected a complex64 or complex128 tensor, got {x.dtype.name}")
    rank = len(fft_length)
    _check_rank(x, rank, "irfft")
    return Aval(tuple(x.shape[:-rank]) + tuple(fft_length), x.dtype.real_dtype)


def hermitian_weights(fft_length: tuple, dtype) -> np.ndarray:
    """How often each of the ``N // 2 + 1`` stored bins counts in the full spectrum,
    over ``prod(fft_length)``: the scale of ``irfft``'s adjoint."""
    n = fft_length[-1]
    weights = np.full(n // 2 + 1, 2.0)
    weights[0] = 1.0
    if n % 2 == 0:
        weights[-1] = 1.0
    return (weights / float(np.prod(fft_length))).astype(dtype)


def _irfft_vjp(g, xs, out, fft_length):
    spectrum = bind(rfft_p, g, fft_length=fft_length)
    real_dtype = g.dtype.np_dtype
    weights = Tensor(hermitian_weights(fft_length, real_dtype))
    zero = Tensor(np.zeros((), real_dtype))
    return (spectrum * make_complex(weights, zero),)


irfft_p = define("irfft", _irfft_kernel, _irfft_rule, _irfft_vjp, fresh_output=True)
