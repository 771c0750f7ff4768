"""Primitives between the real and the complex plane: ``imag``, ``conj``, ``complex``.

(``real`` and ``conj`` live with the elementwise primitives, where ``cast`` and the
holomorphic rules use them.)

Gradients follow TensorFlow's convention for a real loss ``L`` of a complex ``z = x + iy``:
the cotangent is ``dL/dx + i dL/dy``.  Under it a linear map's rule is its adjoint, so
``conj``'s rule is ``conj`` and ``complex``'s splits the cotangent into its two parts.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define

# conj is elementwise (np.conjugate); it is re-exported here with the other complex parts.
from fluxion.core.primitives.elementwise import cast, conj, conj_p, real_p  # noqa: F401
from fluxion.core.shape_rules import broadcast_shapes
from fluxion.core.tensor import Tensor


def _real_part_rule(x: Aval) -> Aval:
    if not x.dtype.is_complex:
        raise TypeError(f"expected a complex tensor, got {x.dtype.name}")
    return Aval(x.shape, x.dtype.real_dtype)


def _complex_dtype(real: dtypes.DType) -> dtypes.DType:
    if real is dtypes.float32:
        return dtypes.complex64
    if real is dtypes.float64:
        return dtypes.complex128
    raise TypeError(f"the parts of a complex number must be float32 or float64, got "
                    f"{real.name}")


def _complex_rule(re: Aval, im: Aval) -> Aval:
    if re.dtype is not im.dtype:
        raise TypeError(f"real and imaginary parts must share a dtype, got {re.dtype.name} "
                        f"and {im.dtype.name}")
    return Aval(broadcast_shapes(re.shape, im.shape), _complex_dtype(re.dtype))


def _complex_kernel(re, im):
    out = np.empty(np.broadcast_shapes(re.shape, im.shape),
                   np.complex64 if re.dtype == np.float32 else np.complex128)
    out.real = re
    out.imag = im
    return out


# imag's cotangent g lands on the imaginary axis: complex(0, g).
imag_p = define("imag", np.imag, _real_part_rule,
                lambda g, xs, out: (bind(complex_p, g * 0, g),))
complex_p = define("complex", _complex_kernel, _complex_rule,
                   lambda g, xs, out: (bind(real_p, g), bind(imag_p, g)), fresh_output=True)


def real(x: Tensor) -> Tensor:
    """The real part of a complex tensor; a real tensor is returned as it is."""
    return bind(real_p, x) if x.dtype.is_complex else x


def imag(x: Tensor) -> Tensor:
    """The imaginary part of a complex tensor; zeros for a real tensor."""
    if x.dtype.is_complex:
        return bind(imag_p, x)
    return x * 0


def make_complex(re: Tensor, im: Tensor) -> Tensor:
    """``re + i * im`` from two float32 (-> complex64) or float64 tensors."""
    return bind(complex_p, re, im)


def to_complex(x: Tensor) -> Tensor:
    """A real floating tensor as complex (zero imaginary part); complex ones unchanged."""
    if x.dtype.is_complex:
        return x
    return cast(x, _complex_dtype(x.dtype))
