"""``tf.experimental.numpy`` against NumPy, one table for the elementwise, reduction,
shape and product functions.

Each case names a function, its inputs and keyword arguments; the harness checks the
value and dtype against NumPy's function of the same name (or an explicit expectation
where TensorFlow's NumPy layer deliberately differs), and that the function traced by
``fluxion.function`` gives what eager execution gives.
"""

from __future__ import annotations

import numpy as np
import pytest

import fluxion
from fluxion.experimental import numpy as tnp

# NumPy's own expectations warn on log(-x), 0 ** -1...; both sides give NaN/inf alike.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

F = np.array([[0.5, -1.5, 2.0], [3.25, -0.25, 1.0]], np.float32)
P = np.array([[0.5, 1.5, 2.0], [3.25, 0.25, 1.0]], np.float64)  # positive
U = np.array([0.1, -0.4, 0.7, 0.25], np.float32)  # inside (-1, 1)
G = np.array([1.5, 2.0, 3.0], np.float32)  # > 1
I = np.array([[3, -1, 0], [7, 2, -5]], np.int32)  # noqa: E741
J = np.array([[2, 3, 1], [4, 6, 5]], np.int32)
B = np.array([[True, False, True], [False, False, True]])
N = np.array([1.0, np.nan, -np.inf, 3.0, np.inf], np.float64)
V = np.array([1.0, 2.0, 3.0], np.float32)
C = np.array([1 + 2j, -3j, 0.5], np.complex128)
M = np.arange(12, dtype=np.float64).reshape(3, 4)
T3 = np.arange(24, dtype=np.int64).reshape(2, 3, 4)


class Case:
    """One row: ``tnp.<name>(*args, **kwargs)`` should equal ``np.<numpy_name>(...)``."""

    def __init__(self, name, *args, numpy_name=None, expect=None, dtype=None, trace=True,
                 rtol=1e-6, **kwargs):
        self.name, self.args, self.kwargs = name, args, kwargs
        self.numpy_name = numpy_name or name
        self.expect, self.dtype, self.trace, self.rtol = expect, dtype, trace, rtol

    def __repr__(self):
        first = self.args[0] if self.args else None
        return f"{self.name}-{getattr(first, 'dtype', type(first).__name__)}"

    def expected(self):
        if self.expect is not None:
            return self.expect(*self.args, **self.kwargs)
        return getattr(np, self.numpy_name)(*self.args, **self.kwargs)


UNARY_FLOAT = ["sin", "cos", "tan", "arctan", "sinh", "cosh", "tanh", "arcsinh", "exp",
               "exp2", "expm1", "sqrt", "cbrt", "sinc", "deg2rad", "rad2deg", "ceil",
               "floor", "fix", "fabs", "log", "log2", "log10", "log1p", "reciprocal"]
UNARY_KEEP = ["abs", "absolute", "negative", "positive", "square", "sign", "around",
              "round", "real", "imag", "conj", "conjugate", "signbit"]
BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "mod",
          "remainder", "power", "maximum", "minimum", "hypot", "logaddexp", "logaddexp2",
          "heaviside", "float_power"]
COMPARE = ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
           "logical_and", "logical_or", "logical_xor"]


def _as_float32(function):
    """NumPy's function, its result in float32: TF's NumPy layer treats Python lists of
    floats as weak, so they do not widen a float32 array (NumPy makes them float64)."""
    return lambda *args, **kw: function(*args, **kw).astype(np.float32)


def _to_float64(function):
    """NumPy's function on integers cast to float64 first: TF's rule for float math."""
    return lambda x, **kw: function(np.asarray(x).astype(np.float64), **kw)


