"""``fluxion.cond``: run one of two functions depending on a predicate (``tf.cond``).

Eagerly (a concrete predicate) the chosen function simply runs, and tapes record the
operations it makes.  While tracing with a symbolic predicate, both functions are
traced into sub-graphs (``fluxion.graph.interpreter``) and the enclosing graph gets
one ``cond`` node: ``outputs = cond(pred, *operands, true_graph=, false_graph=)``.
Its operands are everything the branches take from outside (captured tensors and
variable reads); both sub-graphs take all of them.  Variables assigned in either
branch become extra outputs, assigned after the node.  A branch that prints makes the
node a ``stateful_cond`` (TF's ``If`` vs ``StatelessIf``), which passes keep in place.

The VJP of ``cond`` is a ``cond`` on the same predicate whose branches are the VJPs of
the two sub-graphs (``graph_vjp``), so it is differentiable to any order.
"""

from __future__ import annotations

from collections.abc import Callable

from fluxion.core import dtypes, errors, nest
from fluxion.core.composite import CompositeTensor
from fluxion.core.primitive import Aval, bind, define
from fluxion.graph.interpreter import (
    NONE_LEAF,
    SubGraph,
    external_tensors,
    graph_vjp,
    pack_outputs,
    seal,
    trace_subgraph,
)
from fluxion.graph.nested_conversion import maybe_convert
from fluxion.graph.symbolic import SymbolicTensor


def cond(pred, true_fn: Callable | None = None, false_fn: Callable | None = None,
         name: str | None = None):
    """``true_fn()`` if ``pred`` is true, else ``false_fn()`` (``tf.cond``).

    Args:
      pred: a scalar boolean tensor (or Python bool).
      true_fn, false_fn: functions of no arguments.  Traced, both must return the same
        nested structure of tensors with the same dtypes; shapes may differ (the result
        has the most specific shape compatible with both).
      name: unused, accepted for TF compatibility.

    Returns:
      What the chosen function returns.

    >>> import fluxion as tf
    >>> x = tf.constant(3.0)
    >>> float(tf.cond(x > 0, lambda: x * 2, lambda: -x))
    6.0
    """
    if not callable(true_fn):
        raise TypeError(f"'true_fn' must be callable, got {true_fn!r}")
    if not callable(false_fn):
        raise TypeError(f"'false_fn' must be callable, got {false_fn!r}")
    if hasattr(pred, "_read_for_op"):
        pred = pred._read_for_op()
    if not isinstance(pred, SymbolicTensor):
        return true_fn() if _truth(pred) else false_fn()
    return _traced_cond(pred, true_fn, false_fn)


def _truth(pred) -> bool:
    try:
        return bool(pred)
    except ValueError as error:
        raise errors.op_error(errors.InvalidArgumentError, "cond",
                              f"pred must be a scalar boolean, got {pred!r}: {error}") from None


def _traced_cond(pred: SymbolicTensor, true_fn: Callable, false_fn: Callable):
    _check_pred(Aval(tuple(pred.shape), pred.dtype))
    # Called from AutoGraph-converted code, user branches are converted too (as in TF).
    true_fn, false_fn = maybe_convert(true_fn), maybe_convert(false_fn)
    traces = trace_branches(true_fn, false_fn)
    _check_same_outputs(*traces)
    results = bind_traced_branches(pred, traces, [trace.outputs for trace in traces])
    return pack_outputs(traces[0].structure, results)


def trace_branches(true_fn: Callable, false_fn: Callable) -> list:
    """Both branches traced into sub-graphs of the active trace (``Trace`` objects)."""
    return [trace_subgraph(true_fn, [], lambda args: args, "cond_true", "true_fn"),
            trace_subgraph(false_fn, [], lambda args: args, "cond_false", "false_fn")]


def bind_traced_branches(pred: SymbolicTensor, traces: list, outputs: list[list]) -> list:
    """Adds the ``cond`` node for two traced branches; returns its outputs.

    ``outputs`` holds, per branch, the graph values it returns (same count and dtypes).
    Variables assigned in either branch become extra outputs, assigned after the node.
    """
    _check_pred(Aval(tuple(pred.shape), pred.dtype))
    # Variables assigned in either branch: each branch returns the variable's new value
    # (or, if it does not assign it, the value it reads), and the node's output is assigned.
    assigned = {}
    for trace in traces:
        assigned.update(trace.tracer.assigned)
    full = []
    for trace, outs in zip(traces, outputs):
        extra = [trace.tracer._current[key] if key in trace.tracer._current
                 else trace.tracer.read_variable(var)._graph_value
                 for key, var in assigned.items()]
        full.append(list(outs) + extra)
    keys, operands = external_tensors(traces)
    true_graph, false_graph = (seal(trace, [], keys, operands, outs)
                               for trace, outs in zip(traces, full))
    if not full[0] and not (true_graph.stateful or false_graph.stateful):
        return []
    prim = stateful_cond_p if true_graph.stateful or false_graph.stateful else cond_p
    results = bind(prim, pred, *operands, true_graph=true_graph, false_graph=false_graph)
    count = len(outputs[0])
    for variable, value in zip(assigned.values(), results[count:]):
        variable.assign(value)
    return list(results[:count])


