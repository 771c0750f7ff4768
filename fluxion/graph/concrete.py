"""``ConcreteFunction``: one trace of a function: its graph, compiled, and how to call it.

``trace_concrete`` runs the Python function once on symbolic inputs built from a
signature spec, collects the outputs (tensors become graph outputs; other Python
values are returned as they are), optimises and compiles the graph.
"""

from __future__ import annotations

import time

import numpy as np

from fluxion.core import dtypes, nest
from fluxion.core.primitive import Aval
from fluxion.core.tensor import Tensor, convert_to_tensor, wrap
from fluxion.graph import signature as sig
from fluxion.graph.executor import CompiledGraph
from fluxion.graph.ir import Graph
from fluxion.graph.passes import optimize
from fluxion.graph.tracer import Tracer, tracing

_OUTPUT = object()  # marks a tensor output's place in the output structure

# Callables told of every ConcreteFunction call (``fluxion.summary.trace_on`` adds one);
# empty, it costs one truthiness test per call.
call_observers: list = []


class ConcreteFunction:
    """A traced, optimised and compiled function for one input signature."""

    def __init__(self, name: str, raw_graph: Graph, graph: Graph, structured_outputs,
                 input_positions: list[int], trace_seconds: float):
        self.name = name
        self.raw_graph = raw_graph
        self.graph = graph
        self.structured_outputs = structured_outputs
        self._input_positions = input_positions  # which flat leaves feed graph inputs
        self._compiled = CompiledGraph(graph)
        self.trace_seconds = trace_seconds
        # The call's (args, kwargs) with a TensorSpec (named when the input_signature
        # named it) per graph input, other leaves as given; and the Python function's
        # parameter names (set by Function).  fluxion.saved_model names inputs from them.
        self.input_specs = None
        self.parameter_names: list[str] | None = None

    def call_structured(self, structure):
        leaves = nest.flatten(structure)
        arrays = [_as_array(leaves[i], value.aval.dtype)
                  for i, value in zip(self._input_positions, self.graph.inputs)]
        return self.call_flat_arrays(arrays)

    def call_flat_arrays(self, arrays):
        if call_observers:
            for observer in list(call_observers):
                observer(self)
        outputs = self._compiled(*arrays)
        if self.structured_outputs is _OUTPUT:
            return wrap(outputs[0])
        flat = iter(outputs)
        leaves = [wrap(next(flat)) if leaf is _OUTPUT else leaf
                  for leaf in nest.flatten(self.structured_outputs)]
        return nest.pack_sequence_as(self.structured_outputs, leaves)

    def __call__(self, *args, **kwargs):
        return self.call_structured((args, kwargs))

    @property
    def inputs(self) -> list:
        return list(self.graph.inputs)

    @property
    def structured_input_signature(self):
        return [TensorSpecView(v.aval) for v in self.graph.inputs]

    def python_source(self) -> str:
        return self._compiled.python_source()

    def __repr__(self) -> str:
        return f"<ConcreteFunction {self.name} ({len(self.graph.nodes)} nodes)>"


class TensorSpecView:
    def __init__(self, aval: Aval):
        from fluxion.core.tensor_spec import TensorSpec

        self.spec = TensorSpec(aval.shape, aval.dtype)

    def __repr__(self) -> str:
        return repr(self.spec)


def _as_array(value, dtype) -> np.ndarray:
    if type(value) is Tensor:
        return value._value
    if isinstance(value, np.ndarray) and value.dtype == dtype.np_dtype:
        return value
    return convert_to_tensor(value, dtype=dtype)._value


def trace_concrete(python_function, structure, spec, name: str,
                   allow_variable_creation: bool) -> ConcreteFunction:
    """Traces ``python_function`` on inputs shaped by ``spec``; returns the compiled trace.

    ``structure`` is ``(args, kwargs)``; ``spec`` is a signature key of the same shape.
    """
    started = time.perf_counter()
    tracer = Tracer(Graph(name=name), allow_variable_creation=allow_variable_creation)
    leaves = nest.flatten(structure)
    symbolic_leaves, positions = [], []
    for index, (leaf, leaf_spec) in enumerate(zip(leaves, spec[1])):
        if isinstance(leaf_spec, sig.TensorLeaf):
            aval = Aval(tuple(leaf_spec.shape), dtypes.from_numpy(np.dtype(leaf_spec.dtype)))
            symbolic_leaves.append(tracer.add_input(aval, name=f"arg{index}"))
            positions.append(index)
        else:
            symbolic_leaves.append(leaf)
    arguments = nest.pack_sequence_as(structure, symbolic_leaves)
    with tracing(tracer):
        result = python_function(*arguments[0], **arguments[1])
        # Returned variables are read while the tracer is installed, so the graph reads
        # them (after the function's own assignments) on every call; read after the
        # trace they would be frozen as constants of their value at trace time.
        structured = _collect_outputs(tracer, result, tracer.graph)
    graph = tracer.graph
    optimized = optimize(graph)
    concrete = ConcreteFunction(name, graph, optimized, structured, positions,
                                time.perf_counter() - started)
    concrete.input_specs = nest.pack_sequence_as(structure, [
        _spec_of(leaf, leaf_spec) for leaf, leaf_spec in zip(leaves, spec[1])])
    return concrete


def _spec_of(leaf, leaf_spec):
    """A traced argument's TensorSpec (keeping an input_signature's name), else the leaf."""
    from fluxion.core.tensor_spec import TensorSpec

    if not isinstance(leaf_spec, sig.TensorLeaf):
        return leaf
    return TensorSpec(leaf_spec.shape, dtypes.from_numpy(np.dtype(leaf_spec.dtype)),
                      leaf.name if isinstance(leaf, TensorSpec) else None)


def _collect_outputs(tracer: Tracer, result, graph: Graph):
    def output(leaf):
        if hasattr(leaf, "_read_for_op"):
            leaf = leaf._read_for_op()
        if isinstance(leaf, Tensor):
            graph.outputs.append(tracer.value_of(leaf))
            return _OUTPUT
        return leaf

    if isinstance(result, Tensor) or hasattr(result, "_read_for_op"):
        output(result)
        return _OUTPUT
    return nest.map_structure(output, result) if nest.is_nested(result) else output(result)
