"""Special functions of ``tf.math``: gamma and beta families, inverse error functions,
modified Bessel functions, Hurwitz zeta.

Each is a primitive whose kernel is ``scipy.special``'s when SciPy is installed (an
optional dependency); ``lgamma``, ``digamma``, ``erfinv``, ``ndtri`` and the Bessel
functions also have NumPy fallbacks, the incomplete gamma/beta functions, ``zeta`` and
``polygamma`` need SciPy.  Gradients are written with these same functions.
"""

from __future__ import annotations

from fluxion.core.primitive import bind
from fluxion.core.primitives.elementwise import binary_operands
from fluxion.core.primitives.special_math import (
    _require_scipy,
    bessel_i0_p,
    bessel_i0e_p,
    bessel_i1_p,
    bessel_i1e_p,
    betainc_p,
    digamma_p,
    erfinv_p,
    igamma_p,
    igammac_p,
    lgamma_p,
    ndtri_p,
    polygamma_p,
    zeta_p,
)
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["lgamma", "digamma", "polygamma", "zeta", "igamma", "igammac", "betainc",
           "erfinv", "erfcinv", "ndtri", "bessel_i0", "bessel_i0e", "bessel_i1",
           "bessel_i1e", "lbeta"]


# --- public functions -------------------------------------------------------------------
def _float(x, op: str) -> Tensor:
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        raise TypeError(f"{op}: expected a floating-point tensor, got {x.dtype.name}")
    return x


def lgamma(x, name=None) -> Tensor:
    """``log|Gamma(x)|``, elementwise."""
    return bind(lgamma_p, _float(x, "lgamma"))


def digamma(x, name=None) -> Tensor:
    """The derivative of ``lgamma`` (psi), elementwise."""
    return bind(digamma_p, _float(x, "digamma"))


def polygamma(a, x, name=None) -> Tensor:
    """The ``a``-th derivative of ``digamma`` at ``x``."""
    _require_scipy("polygamma")
    a, x = binary_operands("polygamma", a, x)
    return bind(polygamma_p, a, _float(x, "polygamma"))


def zeta(x, q, name=None) -> Tensor:
    """The Hurwitz zeta function ``sum_k (k + q) ** -x``."""
    _require_scipy("zeta")
    x, q = binary_operands("zeta", x, q)
    return bind(zeta_p, x, _float(q, "zeta"))


def igamma(a, x, name=None) -> Tensor:
    """The regularized lower incomplete gamma function ``P(a, x)``."""
    _require_scipy("igamma")
    a, x = binary_operands("igamma", a, x)
    return bind(igamma_p, a, _float(x, "igamma"))


def igammac(a, x, name=None) -> Tensor:
    """The regularized upper incomplete gamma function ``Q(a, x) = 1 - P(a, x)``."""
    _require_scipy("igammac")
    a, x = binary_operands("igammac", a, x)
    return bind(igammac_p, a, _float(x, "igammac"))


def betainc(a, b, x, name=None) -> Tensor:
    """The regularized incomplete beta function ``I_x(a, b)``."""
    _require_scipy("betainc")
    x = _float(x, "betainc")
    a, _ = binary_operands("betainc", a, x)
    b, _ = binary_operands("betainc", b, x)
    return bind(betainc_p, a, b, x)


def erfinv(x, name=None) -> Tensor:
    """The inverse of ``erf``."""
    return bind(erfinv_p, _float(x, "erfinv"))


def erfcinv(x, name=None) -> Tensor:
    """The inverse of ``erfc``: ``erfinv(1 - x)``."""
    x = _float(x, "erfcinv")
    return erfinv(1 - x)


def ndtri(x, name=None) -> Tensor:
    """The inverse of the standard normal CDF."""
    return bind(ndtri_p, _float(x, "ndtri"))


def bessel_i0(x, name=None) -> Tensor:
    """The modified Bessel function of the first kind, order 0."""
    return bind(bessel_i0_p, _float(x, "bessel_i0"))


def bessel_i0e(x, name=None) -> Tensor:
    """``bessel_i0(x) * exp(-|x|)``."""
    return bind(bessel_i0e_p, _float(x, "bessel_i0e"))


def bessel_i1(x, name=None) -> Tensor:
    """The modified Bessel function of the first kind, order 1."""
    return bind(bessel_i1_p, _float(x, "bessel_i1"))


def bessel_i1e(x, name=None) -> Tensor:
    """``bessel_i1(x) * exp(-|x|)``."""
    return bind(bessel_i1e_p, _float(x, "bessel_i1e"))


def lbeta(x, name=None) -> Tensor:
    """``log|Beta(x)|`` over the last axis: ``sum(lgamma(x)) - lgamma(sum(x))``."""
    from fluxion.ops.reduce_ops import reduce_sum

    x = _float(x, "lbeta")
    return reduce_sum(lgamma(x), axis=-1) - lgamma(reduce_sum(x, axis=-1))
