"""The op harness: one function that proves an op right (STYLE.md #10).

``check_op(fn, args, expected)`` states an op's inputs and its NumPy expectation, and
checks:

1. the forward value against ``expected`` (NumPy is the oracle), and the same value
   when ``fn`` is traced with ``fluxion.function`` (symbolic vs eager);
2. for every primitive the op binds, that the primitive's shape/dtype rule agrees with
   the kernel's actual output, both with the concrete input shapes and with every
   dimension unknown (``None``), where the rule may only answer ``None`` or the truth;
3. first derivatives against central finite differences in float64;
4. second derivatives: the gradient of ``<v, grad>`` through nested tapes against
   finite differences of the first-order gradient.

The shape-rule check rides on the tracer seam of ``bind``: a checking tracer runs each
kernel eagerly and compares what the rule predicted.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import context, nest
from fluxion.core.primitive import Aval
from fluxion.core.tape import GradientTape
from fluxion.core.tensor import Tensor, wrap


class _ShapeRuleChecker:
    """A tracer that runs kernels eagerly and checks every primitive's shape rule."""

    def __init__(self):
        self.checked: list[str] = []

    def bind(self, prim, args, attrs):
        values = [a._value for a in args]
        result = prim.impl(*values, **attrs)
        outputs = tuple(wrap(r) for r in result) if prim.multiple_results else wrap(result)
        if prim.shape_rule is not None:
            self._check(prim, args, attrs, outputs)
        return outputs

    def _check(self, prim, args, attrs, outputs):
        flat = outputs if prim.multiple_results else (outputs,)
        actual = [(o._value.shape, o.dtype) for o in flat]
        avals = [Aval(tuple(a._value.shape), a.dtype) for a in args]
        predicted = _as_list(prim.shape_rule(*avals, **attrs))
        assert len(predicted) == len(actual), f"{prim.name}: rule gives {len(predicted)} outputs"
        for (shape, dtype), aval in zip(actual, predicted):
            # None is allowed only for a size that depends on the data (unique, where...)
            assert len(aval.shape) == len(shape) and all(
                a is None or a == b for a, b in zip(aval.shape, shape)), (
                f"{prim.name}: shape rule says {aval.shape}, kernel gave {shape}")
            assert aval.dtype is dtype, (
                f"{prim.name}: shape rule says {aval.dtype.name}, kernel gave {dtype.name}")
        unknown = [Aval(tuple(None for _ in a.shape), a.dtype) for a in avals]
        try:
            loose = _as_list(prim.shape_rule(*unknown, **attrs))
        except (ValueError, TypeError) as error:
            raise AssertionError(f"{prim.name}: shape rule fails on unknown dimensions: "
                                 f"{error}") from error
        for (shape, dtype), aval in zip(actual, loose):
            assert len(aval.shape) == len(shape), (
                f"{prim.name}: with unknown dims the rule gives rank {len(aval.shape)}, "
                f"actual rank {len(shape)}")
            for got, true in zip(aval.shape, shape):
                assert got is None or got == true, (
                    f"{prim.name}: with unknown dims the rule claims {aval.shape}, actual {shape}")
            assert aval.dtype is dtype
        self.checked.append(prim.name)

    def read_variable(self, variable):
        return variable._tensor

    def assign_variable(self, variable, tensor):
        variable._tensor = tensor


def _as_list(avals) -> list:
    return list(avals) if isinstance(avals, (tuple, list)) and avals and \
        isinstance(avals[0], Aval) else [avals]


def run_checking_shapes(fn, *args, **kwargs):
    """Runs ``fn`` with every primitive's shape rule checked; returns fn's result."""
    checker = _ShapeRuleChecker()
    saved = context.tracer
    context.tracer = checker
    try:
        return fn(*args, **kwargs)
    finally:
        context.tracer = saved


def _to_numpy_outputs(result) -> list:
    return [np.asarray(o._value) if isinstance(o, Tensor) else np.asarray(o)
            for o in nest.flatten(result)]


def check_op(fn, args, expected=None, *, kwargs=None, grad: bool = True,
             second_order: bool = True, wrt=None, rtol: float = 1e-5, atol: float = 1e-6,
             grad_rtol: float = 1e-4, grad_atol: float = 1e-5, eps: float = 1e-6,
             seed: int = 0, traced: bool = True):
    """Checks an op's forward value, shape rules, and first and second derivatives.

    Args:
      fn: the op, called as ``fn(*tensors, **kwargs)``.
      args: its inputs: NumPy arrays become tensors; other values pass as they are.
        Use float64 arrays for inputs to differentiate.
      expected: ``expected(*args, **kwargs)`` computing the result with NumPy.
      grad / second_order: check first / second derivatives by finite differences.
      wrt: indices of the inputs to differentiate (default: every float array).
      traced: also run ``fn`` under ``fluxion.function`` (symbolic tracing, graph passes,
        generated code) and require the same result as eager execution.
    """
    kwargs = kwargs or {}
    tensors = [Tensor(np.asarray(a)) if isinstance(a, np.ndarray) else a for a in args]
    result = run_checking_shapes(fn, *tensors, **kwargs)
    if expected is not None:
        want = expected(*args, **kwargs)
        got = _to_numpy_outputs(result)
        want = [np.asarray(w) for w in nest.flatten(want)]
        assert len(got) == len(want), f"{len(got)} outputs, expected {len(want)}"
        for g, w in zip(got, want):
            assert g.shape == w.shape, f"shape {g.shape}, expected {w.shape}"
            if g.dtype.kind in "fc":
                np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
            else:
                np.testing.assert_array_equal(g, w)
    if traced:
        _check_traced_matches_eager(fn, tensors, kwargs, result, rtol, atol)
    if not grad:
        return result
    if wrt is None:
        wrt = [i for i, a in enumerate(args)
               if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(np.shape(o)) for o in _to_numpy_outputs(result)]

    def scalar_loss(*inputs):
        out = fn(*inputs, **kwargs)
        total = None
        for o, w in zip(nest.flatten(out), weights):
            if not isinstance(o, Tensor) or not o.dtype.is_floating:
                continue
            term = _sum(o * Tensor(w.astype(o._value.dtype)))
            total = term if total is None else total + term
        return total

    def analytic_grad(arrays):
        inputs = [Tensor(a) for a in arrays]
        with GradientTape() as tape:
            for i in wrt:
                tape.watch(inputs[i])
            loss = scalar_loss(*_merge(tensors, inputs, wrt))
        return [_np_or_zero(g, inputs[i]) for i, g in
                zip(wrt, tape.gradient(loss, [inputs[i] for i in wrt]))]

    arrays = [np.array(a, dtype=np.float64) if i in wrt else a for i, a in enumerate(args)]
    first = run_checking_shapes(analytic_grad, arrays)  # backward primitives' rules too
    numeric = _finite_differences(lambda arrs: _loss_value(scalar_loss, tensors, arrs, wrt),
                                  arrays, wrt, eps)
    for i, (a, n) in enumerate(zip(first, numeric)):
        np.testing.assert_allclose(a, n, rtol=grad_rtol, atol=grad_atol,
                                   err_msg=f"first derivative w.r.t. input {wrt[i]}")
    if second_order:
        run_checking_shapes(_check_second_order, scalar_loss, tensors, arrays, wrt, rng, eps,
                            grad_rtol, grad_atol)
    return result


