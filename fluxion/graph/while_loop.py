"""``fluxion.while_loop``: repeat a body while a condition holds (``tf.while_loop``).

Eagerly it is a Python loop, and tapes record every iteration's operations.  While
tracing, the condition and the body are traced into sub-graphs and the enclosing
graph gets one ``while`` node::

    finals... [, count, history..., shapes...] = while(*loop_vars, [maximum_iterations,]
                                                       *operands, cond_graph=, body_graph=,
                                                       n_vars=, ...)

``operands`` are what the condition and the body take from outside (captured tensors,
variable reads); variables the body assigns become extra loop variables, assigned
after the loop.  When a tape may differentiate the loop (``keep_history``), the node
also returns the iteration count and, per loop variable, its values at the start of
every iteration stacked along a new first axis (padded, for a variable whose shape
changes across iterations, with each iteration's shape in a ``shapes`` output).  The
VJP runs a reverse ``while`` over that history, applying the body's VJP (``graph_vjp``)
once per iteration; being a ``while`` itself, it can be differentiated again.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fluxion.core import context, dtypes, errors, nest
from fluxion.core.composite import CompositeTensor
from fluxion.core.primitive import Aval, bind, define
from fluxion.core.primitives.elementwise import add, greater, sub, zeros_like
from fluxion.core.primitives.gather_scatter import gather
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.tensor_shape import TensorShape, as_shape
from fluxion.graph.cond import same_structure
from fluxion.graph.interpreter import (
    NONE_LEAF,
    external_tensors,
    graph_vjp,
    seal,
    trace_subgraph,
)
from fluxion.graph.nested_conversion import maybe_convert


def while_loop(cond: Callable, body: Callable, loop_vars, shape_invariants=None,
               parallel_iterations: int = 10, back_prop: bool = True, swap_memory: bool = False,
               maximum_iterations=None, name: str | None = None):
    """Repeats ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` (``tf.while_loop``).

    Args:
      cond: returns a scalar boolean for the loop variables.
      body: returns new loop variables: the same structure, dtypes and shapes (or
        shapes compatible with ``shape_invariants``).
      loop_vars: a list or tuple (or namedtuple) of tensors or nests of tensors, passed
        to ``cond`` and ``body`` as positional arguments.
      shape_invariants: per loop variable, a less specific shape (``[None]``) for
        variables whose shape changes across iterations.
      parallel_iterations, swap_memory: accepted for TF compatibility.
      back_prop: False builds a loop that cannot be differentiated (and keeps no history).
      maximum_iterations: stop after this many iterations even if ``cond`` holds.
      name: unused, accepted for TF compatibility.

    Returns:
      The final loop variables, with the structure of ``loop_vars``.

    >>> import fluxion as tf
    >>> i, x = tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x * 2.0), (0, 1.0))
    >>> int(i), float(x)
    (3, 8.0)
    """
    if not callable(cond):
        raise TypeError(f"'cond' must be callable, got {cond!r}")
    if not callable(body):
        raise TypeError(f"'body' must be callable, got {body!r}")
    if loop_vars is None or (isinstance(loop_vars, (list, tuple)) and not loop_vars):
        raise ValueError("'loop_vars' must be provided (a non-empty list or tuple).")
    spread = isinstance(loop_vars, (list, tuple))  # cond(*loop_vars), else cond(loop_vars)
    if context.tracer is None:
        return _eager_loop(cond, body, loop_vars, spread, maximum_iterations)
    _settle_composites(body, loop_vars, spread)
    flat = [_as_tensor(leaf) for leaf in nest.flatten(loop_vars)]
    pack = _packer(loop_vars, spread)
    invariants = _invariants(loop_vars, shape_invariants, flat)
    results = _traced_loop(cond, body, loop_vars, flat, invariants, pack, maximum_iterations,
                           back_prop)
    return nest.pack_sequence_as(loop_vars, results) if nest.is_nested(loop_vars) \
        else results[0]


def _as_tensor(leaf) -> Tensor:
    if leaf is None:
        raise TypeError("while_loop: loop variables must be tensors, got None")
    return convert_to_tensor(leaf)


def _packer(loop_vars, spread: bool) -> Callable:
    def pack(flat: list) -> tuple:
        packed = nest.pack_sequence_as(loop_vars, flat) if nest.is_nested(loop_vars) \
            else flat[0]
        return tuple(packed) if spread else (packed,)

    return pack


def _body_leaves(result, loop_vars, where: str) -> list:
    """The flat body outputs, checked against the loop variables' structure."""
    if isinstance(loop_vars, (list, tuple)) and len(loop_vars) == 1 \
            and not nest.is_nested(result):
        result = [result]  # TF accepts a bare value for a single loop variable
    if not same_structure(_shape_of(result), _shape_of(loop_vars)):
        raise ValueError(
            f"while_loop: body must return the structure of loop_vars; loop_vars has "
            f"{_describe(loop_vars)} but body returned {_describe(result)} ({where}).")
    return nest.flatten(result)


def _shape_of(structure):
    return nest.map_structure(lambda leaf: NONE_LEAF if leaf is None else 0, structure) \
        if nest.is_nested(structure) else (NONE_LEAF if structure is None else 0)


def _describe(structure) -> str:
    def leaf(x):
        if isinstance(x, Tensor):
            return f"{x.dtype.name}{list(x.shape)}"
        return type(x).__name__
    return str(nest.map_structure(leaf, structure) if nest.is_nested(structure) else leaf(
        structure))


def _check_dtype(index: int, before, after) -> None:
    if before is not after:
        raise TypeError(
            f"while_loop: loop variable {index} enters the loop with dtype {before.name} but "
            f"has dtype {after.name} after one iteration; a loop variable's dtype must stay "
            f"the same (cast it in the body) (at {errors.user_location()})")


# --- eager ---------------------------------------------------------------------------------
def _eager_loop(cond, body, loop_vars, spread, maximum_iterations):
    """A Python loop.  Composite values (``TensorArray``...) pass as they are."""
    limit = None if maximum_iterations is None else int(maximum_iterations)
    current = _tensors_in(loop_vars)
    count = 0
    while limit is None or count < limit:
        args = tuple(current) if spread else (current,)
        if not bool(cond(*args)):
            break
        result = body(*args)
        if isinstance(loop_vars, (list, tuple)) and len(loop_vars) == 1 \
                and not nest.is_nested(result):
            result = [result]  # TF accepts a bare value for a single loop variable
        if not same_structure(_shape_of(result), _shape_of(loop_vars)):
            raise ValueError(
                f"while_loop: body must return the structure of loop_vars; loop_vars has "
                f"{_describe(loop_vars)} but body returned {_describe(result)} "
                f"(iteration {count}).")
        new = _tensors_in(result)
        for index, (a, b) in enumerate(zip(_plain_leaves(current), _plain_leaves(new))):
            _check_dtype(index, a.dtype, b.dtype)
        if isinstance(current, list) and isinstance(new, tuple):
            new = list(new)
        current = new
        count += 1
    return current


def _tensors_in(structure):
    """``structure`` with its plain leaves as tensors; composite values kept whole."""
    if isinstance(structure, CompositeTensor):
        return structure
    if isinstance(structure, dict):
        return type(structure)((k, _tensors_in(v)) for k, v in structure.items())
    if nest._is_namedtuple(structure):
        return type(structure)(*[_tensors_in(item) for item in structure])
    if isinstance(structure, (list, tuple)):
        return type(structure)(_tensors_in(item) for item in structure)
    return _as_tensor(structure)


def _plain_leaves(structure) -> list:
    if isinstance(structure, CompositeTensor):
        return []
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _plain_leaves(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _plain_leaves(item)]
    return [structure]


def _composites(structure) -> list:
    if isinstance(structure, CompositeTensor):
        return [structure]
    if isinstance(structure, dict):
        return [c for key in sorted(structure) for c in _composites(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [c for item in structure for c in _composites(item)]
    return []


def settle_composites(body, args: tuple) -> None:
    """Lets composite loop variables learn what they lack (a ``TensorArray``'s element
    shape) from one throw-away trace of ``body(*args)``, in which they record what is
    written.  The other arguments pass as they are (captured by the trace)."""
    unsettled = [c for c in _composites(list(args)) if getattr(c, "_unsettled", bool)()]
    if not unsettled:
        return
    probes = {id(c): c._probe() for c in unsettled}

    def swap(structure):
        if isinstance(structure, CompositeTensor):
            return probes.get(id(structure), structure)
        if isinstance(structure, dict):
            return type(structure)((k, swap(v)) for k, v in structure.items())
        if nest._is_namedtuple(structure):
            return type(structure)(*[swap(item) for item in structure])
        if isinstance(structure, (list, tuple)):
            return type(structure)(swap(item) for item in structure)
        return structure

    probed = [swap(arg) for arg in args]

    def run():
        body(*probed)
        return convert_to_tensor(0)  # only the writes matter

    trace_subgraph(run, [], lambda _: (), "while_probe", "body")


def _settle_composites(body, loop_vars, spread: bool) -> None:
    settle_composites(body, tuple(loop_vars) if spread else (loop_vars,))


# --- traced ------------------------------------------------------------------------------------
def _invariants(loop_vars, shape_invariants, flat: list) -> list[tuple]:
    if shape_invariants is None:
        return [tuple(t.shape) for t in flat]
    specs = _flatten_shapes(shape_invariants)
    if len(specs) != len(flat):
        raise ValueError(f"while_loop: shape_invariants holds {len(specs)} shapes but "
                         f"loop_vars {len(flat)} tensors")
    shapes = []
    for index, (tensor, spec) in enumerate(zip(flat, specs)):
        shape = as_shape(spec)
        if shape.rank is None:
            raise ValueError(f"while_loop: shape_invariants[{index}] must have a known rank")
        if not shape.is_compatible_with(tensor.shape):
            raise ValueError(f"while_loop: loop variable {index} has shape {tensor.shape}, not "
                             f"compatible with its shape invariant {shape}")
        shapes.append(tuple(shape.as_list()))
    return shapes


def _flatten_shapes(spec) -> list:
    """The leaves of a nest of shapes; a list of ints/None is one shape, not a nest."""
    if isinstance(spec, TensorShape) or spec is None:
        return [spec]
    if isinstance(spec, dict):
        return [leaf for key in sorted(spec) for leaf in _flatten_shapes(spec[key])]
    if isinstance(spec, (list, tuple)):
        if all(d is None or isinstance(d, (int, np.integer)) for d in spec):
            return [spec]
        return [leaf for item in spec for leaf in _flatten_shapes(item)]
    return [spec]


def _traced_loop(cond, body, loop_vars, flat, shapes, pack, maximum_iterations, back_prop):
    # Called from AutoGraph-converted code, the user's cond and body are converted too.
    cond, body = maybe_convert(cond), maybe_convert(body)
    avals = [Aval(shape, t.dtype) for t, shape in zip(flat, shapes)]
    for _ in range(1 + sum(len(s) for s in shapes)):
        body_trace = trace_subgraph(body, avals, pack, "while_body", "body")
        relaxed = _check_body(body_trace, loop_vars, avals)
        if relaxed == avals:
            break
        avals = relaxed  # the body loses shape information: loosen the invariant, retrace
    cond_trace = trace_subgraph(cond, avals, pack, "while_cond", "cond")
    _check_cond(cond_trace)
    # Variables the body assigns are carried through the loop as extra loop variables.
    carried, carried_values, carried_inputs = carried_variables(body_trace, cond_trace)
    traces = [body_trace, cond_trace]
    keys, operands = external_tensors(traces)
    body_outputs = body_trace.outputs + [body_trace.tracer._current[id(v)] for v in carried]
    body_graph = seal(body_trace, body_trace.explicit + carried_inputs[0], keys, operands,
                      body_outputs)
    cond_graph = seal(cond_trace, cond_trace.explicit + carried_inputs[1], keys, operands,
                      cond_trace.outputs)
    init = list(flat) + carried_values
    limit = [] if maximum_iterations is None else [
        convert_to_tensor(maximum_iterations, dtype=dtypes.int32)]
    keep_history = bool(back_prop and context.tapes)
    results = bind_while(init, limit, operands, cond_graph, body_graph, keep_history)
    for var, value in zip(carried, results[len(flat):len(init)]):
        var.assign(value)
    return list(results[:len(flat)])


def carried_variables(body_trace, cond_trace) -> tuple[list, list, list]:
    """The variables a loop body assigns (carried as extra loop variables), their values
    before the loop, and, per trace (body, condition), the input each reads them from."""
    carried = list(body_trace.tracer.assigned.values())
    carried_values = [var._read_for_op() for var in carried]
    carried_inputs = []
    for trace in (body_trace, cond_trace):
        inputs = []
        for var in carried:
            entry = trace.tracer.variable_inputs.pop(id(var), None)
            inputs.append(entry[1] if entry is not None else _unused(var))
        carried_inputs.append(inputs)
    return carried, carried_values, carried_inputs


def _unused(var):
    from fluxion.graph.ir import Value

    return Value(Aval(tuple(var.shape.as_list()), var.dtype), name="unused")


def bind_while(init, limit, operands, cond_graph, body_graph, keep_history: bool):
    stateful = cond_graph.stateful or body_graph.stateful
    prim = stateful_while_p if stateful else while_p
    return bind(prim, *init, *limit, *operands, cond_graph=cond_graph, body_graph=body_graph,
                n_vars=len(init), has_maximum=bool(limit), keep_history=keep_history)


def _check_body(trace, loop_vars, avals: list[Aval]) -> list[Aval]:
    """Checks the body's outputs against the loop variables; returns relaxed avals."""
    structure = trace.structure
    if isinstance(loop_vars, (list, tuple)) and len(loop_vars) == 1 \
            and not nest.is_nested(structure):
        structure = [structure]
    if not same_structure(structure, _shape_of(loop_vars)) or \
            any(leaf is NONE_LEAF for leaf in nest.flatten(structure)):
        shown = nest.map_structure(lambda v: "None" if v is NONE_LEAF else
                                   f"{v.aval.dtype.name}{list(v.aval.shape)}", structure) \
            if nest.is_nested(structure) else structure
        raise ValueError(
            f"while_loop: body must return the structure of loop_vars; loop_vars has "
            f"{_describe(loop_vars)} but body returned {shown} (at {errors.user_location()})")
    relaxed = []
    for index, (aval, value) in enumerate(zip(avals, trace.outputs)):
        _check_dtype(index, aval.dtype, value.aval.dtype)
        out = value.aval.shape
        if len(out) != len(aval.shape) or not all(
                a is None or b is None or a == b for a, b in zip(aval.shape, out)):
            raise ValueError(
                f"while_loop: loop variable {index} enters the loop with shape "
                f"{list(aval.shape)}, but has shape {list(out)} after one iteration. To allow "
                f"the shape to vary across iterations, pass shape_invariants with a less "
                f"specific shape (None for the changing dimensions) "
                f"(at {errors.user_location()})")
        relaxed.append(Aval(tuple(a if a == b else None for a, b in zip(aval.shape, out)),
                            aval.dtype))
    return relaxed


def _check_cond(trace) -> None:
    outs = trace.outputs
    if trace.tracer.assigned:
        raise ValueError("while_loop: cond must not assign variables; assign them in body")
    if len(outs) != 1 or outs[0].aval.dtype is not dtypes.bool_ or outs[0].aval.shape != ():
        got = ", ".join(f"{v.aval.dtype.name}{list(v.aval.shape)}" for v in outs) or "nothing"
        raise TypeError(f"while_loop: cond must return a scalar boolean tensor, got {got} "
                        f"(at {errors.user_location()})")


# --- the primitive ----------------------------------------------------------------------------
def _split(operands: tuple, n_vars: int, has_maximum: bool):
    loop_vars = operands[:n_vars]
    rest = operands[n_vars:]
    limit = rest[0] if has_maximum else None
    return loop_vars, limit, rest[1:] if has_maximum else rest


def _ragged(body_graph, n_vars: int) -> list[int]:
    """Loop variables whose shape may change across iterations (a None in the invariant).

    Their history is padded to a common shape, with each iteration's true shape kept
    alongside, so the VJP can differentiate loops that grow a value (a list appended
    to in an AutoGraph loop).
    """
    return [j for j, aval in enumerate(body_graph.input_avals()[:n_vars])
            if None in aval.shape]


def _while_kernel(*operands, cond_graph, body_graph, n_vars, has_maximum, keep_history):
    values, limit, captured = _split(operands, n_vars, has_maximum)
    limit = None if limit is None else int(limit)
    history = [[] for _ in values] if keep_history else None
    count = 0
    while (limit is None or count < limit) and cond_graph(*values, *captured)[0]:
        if keep_history:
            for past, value in zip(history, values):
                past.append(value)
        values = body_graph(*values, *captured)
        count += 1
    if not keep_history:
        return tuple(values)
    ragged = _ragged(body_graph, n_vars)
    stacked = []
    for index, (past, first) in enumerate(zip(history, operands[:n_vars])):
        if not past:
            stacked.append(np.zeros((0,) + np.shape(first), dtype=np.asarray(first).dtype))
        elif any(np.shape(p) != np.shape(past[0]) for p in past):
            if index not in ragged:
                raise ValueError("gradients of a while_loop whose loop variables change "
                                 "shape across iterations need shape_invariants")
            stacked.append(_pad_and_stack(past))
        else:
            stacked.append(np.stack(past))
    shapes = [np.array([np.shape(p) for p in history[j]], dtype=np.int32).reshape(
        len(history[j]), np.ndim(operands[j])) for j in ragged]
    return (*values, np.array(count, dtype=np.int32), *stacked, *shapes)


def _pad_and_stack(arrays: list) -> np.ndarray:
    top = np.max([np.shape(a) for a in arrays], axis=0)
    out = np.zeros((len(arrays),) + tuple(top), dtype=np.asarray(arrays[0]).dtype)
    for index, array in enumerate(arrays):
        out[(index,) + tuple(slice(0, d) for d in np.shape(array))] = array
    return out


def _while_rule(*operands, cond_graph, body_graph, n_vars, has_maximum, keep_history):
    loop_vars, limit, _ = _split(operands, n_vars, has_maximum)
    if len(operands) - has_maximum != len(body_graph.graph.inputs):
        raise ValueError(f"expected {len(body_graph.graph.inputs) + has_maximum} operands, got "
                         f"{len(operands)}")
    if limit is not None and (limit.dtype not in (dtypes.int32, dtypes.int64) or limit.shape):
        raise TypeError(f"maximum_iterations must be a scalar integer, got "
                        f"{limit.dtype.name}{list(limit.shape)}")
    invariants = body_graph.input_avals()[:n_vars]
    finals = []
    for index, (got, want) in enumerate(zip(loop_vars, invariants)):
        if got.dtype is not want.dtype:
            raise TypeError(f"loop variable {index} must be {want.dtype.name}, got "
                            f"{got.dtype.name}")
        finals.append(want)
    if not keep_history:
        return tuple(finals)
    history = [Aval((None,) + tuple(a.shape), a.dtype) for a in finals]
    shapes = [Aval((None, len(finals[j].shape)), dtypes.int32)
              for j in _ragged(body_graph, n_vars)]
    return (*finals, Aval((), dtypes.int32), *history, *shapes)


def _while_vjp(cotangents, inputs, outputs, cond_graph, body_graph, n_vars, has_maximum,
               keep_history):
    if not keep_history:
        raise ValueError(
            "while_loop: cannot differentiate a loop built without its history: it was "
            "created with back_prop=False, or outside any GradientTape in a traced function")
    _, _, captured = _split(inputs, n_vars, has_maximum)
    captured = list(captured)
    count = outputs[n_vars]
    history = outputs[n_vars + 1:2 * n_vars + 1]
    history_cts = cotangents[n_vars + 1:2 * n_vars + 1]
    ragged = {j: shapes for j, shapes in zip(_ragged(body_graph, n_vars),
                                             outputs[2 * n_vars + 1:])}
    var_wrt = [j for j in range(n_vars) if inputs[j].dtype.is_differentiable]
    cap_wrt = [k for k, c in enumerate(captured) if c.dtype.is_differentiable]
    result = [None] * len(inputs)
    if not var_wrt:
        return result
    graph = body_graph.graph
    wrt = var_wrt + [n_vars + k for k in cap_wrt]
    n_var_cts = len(var_wrt)

    def at(j, stacked, t):
        """Loop variable j's value (or cotangent) at iteration t, unpadded."""
        value = gather(stacked, t)
        if j in ragged:
            shape = gather(ragged[j], t)
            value = value[tuple(slice(None, shape[d]) for d in range(len(value.shape)))]
        return value

    def step(t, *carried):
        var_cts, cap_cts = carried[:n_var_cts], carried[n_var_cts:]
        t = sub(t, 1)
        values = [at(j, h, t) for j, h in enumerate(history)]
        grads = graph_vjp(graph, values + captured, wrt, var_wrt, list(var_cts))
        var_grads = [add(g, at(j, history_cts[j], t)) for g, j in zip(grads, var_wrt)]
        cap_grads = [add(a, g) for a, g in zip(cap_cts, grads[len(var_wrt):])]
        return (t, *var_grads, *cap_grads)

    start = [cotangents[j] for j in var_wrt] + [zeros_like(captured[k]) for k in cap_wrt]
    invariants = None
    if any(j in ragged for j in var_wrt):  # their cotangents shrink going backwards
        invariants = [TensorShape([])] + [
            TensorShape([None] * len(x.shape)) if j in ragged else TensorShape(x.shape)
            for j, x in zip(var_wrt, start)] + [TensorShape(x.shape) for x in
                                                start[n_var_cts:]]
    finals = while_loop(lambda t, *_: greater(t, 0), step, (count, *start),
                        shape_invariants=invariants)
    var_cts, cap_cts = finals[1:1 + n_var_cts], finals[1 + n_var_cts:]
    for j, g in zip(var_wrt, var_cts):
        result[j] = g
    offset = n_vars + has_maximum
    for k, g in zip(cap_wrt, cap_cts):
        result[offset + k] = g
    return result


def _replay_while(node, args, replay_effects: bool):
    """Re-interpreting a ``while`` node under a tape keeps the history its VJP needs."""
    attrs = dict(node.attrs, keep_history=bool(context.tapes))
    outputs = bind(node.prim, *args, **attrs)
    return outputs[:len(node.outputs)]


_DOC = "Repeats a body sub-graph while a condition sub-graph holds (tf.while_loop)."
while_p = define("while", _while_kernel, _while_rule, _while_vjp, multiple_results=True,
                 replay=_replay_while, doc=_DOC)
stateful_while_p = define("stateful_while", _while_kernel, _while_rule, _while_vjp,
                          multiple_results=True, effect="writes_state", replay=_replay_while,
                          doc=_DOC)

__all__ = ["while_loop"]
