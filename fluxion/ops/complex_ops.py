"""Complex-number ops of ``tf.math``: ``real``, ``imag``, ``conj``, ``angle``, ``complex``.

Gradients follow TensorFlow's convention (see ``fluxion.core.primitives.complex_parts``):
the cotangent of ``z = x + iy`` is ``dL/dx + i dL/dy``, so gradient descent on complex
variables moves both parts downhill.
"""

from __future__ import annotations

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives import complex_parts
from fluxion.core.primitives.elementwise import atan2, binary_operands, zeros_like
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["real", "imag", "conj", "angle", "complex"]


def real(input, name=None) -> Tensor:  # noqa: A002 - TF's argument name
    """The real part of each element; real tensors pass through.

    >>> real(tf.constant([1 + 2j])).numpy()
    array([1.])
    """
    return complex_parts.real(convert_to_tensor(input))


def imag(input, name=None) -> Tensor:  # noqa: A002
    """The imaginary part of each element; zeros for real tensors."""
    return complex_parts.imag(convert_to_tensor(input))


def conj(x, name=None) -> Tensor:
    """The complex conjugate; real tensors pass through."""
    return complex_parts.conj(convert_to_tensor(x))


def angle(input, name=None) -> Tensor:  # noqa: A002
    """The argument ``atan2(imag, real)`` of each element (pi for negative reals)."""
    x = convert_to_tensor(input)
    if x.dtype.is_complex:
        return atan2(complex_parts.imag(x), complex_parts.real(x))
    if not x.dtype.is_floating:
        raise op_error(TypeError, "angle", f"expected a floating or complex tensor, got "
                                           f"{x.dtype.name}")
    return atan2(zeros_like(x), x)


def complex(real, imag, name=None) -> Tensor:  # noqa: A001 - TF's name
    """``real + i * imag`` (float32 parts give complex64, float64 parts complex128).

    >>> complex(tf.constant([1.0]), tf.constant([2.0])).numpy()
    array([1.+2.j], dtype=complex64)
    """
    real, imag = binary_operands("complex", real, imag)
    if real.dtype not in (dtypes.float32, dtypes.float64):
        raise op_error(TypeError, "complex", f"expected float32 or float64 parts, got "
                                             f"{real.dtype.name}")
    return complex_parts.make_complex(real, imag)


