"""The tracer: the second interpretation of ``bind``, which builds a graph.

While a tracer is installed in ``fluxion.core.context``, ``bind`` hands it every primitive
application.  Applications whose inputs are all concrete (eager) tensors and which
have no side effects simply run, as in eager mode; the others become graph nodes whose
output shapes come from the primitive's shape rule, and return ``SymbolicTensor`` s.

Variables: the first read of a variable in a trace adds a ``read_variable`` node;
assignments add ``assign_variable`` nodes.  A function tracer forwards assigned values
to later reads (SSA), so code inside ``fluxion.function`` sees its own writes in order;
a TF1 graph builder does not, as TF1 graphs have no implicit ordering.
"""

from __future__ import annotations

import contextlib

from fluxion.core import context, errors
from fluxion.core.primitive import Aval, Primitive
from fluxion.core.primitives.state import assign_variable_p, read_variable_p
from fluxion.core.tensor import Tensor, TensorRef, wrap
from fluxion.graph.ir import Graph, Node, Value, constant_value
from fluxion.graph.symbolic import SymbolicTensor


class Tracer:
    """Builds ``graph`` from the primitive applications made while it is installed."""

    def __init__(self, graph: Graph, *, forward_assignments: bool = True,
                 allow_variable_creation: bool = True):
        self.graph = graph
        self.forward_assignments = forward_assignments
        self.allow_variable_creation = allow_variable_creation
        self._constants: dict[int, tuple] = {}  # id(tensor) -> (tensor, Value)
        self._reads: dict[int, Value] = {}  # id(variable) -> value of its read node
        self._current: dict[int, Value] = {}  # id(variable) -> latest assigned value
        self.created_variables: list = []

    # --- values ------------------------------------------------------------------------------
    def value_of(self, tensor: Tensor) -> Value:
        """The graph value for ``tensor``: its own if symbolic, else a captured constant."""
        if isinstance(tensor, SymbolicTensor):
            if tensor._builder is not self:
                raise errors.op_error(
                    errors.InvalidArgumentError, "trace",
                    f"{tensor.name} belongs to another graph; a tensor from one traced "
                    f"function or TF1 graph cannot be used in another.")
            return tensor._graph_value
        entry = self._constants.get(id(tensor))
        if entry is None:
            entry = (tensor, constant_value(tensor._value))
            self._constants[id(tensor)] = entry
        return entry[1]

    def symbolic(self, value: Value) -> SymbolicTensor:
        return SymbolicTensor(value, self)

    def add_input(self, aval: Aval, name: str | None = None) -> SymbolicTensor:
        value = Value(aval, name=name)
        self.graph.inputs.append(value)
        return self.symbolic(value)

    # --- the bind interpretation ---------------------------------------------------------------
    def bind(self, prim: Primitive, args: tuple, attrs: dict):
        if not prim.stateful and not any(isinstance(a, SymbolicTensor) for a in args):
            return _run_eagerly(prim, args, attrs)
        inputs = [self.value_of(a) for a in args]
        try:
            out_avals = prim.shape_rule(*[v.aval for v in inputs], **attrs)
        except (ValueError, TypeError, IndexError) as error:
            kind = TypeError if isinstance(error, TypeError) else errors.InvalidArgumentError
            raise errors.op_error(kind, prim.name, str(error)) from None
        flat_avals = out_avals if prim.multiple_results else (out_avals,)
        outputs = [Value(aval) for aval in flat_avals]
        node = Node(prim, inputs, dict(attrs), outputs,
                    ("/".join(context.name_scopes), errors.user_location()))
        for value in outputs:
            value.producer = node
        self.graph.nodes.append(node)
        results = tuple(self.symbolic(v) for v in outputs)
        return results if prim.multiple_results else results[0]

    # --- variables -------------------------------------------------------------------------------
    def read_variable(self, variable) -> SymbolicTensor:
        key = id(variable)
        if self.forward_assignments and key in self._current:
            return self.symbolic(self._current[key])
        value = self._reads.get(key)
        if value is None:
            value = self.bind(read_variable_p, (), {"variable": TensorRef(variable)})._graph_value
            self._reads[key] = value
        return self.symbolic(value)  # a fresh wrapper per read: tapes count reads apart

    def assign_variable(self, variable, tensor: Tensor) -> None:
        value = self.value_of(tensor)
        if not variable._shape.is_compatible_with(value.aval.shape):
            raise ValueError(
                f"Cannot assign a value of shape {list(value.aval.shape)} to variable "
                f"'{variable.name}' of shape {variable._shape}")
        self.bind(assign_variable_p, (self.symbolic(value),), {"variable": TensorRef(variable)})
        if self.forward_assignments:
            self._current[id(variable)] = value

    def on_variable_created(self, variable) -> None:
        if not self.allow_variable_creation:
            raise ValueError(
                f"fluxion.function tried to create variable '{variable.name}' on a call "
                f"after the first trace (at {errors.user_location()}). As in TensorFlow, a "
                f"traced function may create variables only on its first trace: create "
                f"them outside the function, or once (e.g. `if self.v is None:`).")
        self.created_variables.append(variable)


def _run_eagerly(prim: Primitive, args: tuple, attrs: dict):
    from fluxion.core.primitive import kernel_error

    try:
        result = prim.impl(*[a._value for a in args], **attrs)
    except Exception as error:  # noqa: BLE001 - re-raised with the op's context
        raise kernel_error(prim, args, attrs, error) from None
    if prim.multiple_results:
        return tuple(wrap(r) for r in result)
    return wrap(result)


@contextlib.contextmanager
def tracing(tracer: Tracer):
    """Installs ``tracer`` for the duration of the block (tracers nest)."""
    saved = context.tracer
    context.tracer = tracer
    try:
        yield tracer
    finally:
        context.tracer = saved
