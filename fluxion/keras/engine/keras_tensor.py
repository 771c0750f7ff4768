"""``KerasTensor`` and the symbolic layer call behind the functional API.

``keras.Input(shape)`` gives a ``KerasTensor``: a shape (batch dimension None), a dtype
and its history (the layer and node that made it).  Calling a layer on KerasTensors
builds the layer, finds the output shapes by tracing ``call`` on symbolic tensors (no
kernel runs on dummy data: shapes come from the primitives' shape rules), and records
a ``Node`` linking inputs to outputs.  A functional ``Model`` replays those nodes.
"""

from __future__ import annotations

import importlib
import inspect

import numpy as np

from fluxion.core import dtypes, nest
from fluxion.core.primitive import Aval
from fluxion.graph.ir import Graph
from fluxion.graph.symbolic import SymbolicTensor
from fluxion.graph.tracer import Tracer, tracing

# ``dispatch(op_name, args)``: how operators on KerasTensors build model nodes.  keras.ops
# is built on this module, so it installs the dispatch when imported
# (``keras/ops/__init__.py``); a KerasTensor used first loads keras.ops by name.
_operator_dispatch = None


def install_operator_dispatch(dispatch) -> None:
    """Makes ``x + y`` (and ``-x``, ``x[key]``...) on KerasTensors call
    ``dispatch(op_name, args)``."""
    global _operator_dispatch
    _operator_dispatch = dispatch


class KerasTensor:
    """A symbolic tensor of the functional API: shape, dtype and where it came from."""

    def __init__(self, shape, dtype="float32", sparse: bool = False, name: str | None = None,
                 history=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtypes.as_dtype(dtype).name
        self.sparse = sparse
        self.name = name
        self._keras_history = history  # (layer, node_index, tensor_index)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return (f"<KerasTensor shape={self.shape}, dtype={self.dtype}, sparse={self.sparse}, "
                f"name={self.name}>")

    def __bool__(self):
        raise TypeError("A KerasTensor is symbolic: it has no truth value. Use it as the "
                        "input of layers to build a functional model.")

    def __hash__(self) -> int:
        return id(self)

    # Python operators apply the keras.ops function Keras applies (``x + y`` is
    # ``ops.add``), as a node of the functional model that serializes as Keras's does.
    def _op(self, op_name: str, *args):
        if _operator_dispatch is None:  # keras.ops installs it when imported
            importlib.import_module("fluxion.keras.ops")
        return _operator_dispatch(op_name, args)

    def __add__(self, other):
        return self._op("add", self, other)

    def __radd__(self, other):
        return self._op("add", other, self)

    def __sub__(self, other):
        return self._op("subtract", self, other)

    def __rsub__(self, other):
        return self._op("subtract", other, self)

    def __mul__(self, other):
        return self._op("multiply", self, other)

    def __rmul__(self, other):
        return self._op("multiply", other, self)

    def __truediv__(self, other):
        return self._op("true_divide", self, other)

    def __rtruediv__(self, other):
        return self._op("true_divide", other, self)

    def __matmul__(self, other):
        return self._op("matmul", self, other)

    def __rmatmul__(self, other):
        return self._op("matmul", other, self)

    def __neg__(self):
        return self._op("negative", self)

    def __pow__(self, other):
        return self._op("power", self, other)

    def __rpow__(self, other):
        return self._op("power", other, self)

    def __getitem__(self, key):
        return self._op("get_item", self, key)


class Node:
    """One symbolic call: ``outputs = layer(*args, **kwargs)`` on KerasTensors."""

    def __init__(self, layer, args: tuple, kwargs: dict, outputs):
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs
        self.input_tensors = [t for t in nest.flatten((args, kwargs))
                              if isinstance(t, KerasTensor)]

    @property
    def is_input(self) -> bool:
        return not self.input_tensors


def any_keras_tensor(args, kwargs) -> bool:
    for leaf in nest.flatten((args, kwargs)):
        if isinstance(leaf, KerasTensor):
            return True
    return False