CASES = (
    [Case(name, P if name.startswith("log") or name in ("sqrt", "reciprocal") else F)
     for name in UNARY_FLOAT]
    + [Case(name, J, expect=_to_float64(getattr(np, name)))
       for name in ("sin", "exp", "sqrt", "ceil", "log", "cbrt")]
    + [Case("arcsin", U), Case("arccos", U), Case("arctanh", U), Case("arccosh", G)]
    + [Case(name, array) for name in UNARY_KEEP for array in (F, I)]
    + [Case("abs", C), Case("real", C), Case("imag", C), Case("conj", C),
       Case("angle", C), Case("angle", F, deg=True), Case("around", P, decimals=1),
       Case("around", I, decimals=-1), Case("signbit", np.array([-0.0, 0.0, -1.0]))]
    + [Case(name, F, P) for name in BINARY]
    + [Case(name, I, J) for name in ("add", "subtract", "multiply", "floor_divide", "mod",
                                     "power", "maximum", "minimum", "true_divide")]
    + [Case("add", I, 2.5), Case("multiply", F, 2.0), Case("maximum", N, 0.0),
       Case("arctan2", F, P), Case("nextafter", V, np.float32(0)),
       Case("gcd", I, J, trace=False), Case("lcm", I, J, trace=False),
       Case("bitwise_and", I, J), Case("bitwise_or", I, J), Case("bitwise_xor", I, J),
       Case("bitwise_and", B, B[::-1]), Case("bitwise_not", I), Case("bitwise_not", B),
       Case("clip", F, -1.0, 1.0), Case("clip", I, 0, None)]
    + [Case(name, F, P[::-1]) for name in COMPARE]
    + [Case(name, I, 0) for name in COMPARE]
    + [Case("logical_not", I), Case("isnan", N), Case("isinf", N), Case("isfinite", N),
       Case("isposinf", N), Case("isneginf", N), Case("isnan", I), Case("iscomplex", C),
       Case("isreal", C), Case("isclose", N, N, equal_nan=True), Case("isclose", F, F + 1e-7)]
    # reductions
    + [Case(name, array, **kwargs) for name in ("sum", "prod", "mean", "var", "std", "amax",
                                                "amin", "max", "min", "ptp", "all", "any")
       for array in (F, I) for kwargs in ({}, {"axis": 0}, {"axis": (0, 1)},
                                          {"axis": 1, "keepdims": True})]
    + [Case("sum", B), Case("prod", np.array([2, 3], np.int8)), Case("mean", B),
       Case("var", F, ddof=1), Case("std", I, axis=1, ddof=1), Case("amax", N),
       Case("count_nonzero", I), Case("count_nonzero", I, axis=0),
       Case("argmax", F), Case("argmax", F, axis=1), Case("argmin", I, axis=0),
       Case("cumsum", I), Case("cumsum", F, axis=1), Case("cumprod", J, axis=0),
       Case("average", F), Case("average", F, axis=1, weights=V),
       Case("average", I, axis=0, weights=np.array([1.0, 3.0])),
       Case("nansum", N[:2]), Case("nanprod", N[:2]), Case("nanmean", N[:2]),
       Case("nanmean", np.array([[1.0, np.nan], [2.0, 4.0]]), axis=1)]
    # shapes and selection
    + [Case("reshape", M, (4, 3)), Case("reshape", M, (2, -1), order="F"),
       Case("ravel", M), Case("transpose", T3), Case("transpose", T3, (1, 0, 2)),
       Case("swapaxes", T3, 0, 2), Case("moveaxis", T3, 0, -1),
       Case("moveaxis", T3, [0, 1], [2, 0]), Case("expand_dims", M, 1),
       Case("squeeze", M[None]), Case("broadcast_to", V, (2, 3)),
       Case("tile", V, (2, 2)), Case("repeat", I, 2), Case("repeat", I, [1, 2], axis=0),
       Case("flip", M), Case("flip", M, 1), Case("fliplr", M), Case("flipud", M),
       Case("rot90", M), Case("rot90", M, 2), Case("rot90", T3, 3, axes=(1, 2)),
       Case("roll", M, 5), Case("roll", M, -1, axis=1), Case("pad", M, 1),
       Case("pad", M, ((1, 0), (0, 2)), constant_values=7.0),
       Case("pad", M, ((1, 1), (2, 1)), mode="reflect"),
       Case("pad", M, ((1, 1), (2, 1)), mode="symmetric"),
       Case("atleast_1d", np.float64(3.0)), Case("atleast_2d", V), Case("atleast_3d", M),
       Case("diagonal", T3, 1, 1, 2), Case("diagonal", M, -1), Case("diag", M, 1),
       Case("diag", V), Case("diagflat", M[:1, :2]), Case("trace", M, 1),
       Case("tril", M, -1), Case("triu", M, 1), Case("take", M, [5, 0]),
       Case("take", M, [[0], [2]], axis=1), Case("take", M, [7, -1], axis=1, mode="wrap"),
       Case("take_along_axis", M, np.argsort(-M, axis=1), axis=1),
       Case("sort", F), Case("sort", I, axis=0), Case("sort", F, axis=None),
       Case("argsort", F), Case("argsort", I, axis=0),
       Case("diff", I), Case("diff", T3, 2, axis=1), Case("diff", B),
       Case("diff", V, prepend=0.0, append=[9.0], expect=_as_float32(np.diff)),
       Case("where", B, F, -F), Case("where", I > 0, I, 0.5),
       Case("compress", [True, False, True], M, axis=1, trace=False),
       Case("compress", [False, True], M, axis=0, trace=False)]
    # products
    + [Case("dot", M, M.T), Case("dot", V, V), Case("dot", T3, np.ones((4, 2), np.int64)),
       Case("dot", 2.0, M), Case("matmul", M, M.T), Case("matmul", V, np.ones((3, 2))),
       Case("matmul", T3, np.ones((4, 5), np.int64)), Case("vdot", C, C),
       Case("inner", M, M), Case("outer", V, I), Case("tensordot", T3, T3, ([1, 2], [1, 2])),
       Case("tensordot", M, M.T, 1), Case("kron", M[:2, :2], I),
       Case("cross", [1.0, 2.0, 3.0], V, expect=_as_float32(np.cross)),
       Case("cross", [[1, 2], [3, 4]], [[5, 6], [7, 8]]),
       Case("polyval", [3.0, 0.0, -1.0], V, expect=_as_float32(np.polyval)),
       Case("einsum", "ij,kj->ik", M, M),
       Case("einsum", "ii", M[:3, :3])]
)