def _check_traced_matches_eager(fn, tensors, kwargs, eager_result, rtol, atol):
    from fluxion.graph.function import function

    traced = function(lambda *args: fn(*args, **kwargs))
    for _ in range(2):  # tracing, then the cached compiled code
        got = _to_numpy_outputs(traced(*tensors))
        want = _to_numpy_outputs(eager_result)
        assert len(got) == len(want), "traced and eager results differ in structure"
        for g, w in zip(got, want):
            assert g.shape == w.shape, f"traced shape {g.shape}, eager {w.shape}"
            if g.dtype.kind in "fc":
                np.testing.assert_allclose(g, w, rtol=rtol, atol=atol,
                                           err_msg="traced result differs from eager")
            else:
                np.testing.assert_array_equal(g, w, err_msg="traced result differs from eager")


def _check_second_order(scalar_loss, tensors, arrays, wrt, rng, eps, rtol, atol):
    probes = {i: rng.standard_normal(np.shape(arrays[i])) for i in wrt}

    def first_grads(arrs, outer=None):
        inputs = [Tensor(a) for a in arrs]
        with GradientTape() as tape:
            for i in wrt:
                tape.watch(inputs[i])
            loss = scalar_loss(*_merge(tensors, inputs, wrt))
        grads = tape.gradient(loss, [inputs[i] for i in wrt])
        return inputs, grads

    def probe_value(arrs):
        _, grads = first_grads(arrs)
        return sum(float(np.sum(_np_or_zero(g, None, np.shape(arrs[i])) * probes[i]))
                   for i, g in zip(wrt, grads))

    inputs = [Tensor(a) for a in arrays]
    with GradientTape() as outer:
        for i in wrt:
            outer.watch(inputs[i])
        with GradientTape() as inner:
            for i in wrt:
                inner.watch(inputs[i])
            loss = scalar_loss(*_merge(tensors, inputs, wrt))
        grads = inner.gradient(loss, [inputs[i] for i in wrt])
        probe = None
        for i, g in zip(wrt, grads):
            if g is None:
                continue
            term = _sum(g * Tensor(probes[i]))
            probe = term if probe is None else probe + term
    if probe is None:
        return
    second = outer.gradient(probe, [inputs[i] for i in wrt])
    second = [_np_or_zero(g, inputs[i]) for i, g in zip(wrt, second)]
    numeric = _finite_differences(probe_value, arrays, wrt, eps)
    for i, (a, n) in enumerate(zip(second, numeric)):
        np.testing.assert_allclose(a, n, rtol=rtol * 10, atol=atol * 10,
                                   err_msg=f"second derivative w.r.t. input {wrt[i]}")


def _sum(x: Tensor) -> Tensor:
    from fluxion.core.primitives.reduce import reduce_sum

    return reduce_sum(x)


def _merge(tensors, inputs, wrt):
    return [inputs[i] if i in wrt else t for i, t in enumerate(tensors)]


def _np_or_zero(g, like, shape=None):
    if g is None:
        return np.zeros(shape if shape is not None else like._value.shape)
    return np.asarray(g._value, dtype=np.float64)


def _loss_value(scalar_loss, tensors, arrays, wrt) -> float:
    inputs = [Tensor(a) for a in arrays]
    value = scalar_loss(*_merge(tensors, inputs, wrt))
    return float(value._value) if value is not None else 0.0


def _finite_differences(func, arrays, wrt, eps) -> list:
    """Central differences of scalar ``func(arrays)`` w.r.t. each array in ``wrt``."""
    grads = []
    for i in wrt:
        base = np.array(arrays[i], dtype=np.float64)
        grad = np.zeros_like(base)
        for index in np.ndindex(base.shape):
            plus = [a for a in arrays]
            minus = [a for a in arrays]
            bumped = base.copy()
            bumped[index] += eps
            plus[i] = bumped
            bumped = base.copy()
            bumped[index] -= eps
            minus[i] = bumped
            grad[index] = (func(plus) - func(minus)) / (2 * eps)
        grads.append(grad)
    return grads
