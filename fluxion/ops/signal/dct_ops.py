"""Discrete cosine transforms ``dct``/``idct`` of types I-IV (SciPy's definitions, which
TensorFlow follows), as a product with a real cosine matrix.

A matrix product keeps the transform one ``matmul``: exact, differentiable for free, and
fast for the short axes DCTs are used on (MFCCs take 13-128 coefficients).
"""

from __future__ import annotations

import functools

import numpy as np

from fluxion.core.errors import op_error
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.linalg_ops import matmul
from fluxion.ops.signal.fft_ops import fit_innermost

__all__ = ["dct", "idct"]


@functools.lru_cache(maxsize=64)
def dct_matrix(n: int, kind: int, ortho: bool) -> np.ndarray:
    """The ``[n, n]`` matrix M with ``dct(x) = x @ M`` (float64)."""
    k = np.arange(n, dtype=np.float64)[None, :]   # output index
    i = np.arange(n, dtype=np.float64)[:, None]   # input index
    if kind == 1:
        matrix = 2.0 * np.cos(np.pi * i * k / (n - 1))
        matrix[0, :] = 1.0
        matrix[-1, :] = (-1.0) ** k[0]
        return matrix
    if kind == 2:
        matrix = 2.0 * np.cos(np.pi * k * (2 * i + 1) / (2 * n))
        if ortho:
            matrix *= np.sqrt(1.0 / (2 * n))
            matrix[:, 0] /= np.sqrt(2.0)
        return matrix
    if kind == 3:
        if ortho:
            return dct_matrix(n, 2, True).T.copy()
        matrix = 2.0 * np.cos(np.pi * (2 * k + 1) * i / (2 * n))
        matrix[0, :] = 1.0
        return matrix
    matrix = 2.0 * np.cos(np.pi * (2 * k + 1) * (2 * i + 1) / (4 * n))
    return matrix * np.sqrt(1.0 / (2 * n)) if ortho else matrix


def _transform(op: str, x, kind: int, n, axis: int, norm) -> Tensor:
    x = convert_to_tensor(x)
    if kind not in (1, 2, 3, 4):
        raise op_error(ValueError, op, f"type must be 1, 2, 3 or 4, got {kind}")
    if axis != -1:
        raise op_error(NotImplementedError, op, f"only axis=-1 is supported (as in TF), "
                                                f"got axis={axis}")
    if norm not in (None, "ortho"):
        raise op_error(ValueError, op, f"norm must be None or 'ortho', got {norm!r}")
    if kind == 1 and norm == "ortho":
        raise op_error(ValueError, op, "normalization is not supported for the type-I DCT")
    if x.dtype.name not in ("float32", "float64"):
        raise op_error(TypeError, op, f"expected a float32 or float64 tensor, got "
                                      f"{x.dtype.name}")
    if n is not None:
        n = int(n)
        if n < 1:
            raise op_error(ValueError, op, f"n must be positive, got {n}")
        x = fit_innermost(x, (n,))
    size = shape_tuple(x)[-1]
    if size is None:
        raise op_error(ValueError, op, "the innermost axis needs a known size")
    if kind == 1 and size < 2:
        raise op_error(ValueError, op, f"the type-I DCT needs at least 2 samples, got {size}")
    matrix = Tensor(dct_matrix(size, kind, norm == "ortho").astype(x.dtype.np_dtype))
    return matmul(x, matrix) if x.ndim >= 2 else matmul(x[None, :], matrix)[0]


def dct(input, type=2, n=None, axis=-1, norm=None, name=None) -> Tensor:  # noqa: A002
    """The discrete cosine transform of the innermost axis (``scipy.fft.dct``'s values).

    Args:
      input: float32 or float64 signals ``[..., samples]``.
      type: 1, 2, 3 or 4.
      n: cut or zero-pad the signal to ``n`` samples first.
      norm: None (unnormalized) or ``"ortho"`` (orthonormal; not for type I).
    """
    return _transform("dct", input, int(type), n, axis, norm)


def idct(input, type=2, n=None, axis=-1, norm=None, name=None) -> Tensor:  # noqa: A002
    """The inverse DCT: type 2's inverse is type 3 and back; types 1 and 4 are their own.
    Unnormalized, ``idct(dct(x))`` is ``x`` times ``2 * N`` (``2 * (N - 1)`` for type I).
    """
    inverse = {1: 1, 2: 3, 3: 2, 4: 4}.get(int(type), int(type))
    return _transform("idct", input, inverse, n, axis, norm)
