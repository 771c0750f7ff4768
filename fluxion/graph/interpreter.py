"""Sub-graphs of control flow: traced from Python functions, run compiled, re-interpreted.

``cond`` and ``while_loop`` hold their branches (loop condition, loop body) as nested
graphs.  This module provides the three conversions they need:

- **tracing** (``trace_subgraph``): a Python function becomes a ``Graph`` through a
  ``SubTracer``, a tracer nested in the one building the enclosing graph.  The graph's
  inputs are the explicit arguments (loop variables) followed by everything the
  function uses from outside: *captures* (outer symbolic tensors the function closes
  over) and *variable reads*.  Variable writes are not emitted as nodes: the sub-tracer
  keeps them as SSA values, and the control-flow op turns them into extra outputs that
  the enclosing graph assigns (so ``assign`` inside a branch or a loop body works);
- **running** (``SubGraph``): the graph compiled once by the executor and called with
  arrays from a primitive's kernel.  ``SubGraph`` is hashed by identity, so it can be a
  primitive attribute;
- **re-interpretation** (``evaluate``): each node's primitive is bound again on tensors,
  so a GradientTape sees the sub-graph's operations.  ``graph_vjp`` uses it to express
  the gradient of a sub-graph in Fluxion ops, which is how the VJP rules of ``cond`` and
  ``while`` are built, and why they are differentiable again.
"""

from __future__ import annotations

from collections.abc import Callable

from fluxion.core import context, nest
from fluxion.core.primitive import Aval, bind
from fluxion.core.tensor import Tensor, TensorRef, convert_to_tensor, shape_tuple, wrap
from fluxion.graph.executor import CompiledGraph, propagate_shapes
from fluxion.graph.ir import Graph, Value
from fluxion.graph.symbolic import SymbolicTensor
from fluxion.graph.tracer import Tracer, tracing

NONE_LEAF = object()  # marks a None leaf in a traced function's output structure


class SubGraph:
    """A nested graph as a primitive attribute: hashed by identity, compiled on first use.

    ``graph`` keeps the traced primitives (only pruned), so re-interpretation and VJPs
    see ops that have gradient rules; the executor runs an optimised copy (fused...).
    """

    __slots__ = ("graph", "_compiled", "__weakref__")

    def __init__(self, graph: Graph):
        self.graph = graph
        self._compiled = None

    def __call__(self, *arrays) -> tuple:
        if self._compiled is None:
            from fluxion.graph.passes import optimize

            self._compiled = CompiledGraph(optimize(self.graph))
        return self._compiled(*arrays)

    @property
    def stateful(self) -> bool:
        return any(node.prim.stateful for node in self.graph.nodes)

    def input_avals(self) -> list[Aval]:
        return [value.aval for value in self.graph.inputs]

    def output_avals(self, input_avals=None) -> list[Aval]:
        """The outputs' avals; with ``input_avals``, propagated from those (more specific)."""
        if input_avals is None:
            return [value.aval for value in self.graph.outputs]
        avals = propagate_shapes(self.graph, [a.shape for a in input_avals])
        return [avals.get(value.id, value.aval) for value in self.graph.outputs]

    def __repr__(self) -> str:
        return f"<{self.graph.name}: {len(self.graph.nodes)} nodes>"


