"""Special-function primitives of ``tf.math``: gamma and beta families, inverse error
functions, modified Bessel functions, Hurwitz zeta, polygamma.

Each kernel is ``scipy.special``'s when SciPy is installed (an optional dependency,
imported when a kernel first runs); ``lgamma``, ``digamma``, ``erfinv``, ``ndtri`` and
the Bessel functions also have NumPy fallbacks, the incomplete gamma/beta functions,
``zeta`` and ``polygamma`` need SciPy.  Gradients are written with these same
functions.
"""

from __future__ import annotations

import math

import numpy as np

from fluxion.core.primitive import bind, define
from fluxion.core.primitives.elementwise import exp, log, sign
from fluxion.core.shape_rules import elementwise_rule
from fluxion.core.tensor import Tensor, convert_to_tensor


def _scipy(name: str):
    try:
        import scipy.special as special
    except ImportError:
        return None
    return getattr(special, name)


def _needs_scipy(name: str):
    def kernel(*arrays):
        found = _scipy(name)
        if found is None:
            raise ImportError(f"fluxion.math.{name} needs the optional SciPy package: "
                              f"pip install scipy")
        return found(*arrays).astype(arrays[-1].dtype, copy=False)

    return kernel


def _require_scipy(op: str) -> None:
    if _scipy("gammaln") is None:
        raise ImportError(f"fluxion.math.{op} needs the optional SciPy package: "
                          f"pip install scipy")


def _with_fallback(name: str, fallback):
    def kernel(*arrays):
        found = _scipy(name)
        result = found(*arrays) if found is not None else fallback(*arrays)
        return np.asarray(result).astype(arrays[-1].dtype, copy=False)

    return kernel


# --- NumPy fallbacks ---------------------------------------------------------------------
def _lgamma_numpy(x):
    return np.vectorize(math.lgamma, otypes=[np.float64])(x)


def _digamma_numpy(x):
    x = np.asarray(x, np.float64)
    result = np.zeros_like(x)
    reflect = x < 0.5  # psi(1 - x) - psi(x) = pi cot(pi x)
    z = np.where(reflect, 1 - x, x)
    while np.any(z < 6):
        small = z < 6
        result -= np.where(small, 1 / z, 0)
        z = np.where(small, z + 1, z)
    inv2 = 1 / (z * z)
    series = np.log(z) - 0.5 / z - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (
        1 / 240 - inv2 / 132))))
    result += series
    return np.where(reflect, result - np.pi / np.tan(np.pi * x), result)


def _erfinv_numpy(y):
    y = np.asarray(y, np.float64)
    erf = np.vectorize(math.erf, otypes=[np.float64])
    a = 0.147  # Winitzki's approximation, then Newton steps on erf
    ln = np.log(np.maximum(1 - y * y, 1e-300))
    t = 2 / (np.pi * a) + ln / 2
    x = np.sign(y) * np.sqrt(np.sqrt(t * t - ln / a) - t)
    for _ in range(4):
        x = x - (erf(x) - y) / (2 / np.sqrt(np.pi) * np.exp(-x * x))
    return np.where(np.abs(y) == 1, np.sign(y) * np.inf, x)


def _bessel_series(x, order: int):
    x = np.asarray(x, np.float64)
    term = (x / 2) ** order / math.factorial(order)
    total = term.copy()
    for k in range(1, 200):
        term = term * (x / 2) ** 2 / (k * (k + order))
        total = total + term
    return total


# --- primitives -------------------------------------------------------------------------
def _call(prim, *args) -> Tensor:
    """``prim`` bound in a gradient rule; a number takes the last argument's dtype."""
    like = args[-1]
    return bind(prim, *[a if isinstance(a, Tensor) else convert_to_tensor(a, dtype=like.dtype)
                        for a in args])


def _unary(name, kernel, vjp):
    return define(name, kernel, lambda x: x, vjp)


def _binary(name, kernel, vjp):
    return define(name, kernel, lambda a, b: elementwise_rule(a, b), vjp)