def _check_same_outputs(true_trace, false_trace) -> None:
    def describe(trace):
        return nest.map_structure(
            lambda leaf: None if leaf is NONE_LEAF else f"{leaf.aval.dtype.name}"
            f"{list(leaf.aval.shape)}", trace.structure) \
            if nest.is_nested(trace.structure) else \
            (None if trace.structure is NONE_LEAF else
             f"{trace.structure.aval.dtype.name}{list(trace.structure.aval.shape)}")

    def fail(kind, detail):
        raise kind(
            f"cond: true_fn and false_fn must return the same structure of tensors with the "
            f"same dtypes; {detail}.\n  true_fn returned:  {describe(true_trace)}\n  "
            f"false_fn returned: {describe(false_trace)}\n  (at {errors.user_location()})")

    if not same_structure(true_trace.structure, false_trace.structure):
        fail(ValueError, "their structures differ")
    for position, (a, b) in enumerate(zip(true_trace.outputs, false_trace.outputs)):
        if a.aval.dtype is not b.aval.dtype:
            fail(TypeError, f"output {position} is {a.aval.dtype.name} in true_fn but "
                            f"{b.aval.dtype.name} in false_fn")
        if len(a.aval.shape) != len(b.aval.shape):
            fail(ValueError, f"output {position} has rank {len(a.aval.shape)} in true_fn but "
                             f"rank {len(b.aval.shape)} in false_fn (Fluxion needs equal ranks)")


def same_structure(a, b) -> bool:
    """Whether two nests have the same layout (lists and tuples count as alike)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and sorted(a) == sorted(b)
                and all(same_structure(a[k], b[k]) for k in a))
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))
                and len(a) == len(b) and all(same_structure(x, y) for x, y in zip(a, b)))
    if isinstance(a, CompositeTensor) or isinstance(b, CompositeTensor):
        return (type(a) is type(b) and a._static_key() == b._static_key()
                and same_structure(a._to_components(), b._to_components()))
    return (a is NONE_LEAF) == (b is NONE_LEAF)


# --- the primitive ----------------------------------------------------------------------------
def _cond_kernel(pred, *operands, true_graph, false_graph):
    return (true_graph if pred else false_graph)(*operands)


def _check_pred(pred: Aval) -> None:
    if pred.dtype is not dtypes.bool_:
        raise TypeError(f"pred must be a boolean tensor, got dtype {pred.dtype.name}; "
                        f"compare it (e.g. x > 0) or cast it")
    if len(pred.shape) != 0:
        raise ValueError(f"pred must be a scalar, got shape {list(pred.shape)}; reduce it "
                         f"(e.g. fluxion.reduce_all) first")


def merge_avals(a: Aval, b: Aval) -> Aval:
    """The most specific aval compatible with both (same rank and dtype assumed)."""
    shape = tuple(x if x == y else None for x, y in zip(a.shape, b.shape))
    return Aval(shape, a.dtype)


def _cond_rule(pred, *operands, true_graph, false_graph):
    _check_pred(pred)
    expected = true_graph.input_avals()
    if len(operands) != len(expected):
        raise ValueError(f"expected {len(expected)} operands, got {len(operands)}")
    for index, (got, want) in enumerate(zip(operands, expected)):
        if got.dtype is not want.dtype:
            raise TypeError(f"operand {index} must be {want.dtype.name}, got {got.dtype.name}")
    outs = zip(true_graph.output_avals(operands), false_graph.output_avals(operands))
    return tuple(merge_avals(a, b) for a, b in outs)


def _cond_vjp(cotangents, inputs, outputs, true_graph, false_graph):
    pred, operands = inputs[0], list(inputs[1:])
    wrt = [i for i, x in enumerate(operands) if x.dtype.is_differentiable]
    of = [j for j, y in enumerate(outputs) if y.dtype.is_differentiable]
    result = [None] * len(inputs)
    if not wrt or not of:
        return result
    seeds = [cotangents[j] for j in of]

    def branch_vjp(sub: SubGraph):
        return lambda: graph_vjp(sub.graph, operands, wrt, of, seeds)

    grads = cond(pred, branch_vjp(true_graph), branch_vjp(false_graph))
    for index, grad in zip(wrt, grads):
        result[1 + index] = grad
    return result


_DOC = "One of two sub-graphs, chosen by a scalar boolean (tf.cond)."
cond_p = define("cond", _cond_kernel, _cond_rule, _cond_vjp, multiple_results=True, doc=_DOC)
stateful_cond_p = define("stateful_cond", _cond_kernel, _cond_rule, _cond_vjp,
                         multiple_results=True, effect="writes_state", doc=_DOC)

__all__ = ["cond"]