def _check_close(got, want, rtol):
    if isinstance(want, (tuple, list)):
        assert len(got) == len(want)
        for got_item, want_item in zip(got, want):
            _check_close(got_item, want_item, rtol)
        return
    want = np.asarray(want)
    got_array = np.asarray(got)
    assert got_array.shape == want.shape, (got_array.shape, want.shape)
    assert got_array.dtype == want.dtype, (got_array.dtype, want.dtype)
    if want.dtype.kind in "biu":
        np.testing.assert_array_equal(got_array, want)
    else:
        tolerance = rtol if want.dtype != np.float32 else max(rtol, 2e-6)
        np.testing.assert_allclose(got_array, want, rtol=tolerance, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_matches_numpy(case):
    got = getattr(tnp, case.name)(*case.args, **case.kwargs)
    _check_close(got, case.expected(), case.rtol)


def _array_positions(args):
    return [i for i, arg in enumerate(args) if isinstance(arg, np.ndarray)]


@pytest.mark.parametrize("case", [case for case in CASES if case.trace], ids=repr)
def test_traced_matches_eager(case):
    positions = _array_positions(case.args)
    function = getattr(tnp, case.name)

    def call(*tensors):
        args = list(case.args)
        for position, tensor in zip(positions, tensors):
            args[position] = tensor
        return function(*args, **case.kwargs)

    tensors = [fluxion.constant(case.args[i]) for i in positions]
    eager = call(*tensors)
    traced = fluxion.function(call)(*tensors)
    _check_close(traced, np.asarray(eager) if not isinstance(eager, (list, tuple))
                 else [np.asarray(e) for e in eager], 1e-6)