lgamma_p = _unary("lgamma", _with_fallback("gammaln", _lgamma_numpy),
                  lambda g, xs, out: (g * _call(digamma_p, xs[0]),))
digamma_p = _unary("digamma", _with_fallback("digamma", _digamma_numpy),
                   lambda g, xs, out: (g * _call(polygamma_p, 1, xs[0]),))
erfinv_p = _unary("erfinv", _with_fallback("erfinv", _erfinv_numpy),
                  lambda g, xs, out: (g * (math.sqrt(math.pi) / 2) * exp(out * out),))
ndtri_p = _unary("ndtri", _with_fallback(
    "ndtri", lambda p: math.sqrt(2) * _erfinv_numpy(2 * np.asarray(p, np.float64) - 1)),
    lambda g, xs, out: (g * math.sqrt(2 * math.pi) * exp(out * out / 2),))
bessel_i0_p = _unary("bessel_i0", _with_fallback("i0", np.i0),
                     lambda g, xs, out: (g * _call(bessel_i1_p, xs[0]),))
bessel_i0e_p = _unary("bessel_i0e", _with_fallback(
    "i0e", lambda x: np.i0(x) * np.exp(-np.abs(x))),
    lambda g, xs, out: (g * (_call(bessel_i1e_p, xs[0]) - sign(xs[0]) * out),))
bessel_i1_p = _unary("bessel_i1", _with_fallback("i1", lambda x: _bessel_series(x, 1)),
                     lambda g, xs, out: (g * _i1_derivative(xs[0], out,
                                                            _call(bessel_i0_p, xs[0])),))
bessel_i1e_p = _unary("bessel_i1e", _with_fallback(
    "i1e", lambda x: _bessel_series(x, 1) * np.exp(-np.abs(x))),
    lambda g, xs, out: (g * (_i1_derivative(xs[0], out, _call(bessel_i0e_p, xs[0]))
                             - sign(xs[0]) * out),))


def _i1_derivative(x: Tensor, i1: Tensor, i0: Tensor) -> Tensor:
    """d/dx I1(x) = I0(x) - I1(x) / x, which is 1/2 at x = 0."""
    from fluxion.core.primitives.elementwise import equal, select

    at_zero = equal(x, x * 0)
    safe = select(at_zero, x * 0 + 1, x)
    return select(at_zero, x * 0 + 0.5, i0 - i1 / safe)


def _gamma_density(a: Tensor, x: Tensor) -> Tensor:
    """d/dx of the regularized lower incomplete gamma P(a, x)."""
    return exp(-x + (a - 1) * log(x) - _call(lgamma_p, a))


igamma_p = _binary("igamma", _needs_scipy("gammainc"),
                   lambda g, xs, out: (None, g * _gamma_density(*xs)))
igammac_p = _binary("igammac", _needs_scipy("gammaincc"),
                    lambda g, xs, out: (None, -g * _gamma_density(*xs)))
zeta_p = _binary("zeta", _needs_scipy("zeta"),
                 lambda g, xs, out: (None, -g * xs[0] * _call(zeta_p, xs[0] + 1, xs[1])))


def _polygamma_kernel(n, x):
    found = _scipy("polygamma")
    if found is None:
        raise ImportError("fluxion.math.polygamma needs the optional SciPy package: "
                          "pip install scipy")
    return found(n.astype(np.int64) if np.all(n == np.round(n)) else n, x).astype(x.dtype)


polygamma_p = _binary("polygamma", _polygamma_kernel,
                      lambda g, xs, out: (None, g * _call(polygamma_p, xs[0] + 1, xs[1])))


def _betainc_rule(a, b, x):
    return elementwise_rule(elementwise_rule(a, b), x)


def _betainc_vjp(g, xs, out):
    a, b, x = xs
    log_beta = _call(lgamma_p, a) + _call(lgamma_p, b) - _call(lgamma_p, a + b)
    density = exp((a - 1) * log(x) + (b - 1) * log(1 - x) - log_beta)
    return None, None, g * density


betainc_p = define("betainc", _needs_scipy("betainc"), _betainc_rule, _betainc_vjp)