# --- tracing ---------------------------------------------------------------------------------
class SubTracer(Tracer):
    """Traces a branch or loop body inside the graph that ``parent`` is building.

    Outer symbolic tensors become graph inputs (``captures``); each variable read
    becomes one graph input (``variable_inputs``); assignments are kept as SSA values
    (``assigned``) for the enclosing control-flow op to return and assign.
    """

    def __init__(self, parent: Tracer, name: str):
        super().__init__(Graph(name=name), forward_assignments=True)
        self.parent = parent
        self.captures: dict = {}  # outer value id (or concrete key) -> (tensor, input)
        self.variable_inputs: dict[int, tuple[object, Value]] = {}  # id(var) -> (var, input)
        self.assigned: dict[int, object] = {}  # id(var) -> var, in assignment order
        self.outer_tapes: list = list(context.tapes)  # the tapes suspended while tracing

    def _is_ancestor(self, builder) -> bool:
        tracer = self.parent
        while tracer is not None:
            if tracer is builder:
                return True
            tracer = getattr(tracer, "parent", None)
        return False

    def value_of(self, tensor: Tensor) -> Value:
        if isinstance(tensor, SymbolicTensor):
            if tensor._builder is self or not self._is_ancestor(tensor._builder):
                return super().value_of(tensor)
            key = tensor._graph_value.id
        elif self._watched_outside(tensor):
            # A concrete tensor an outer tape watches must stay an operand of the
            # control-flow node (not a constant in it), or the tape loses its gradient.
            key = ("concrete", id(tensor))
        else:
            return super().value_of(tensor)
        entry = self.captures.get(key)
        if entry is None:
            aval = Aval(tuple(shape_tuple(tensor)), tensor.dtype)
            entry = (tensor, Value(aval, name="captured"))
            self.captures[key] = entry
            self.graph.inputs.append(entry[1])
        return entry[1]

    def _watched_outside(self, tensor: Tensor) -> bool:
        tracer = self
        while isinstance(tracer, SubTracer):
            for tape in tracer.outer_tapes:
                if id(tensor) in tape._watched:
                    return True
            tracer = tracer.parent
        return False

    def read_variable(self, variable) -> SymbolicTensor:
        key = id(variable)
        if key in self._current:
            return self.symbolic(self._current[key])
        entry = self.variable_inputs.get(key)
        if entry is None:
            from fluxion.core.primitives.state import read_variable_p

            aval = read_variable_p.shape_rule(variable=TensorRef(variable))
            entry = (variable, Value(aval, name=variable.name.split(":")[0]))
            self.variable_inputs[key] = entry
            self.graph.inputs.append(entry[1])
        return self.symbolic(entry[1])

    def assign_variable(self, variable, tensor: Tensor) -> None:
        value = self.value_of(tensor)
        if not variable._shape.is_compatible_with(value.aval.shape):
            raise ValueError(
                f"Cannot assign a value of shape {list(value.aval.shape)} to variable "
                f"'{variable.name}' of shape {variable._shape}")
        self._current[id(variable)] = value
        self.assigned[id(variable)] = variable

    def on_variable_created(self, variable) -> None:
        # Variables are created eagerly at trace time; the enclosing trace decides
        # whether that is allowed (only on a function's first trace).
        notify = getattr(self.parent, "on_variable_created", None)
        if notify is not None:
            notify(variable)

    def external_keys(self) -> list[tuple]:
        """What this graph takes from outside, keyed so two sub-graphs' sets can be merged."""
        keys = [("tensor", key) for key in self.captures]
        keys += [("variable", key) for key in self.variable_inputs]
        return keys

    def external_input(self, key: tuple) -> Value | None:
        kind, ident = key
        table = self.captures if kind == "tensor" else self.variable_inputs
        entry = table.get(ident)
        return None if entry is None else entry[1]


class Trace:
    """The result of tracing one function: its tracer, graph, and output structure."""

    def __init__(self, tracer: SubTracer, explicit: list[Value], structure, outputs: list):
        self.tracer = tracer
        self.graph = tracer.graph
        self.explicit = explicit  # the inputs standing for the function's arguments
        self.structure = structure  # the output nest, leaves: Value or NONE_LEAF
        self.outputs = outputs  # the flat output Values (no None leaves)


def trace_subgraph(fn: Callable, arg_avals: list[Aval], pack: Callable, name: str,
                   what: str) -> Trace:
    """Traces ``fn(*pack(placeholders))`` into a nested graph of the active tracer.

    Outer tapes are suspended while tracing: the control-flow node as a whole is what
    they record.  ``what`` names the function in errors ("true_fn", "body"...).
    """
    tracer = SubTracer(context.tracer, name)
    explicit = [Value(aval, name=f"{name}_arg{i}") for i, aval in enumerate(arg_avals)]
    tracer.graph.inputs.extend(explicit)
    saved_tapes = context.tapes
    context.tapes = []
    try:
        with tracing(tracer):
            args = pack([tracer.symbolic(value) for value in explicit])
            result = fn(*args)
            outputs: list[Value] = []

            def output(leaf):
                if leaf is None:
                    return NONE_LEAF
                try:
                    tensor = convert_to_tensor(leaf)
                except (TypeError, ValueError) as error:
                    raise TypeError(f"{what} must return tensors (or nests of them), got "
                                    f"{type(leaf).__name__}: {error}") from None
                outputs.append(tracer.value_of(tensor))
                return outputs[-1]

            structure = nest.map_structure(output, result) if nest.is_nested(result) \
                else output(result)
    finally:
        context.tapes = saved_tapes
    return Trace(tracer, explicit, structure, outputs)


