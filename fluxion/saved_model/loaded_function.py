"""Functions of a loaded saved model: tracked functions and signatures.

Both run one graph (``GraphRunner``).  Called with concrete values they run the graph
compiled by the executor (optimised and fused on first use); called while a
``fluxion.function`` is being traced, or under a ``GradientTape``, they re-bind the
graph's primitives on the tensors given, so the loaded graph becomes part of the
enclosing trace and gradients flow through it (``TFSMLayer`` inside a model that is
trained or compiled).

- ``LoadedFunction``: an attribute of the loaded object (``loaded.f(x)``,
  ``loaded.serve(x)``): called as the original Python function was, it returns the
  original output structure;
- ``SignatureFunction``: an entry of ``loaded.signatures``: called with keyword
  tensors (or arrays) named as the signature's inputs, it returns a dict of output
  name to Tensor, as TensorFlow's signatures do.
"""

from __future__ import annotations

import threading

import numpy as np

from fluxion.core import context, errors, nest
from fluxion.core.primitive import bind
from fluxion.core.tensor import Tensor, convert_to_tensor, wrap
from fluxion.core.tensor_spec import TensorSpec
from fluxion.graph.ir import Graph
from fluxion.saved_model.function_record import FunctionRecord, InputLeaf, OutputLeaf

PREDICT_METHOD_NAME = "tensorflow/serving/predict"
CLASSIFY_METHOD_NAME = "tensorflow/serving/classify"
REGRESS_METHOD_NAME = "tensorflow/serving/regress"


