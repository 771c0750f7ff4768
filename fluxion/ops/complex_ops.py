"""Complex numbers: ``complex``, ``real``, ``imag``, ``conj``, ``angle``.

Gradients follow the convention of Fluxion's other complex rules (``mul`` sends
``g * y`` to ``x``, no conjugate): the cotangent of ``z = x + iy`` is
``dL/dx - i dL/dy``, the conjugate of TF's.  So ``complex(x, y)`` sends ``real(g)`` to
``x`` and ``-imag(g)`` to ``y``, and ``imag`` sends ``complex(0, -g)`` back; gradients
reaching real inputs are the same as TF's.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.elementwise import atan2, binary_operands, real_p
from fluxion.core.shape_rules import broadcast_shapes
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["complex", "real", "imag", "conj", "angle"]

_COMPLEX_OF = {"float32": dtypes.complex64, "float64": dtypes.complex128}


def _complex_rule(x: Aval, y: Aval) -> Aval:
    if x.dtype is not y.dtype or x.dtype.name not in _COMPLEX_OF:
        raise TypeError(f"complex: real and imag must both be float32 or both float64, got "
                        f"{x.dtype.name} and {y.dtype.name}")
    return Aval(broadcast_shapes(x.shape, y.shape), _COMPLEX_OF[x.dtype.name])


def _complex_kernel(x, y):
    return (x + 1j * y).astype(_COMPLEX_OF[x.dtype.name].np_dtype)


def _imag_rule(x: Aval) -> Aval:
    return Aval(x.shape, x.dtype.real_dtype)


complex_p = define("complex", _complex_kernel, _complex_rule,
                   lambda g, xs, out: (bind(real_p, g), -bind(imag_p, g)),
                   doc="real + 1j * imag")
imag_p = define("imag", np.imag, _imag_rule,
                lambda g, xs, out: (bind(complex_p, g * 0, -g),),
                doc="The imaginary part of a complex tensor.")
conj_p = define("conj", np.conjugate, lambda x: x,
                lambda g, xs, out: (bind(conj_p, g),), doc="The complex conjugate.")


def complex(real, imag, name=None) -> Tensor:  # noqa: A001 - TF's name
    """The complex tensor ``real + 1j * imag`` (complex64 from float32, complex128 from
    float64).

    >>> import fluxion as tf
    >>> tf.complex(tf.constant([1.0]), tf.constant([2.0])).numpy()
    array([1.+2.j], dtype=complex64)
    """
    x, y = binary_operands("complex", real, imag)
    return bind(complex_p, x, y)


def real(input, name=None) -> Tensor:  # noqa: A002 - TF's name
    """The real part (the input itself when it is not complex)."""
    x = convert_to_tensor(input)
    return bind(real_p, x) if x.dtype.is_complex else x


def imag(input, name=None) -> Tensor:  # noqa: A002 - TF's name
    """The imaginary part (zeros when the input is not complex)."""
    x = convert_to_tensor(input)
    return bind(imag_p, x) if x.dtype.is_complex else x * 0


def conj(x, name=None) -> Tensor:
    """The complex conjugate (the input itself when it is real)."""
    x = convert_to_tensor(x)
    return bind(conj_p, x) if x.dtype.is_complex else x


def angle(input, name=None) -> Tensor:  # noqa: A002 - TF's name
    """The argument of each complex element (0 or pi for real inputs)."""
    x = convert_to_tensor(input)
    return atan2(imag(x), real(x))