def first_input_name(layer) -> str:
    """The name of ``call``'s first argument: the inputs when a layer is called by keyword."""
    for name, parameter in layer._call_signature.parameters.items():
        if parameter.kind in (inspect.Parameter.POSITIONAL_ONLY,
                              inspect.Parameter.POSITIONAL_OR_KEYWORD):
            return name
        break
    return "inputs"


def symbolic_call(layer, args: tuple, kwargs: dict):
    """Calls ``layer`` on KerasTensors: builds it, computes output specs, records a Node."""
    if args:
        inputs = args[0]
    else:
        inputs = kwargs.get(first_input_name(layer))
    if not layer.built:
        shapes = nest.map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else None,
                                    inputs) if nest.is_nested(inputs) else \
            getattr(inputs, "shape", None)  # None: a constant operand (2.0 - x)
        layer._maybe_build(shapes)
    spec = layer.compute_output_spec(*args, **kwargs)
    node_index = len(layer._inbound_nodes)
    flat = nest.flatten(spec)
    outputs = [KerasTensor(s.shape, s.dtype, name=f"{layer.name}_{node_index}_{i}",
                           history=(layer, node_index, i)) for i, s in enumerate(flat)]
    structured = nest.pack_sequence_as(spec, outputs) if nest.is_nested(spec) else outputs[0]
    layer._inbound_nodes.append(Node(layer, args, kwargs, structured))
    return structured


def trace_output_spec(layer, args: tuple, kwargs: dict):
    """Output KerasTensors of ``layer(*args, **kwargs)`` by tracing on symbolic inputs."""
    tracer = Tracer(Graph(name=f"{layer.name}_spec"))

    def to_symbolic(leaf):
        if isinstance(leaf, KerasTensor):
            return tracer.add_input(Aval(leaf.shape, dtypes.as_dtype(leaf.dtype)))
        return leaf

    symbolic_args = nest.map_structure(to_symbolic, (list(args), kwargs))
    saved_losses = _snapshot_losses(layer)
    try:
        with tracing(tracer):
            outputs = layer(*symbolic_args[0], **symbolic_args[1])
    finally:
        _restore_losses(layer, saved_losses)

    def to_keras(leaf):
        if isinstance(leaf, SymbolicTensor) or hasattr(leaf, "shape"):
            return KerasTensor(tuple(leaf.shape), leaf.dtype)
        return leaf

    return nest.map_structure(to_keras, outputs) if nest.is_nested(outputs) \
        else to_keras(outputs)


def output_spec_for_shapes(layer, input_shape):
    """Output specs of ``layer`` for a (possibly nested) input shape, batch included."""
    def spec(shape):
        return KerasTensor(shape, layer.compute_dtype)

    is_shape = isinstance(input_shape, (tuple, list)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in input_shape)
    inputs = spec(tuple(input_shape)) if is_shape else _map_shapes(
        spec, _shapes_as_tuples(input_shape))
    if not layer.built:
        layer._maybe_build(input_shape if is_shape else _shapes_as_tuples(input_shape))
    return trace_output_spec(layer, (inputs,), {})


def _is_one_shape(shape) -> bool:
    return isinstance(shape, tuple) and all(
        d is None or isinstance(d, (int, np.integer)) for d in shape)


def _map_shapes(func, shapes):
    """``func`` on each shape of a nested structure whose leaves are shape tuples."""
    if shapes is None:
        return None
    if _is_one_shape(shapes):
        return func(shapes)
    if isinstance(shapes, dict):
        return {k: _map_shapes(func, v) for k, v in shapes.items()}
    return type(shapes)(_map_shapes(func, s) for s in shapes)


def _shapes_as_tuples(shapes):
    if shapes is None:
        return None
    if isinstance(shapes, dict):
        return {k: _shapes_as_tuples(v) for k, v in shapes.items()}
    if isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], (list, tuple)):
        return [_shapes_as_tuples(s) for s in shapes]
    return tuple(shapes)


def _snapshot_losses(layer) -> list:
    layers = [layer]
    snapshot = []
    while layers:
        current = layers.pop()
        snapshot.append((current, list(current._losses)))
        layers.extend(current._layers)
    return snapshot


def _restore_losses(layer, snapshot: list) -> None:
    for current, losses in snapshot:
        current._losses = losses