class GraphRunner:
    """Runs one loaded graph on tensors: compiled when eager, re-bound when traced."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self._compiled = None
        self._lock = threading.Lock()

    def compiled(self):
        if self._compiled is None:
            with self._lock:
                if self._compiled is None:
                    from fluxion.graph.executor import CompiledGraph
                    from fluxion.graph.passes import optimize

                    self._compiled = CompiledGraph(optimize(self.graph))
        return self._compiled

    def run(self, tensors: list[Tensor]) -> list[Tensor]:
        if context.tracer is not None or context.tapes:
            return self._rebind(tensors)
        return [wrap(array) for array in self.compiled()(*[t._value for t in tensors])]

    def _rebind(self, tensors: list[Tensor]) -> list[Tensor]:
        """Each node bound again (so the enclosing trace or tape sees it); variables are
        read and written through their own methods, so tapes watch them."""
        env = {value.id: tensor for value, tensor in zip(self.graph.inputs, tensors)}

        def read(value):
            return wrap(value.constant) if value.is_constant else env[value.id]

        for node in self.graph.nodes:
            args = [read(value) for value in node.inputs]
            prim = node.prim
            if prim.effect == "reads_state" and "variable" in node.attrs:
                outputs = node.attrs["variable"].deref()._read_for_op()
            elif prim.effect == "writes_state" and "variable" in node.attrs:
                node.attrs["variable"].deref().assign(args[0])
                continue
            elif prim.replay is not None:  # a loop keeps its history for the tape
                outputs = prim.replay(node, args, True)
            else:
                outputs = bind(node.prim, *args, **node.attrs)
            flat = outputs if node.prim.multiple_results else (outputs,)
            for value, tensor in zip(node.outputs, flat):
                env[value.id] = tensor
        return [read(value) for value in self.graph.outputs]


def convert_input(value, spec: TensorSpec, what: str) -> Tensor:
    """``value`` as a tensor of ``spec``'s dtype and a compatible shape, or a clear error.

    A tensor must already have the dtype (TF refuses to cast it); arrays, lists and
    scalars are converted, as TensorFlow converts them.
    """
    if hasattr(value, "_read_for_op"):
        value = value._read_for_op()
    if isinstance(value, Tensor):
        if value.dtype is not spec.dtype:
            raise errors.InvalidArgumentError(
                f"{what} expects a {spec.dtype.name} tensor, got a {value.dtype.name} "
                f"tensor; cast it first (fluxion.cast)")
        tensor = value
    else:
        target = spec.dtype.np_dtype
        try:
            if isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and \
                    target.kind in "biufc":
                value = value.astype(target, copy=False)
            elif isinstance(value, list) and target.kind in "fc":
                # JSON rows from a server: one NumPy conversion (no value is lost to a
                # float dtype; integer targets take the exact path below)
                value = np.asarray(value, dtype=target)
            tensor = convert_to_tensor(value, dtype=spec.dtype)
        except (TypeError, ValueError) as error:
            raise errors.InvalidArgumentError(
                f"{what} expects {spec.dtype.name} values: {error}") from None
    shape = tuple(tensor.shape)
    expected = spec.shape.as_list()
    if len(shape) != len(expected) or any(
            e is not None and g is not None and e != g for e, g in zip(expected, shape)):
        shown = ", ".join("None" if d is None else str(d) for d in expected)
        raise errors.InvalidArgumentError(
            f"{what} expects shape ({shown}), got {list(shape)}")
    return tensor


class LoadedFunction:
    """A function restored as an attribute: ``loaded.f(*args, **kwargs)``."""

    def __init__(self, record: FunctionRecord, runner: GraphRunner | None = None):
        self.record = record
        self.name = record.name
        self._runner = runner or GraphRunner(record.graph)

    @property
    def graph(self) -> Graph:
        return self.record.graph

    @property
    def structured_input_signature(self):
        """``(args, kwargs)`` with a ``TensorSpec`` for each tensor argument."""
        return nest.map_structure(
            lambda leaf: leaf.spec if isinstance(leaf, InputLeaf) else leaf, self.record.inputs)

    @property
    def structured_outputs(self):
        outputs = self.record.graph.outputs
        return nest.map_structure(
            lambda leaf: TensorSpec(outputs[leaf.index].aval.shape,
                                    outputs[leaf.index].aval.dtype)
            if isinstance(leaf, OutputLeaf) else leaf, self.record.outputs)

    def get_concrete_function(self, *args, **kwargs) -> LoadedFunction:
        """This function (a restored function has exactly one trace)."""
        return self

    def __call__(self, *args, **kwargs):
        spec_args, spec_kwargs = self.record.inputs
        if len(args) > len(spec_args):
            raise TypeError(f"{self.name}() takes {len(spec_args)} positional arguments but "
                            f"{len(args)} were given")
        args, kwargs = list(args), dict(kwargs)
        names = self.record.parameter_names
        for position in range(len(args), len(spec_args)):
            name = names[position] if position < len(names) else None
            if name is None or name not in kwargs:
                raise TypeError(f"{self.name}() is missing argument "
                                f"{name or f'#{position}'!r}")
            args.append(kwargs.pop(name))
        unexpected = sorted(set(kwargs) - set(spec_kwargs))
        missing = sorted(set(spec_kwargs) - set(kwargs))
        if unexpected or missing:
            raise TypeError(f"{self.name}() got unexpected keyword arguments {unexpected} "
                            f"and lacks {missing}" if unexpected else
                            f"{self.name}() is missing keyword arguments {missing}")
        spec_leaves = nest.flatten((tuple(spec_args), spec_kwargs))
        given_leaves = nest.flatten((tuple(args), kwargs))
        if len(spec_leaves) != len(given_leaves):
            raise TypeError(f"{self.name}(): the arguments' structure does not match the "
                            f"saved one: {self.structured_input_signature!r}")
        tensors = [None] * len(self.record.graph.inputs)
        for spec, given in zip(spec_leaves, given_leaves):
            if isinstance(spec, InputLeaf):
                tensors[spec.index] = convert_input(
                    given, spec.spec, f"{self.name}(): argument {spec.index}")
        results = self._runner.run(tensors)
        return nest.map_structure(
            lambda leaf: results[leaf.index] if isinstance(leaf, OutputLeaf) else leaf,
            self.record.outputs)

    def __repr__(self) -> str:
        return f"<LoadedFunction {self.name}>"


class SignatureFunction:
    """A serving signature: ``fn(**named_tensors) -> {output name: Tensor}``.

    ``inputs`` and ``outputs`` are ``(name, leaf)`` pairs; ``method_name`` is the
    SignatureDef's method (``tensorflow/serving/predict`` unless declared otherwise).
    """

    def __init__(self, name: str, record: FunctionRecord, inputs: list, outputs: list,
                 method_name: str = PREDICT_METHOD_NAME, runner: GraphRunner | None = None):
        self.name = name
        self.record = record
        self.method_name = method_name
        self._inputs = list(inputs)
        self._outputs = list(outputs)
        self._runner = runner or GraphRunner(record.graph)

    @property
    def graph(self) -> Graph:
        return self.record.graph

    @property
    def structured_input_signature(self) -> tuple:
        """``((), {input name: TensorSpec(shape, dtype, name)})``, as TF's signatures."""
        return (), {name: TensorSpec(leaf.spec.shape, leaf.spec.dtype, name)
                    for name, leaf in self._inputs}

    @property
    def structured_outputs(self) -> dict:
        """``{output name: TensorSpec(shape, dtype, name)}``."""
        outputs = self.record.graph.outputs
        return {name: TensorSpec(outputs[leaf.index].aval.shape,
                                 outputs[leaf.index].aval.dtype, name)
                for name, leaf in self._outputs}

    @property
    def input_names(self) -> list[str]:
        return [name for name, _ in self._inputs]

    @property
    def output_names(self) -> list[str]:
        return [name for name, _ in self._outputs]

    def __call__(self, *args, **kwargs) -> dict:
        if args:
            # As in TF, a signature with one input also takes it positionally.
            if len(args) > 1 or len(self._inputs) != 1 or kwargs:
                raise TypeError(f"signature {self.name!r} takes keyword arguments named "
                                f"{self.input_names} (one positional argument only when it "
                                f"has a single input); got {len(args)} positional arguments")
            kwargs = {self._inputs[0][0]: args[0]}
        expected = set(self.input_names)
        missing = sorted(expected - set(kwargs))
        unexpected = sorted(set(kwargs) - expected)
        if missing or unexpected:
            raise TypeError(f"signature {self.name!r} takes the inputs {self.input_names}; "
                            f"missing {missing}, unexpected {unexpected}")
        tensors = [None] * len(self.record.graph.inputs)
        for name, leaf in self._inputs:
            tensors[leaf.index] = convert_input(
                kwargs[name], leaf.spec, f"signature {self.name!r}, input {name!r},")
        results = self._runner.run(tensors)
        return {name: results[leaf.index] for name, leaf in self._outputs}

    def __repr__(self) -> str:
        return (f"<SignatureFunction {self.name}({', '.join(self.input_names)}) -> "
                f"{self.output_names}>")