def external_tensors(traces: list[Trace]) -> tuple[list[tuple], list[Tensor]]:
    """The merged external keys of several traces, and the outer tensor for each key.

    Variable keys are read now, in the enclosing context, so outer tapes and tracers see
    an ordinary read at the point the control-flow op runs.
    """
    keys: list[tuple] = []
    for trace in traces:
        for key in trace.tracer.external_keys():
            if key not in keys:
                keys.append(key)
    tensors = []
    for key in keys:
        for trace in traces:
            tracer = trace.tracer
            if key[0] == "tensor" and key[1] in tracer.captures:
                tensors.append(tracer.captures[key[1]][0])
                break
            if key[0] == "variable" and key[1] in tracer.variable_inputs:
                tensors.append(tracer.variable_inputs[key[1]][0]._read_for_op())
                break
    return keys, tensors


def seal(trace: Trace, leading: list[Value], keys: list[tuple], tensors: list[Tensor],
         outputs: list[Value]) -> SubGraph:
    """Fixes a trace's graph inputs to ``leading + [one per key]`` and its outputs.

    ``tensors`` are the outer tensors of ``keys`` (``external_tensors``).  A key the
    trace does not use gets an unused input, so every branch of one op takes the same
    operands.  The graph is pruned of dead nodes.
    """
    from fluxion.graph.passes.prune import prune

    graph = trace.graph
    inputs = list(leading)
    for key, tensor in zip(keys, tensors):
        value = trace.tracer.external_input(key)
        if value is None:
            value = Value(Aval(shape_tuple(tensor), tensor.dtype), name="unused")
        inputs.append(value)
    graph.inputs = inputs
    graph.outputs = list(outputs)
    return SubGraph(prune(graph))


def pack_outputs(structure, tensors: list):
    """Rebuilds a trace's output structure with ``tensors`` in place of its values."""
    flat = iter(tensors)
    if not nest.is_nested(structure):
        return None if structure is NONE_LEAF else next(flat)
    leaves = [None if leaf is NONE_LEAF else next(flat) for leaf in nest.flatten(structure)]
    return nest.pack_sequence_as(structure, leaves)


# --- re-interpretation -----------------------------------------------------------------------
def evaluate(graph: Graph, operands: list[Tensor], replay_effects: bool = False) -> list[Tensor]:
    """Runs ``graph`` on tensors by binding each node's primitive again.

    Under a tracer this re-traces the graph into the current one; under a tape it is
    recorded.  A primitive with a ``replay`` hook re-runs its own way (a loop keeps its
    history for the tape; ``print`` stays silent unless ``replay_effects``: a gradient
    pass recomputes a branch and should not print twice).
    """
    env: dict[int, Tensor] = {value.id: tensor for value, tensor in zip(graph.inputs, operands)}

    def read(value: Value) -> Tensor:
        if value.is_constant:
            return wrap(value.constant)
        return env[value.id]

    for node in graph.nodes:
        args = [read(value) for value in node.inputs]
        replay = node.prim.replay
        if replay is not None:
            outputs = replay(node, args, replay_effects)
        else:
            outputs = bind(node.prim, *args, **node.attrs)
        flat = outputs if node.prim.multiple_results else (outputs,)
        for value, tensor in zip(node.outputs, flat):
            env[value.id] = tensor
    return [read(value) for value in graph.outputs]


def graph_vjp(graph: Graph, operands: list[Tensor], wrt: list[int], of: list[int],
              cotangents: list[Tensor]) -> list[Tensor]:
    """Cotangents of ``operands[wrt]`` for the outputs ``of`` weighted by ``cotangents``.

    Re-evaluates ``graph`` under a GradientTape, so the result is written in Fluxion ops
    (and lands in the graph being traced, if any).  Unconnected sources get zeros.
    """
    from fluxion.core.tape import GradientTape, UnconnectedGradients

    # Fresh wrappers: a tensor passed at two positions must be two leaves for the tape.
    leaves = [_alias(t) for t in operands]
    with GradientTape(watch_accessed_variables=False) as tape:
        for index in wrt:
            tape.watch(leaves[index])
        outputs = evaluate(graph, leaves)
    targets = [outputs[j] for j in of]
    return tape.gradient(targets, [leaves[i] for i in wrt], output_gradients=cotangents,
                         unconnected_gradients=UnconnectedGradients.ZERO)


def _alias(tensor: Tensor) -> Tensor:
    """A new tensor object for the same value.  A symbolic one is first captured by the
    active tracer, so the capture records the original (which outer tapes know)."""
    if isinstance(tensor, SymbolicTensor):
        tracer = context.tracer
        return tracer.symbolic(tracer.value_of(tensor))
    return Tensor(tensor._value)
