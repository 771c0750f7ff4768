"""Lowering: a traced Fluxion graph becomes a ``LiteGraph`` of TFLite builtin operators.

The walk (``fluxion.graph.export_lowering``, shared with the ONNX exporter) computes
nodes whose inputs are all known at conversion time and hands every other node to the
mapping in its primitive record's export slot, ``primitive.export["tflite"]``,
registered by the modules of ``fluxion.lite.mappings``.  A mapping is ``lower(ctx, node)`` returning the
``LiteTensor`` (or a tuple, one per output) that holds the node's result, or a NumPy
array when the result is known at conversion time (a variable read: the file stores
the variable's value); it emits operators through ``ctx``.

Fusions TFLite has (a bias add, a batch-norm scale, a ReLU folded into the
FULLY_CONNECTED or CONV_2D before it) are peepholes in the mappings: a mapping looks at
the operator that produced its input (``ctx.fusable_producer``) and, when that value
has no other reader, amends the operator instead of emitting a new one.  A peephole
may also replace a whole composed function (GELU's ``erf`` chain) by one operator: a
node that cannot be lowered is an error only when something the model returns needs
it, so the pieces of such a chain need no mappings of their own.
"""

from __future__ import annotations

import numpy as np

from fluxion.graph import export_lowering
from fluxion.lite.model_ir import LiteGraph, LiteOp, LiteTensor


class UnsupportedOperationError(ValueError):
    """A primitive of the traced model has no TFLite mapping (or one it cannot apply)."""

    def __init__(self, message: str, primitive: str | None = None, layer: str | None = None):
        super().__init__(message)
        self.primitive = primitive
        self.layer = layer


class LoweringContext(export_lowering.LoweringContext):
    """What a mapping sees: the node being lowered, and the graph being built."""

    def __init__(self, graph: LiteGraph, uses: dict, outputs: set):
        super().__init__("TFLite conversion", "tflite",
                         "has no TFLite builtin mapping. Remove it from the exported "
                         "function, or compute it outside the model.",
                         UnsupportedOperationError)
        self.graph = graph
        self._tensors: dict[int, LiteTensor] = {}  # Fluxion value id -> tensor
        self._producers: dict[int, LiteOp] = {}  # id(tensor) -> op computing it
        self._uses = uses  # Fluxion value id -> number of readers
        self._graph_outputs = outputs  # ids of values the function returns

    # --- values ---------------------------------------------------------------------------
    def tensor(self, value) -> LiteTensor:
        """The tensor holding ``value`` (a constant tensor for known arrays)."""
        self.check_available(value)
        tensor = self._tensors.get(value.id)
        if tensor is None:
            array = self.array(value)
            if array is None:
                raise KeyError(f"value {value!r} has not been lowered")
            tensor = self.graph.constant(self.hint("const"), array)
            self._tensors[value.id] = tensor
        return tensor

    def inputs(self) -> list:
        return [self.tensor(v) for v in self.node.inputs]

    def output(self, position: int = 0, hint: str = "", dtype=None) -> LiteTensor:
        """A new tensor shaped like the node's output ``position``."""
        value = self.node.outputs[position]
        return self.graph.tensor(self.hint(hint), value.aval.shape,
                                 dtype or value.aval.dtype.np_dtype, source=value)

    def emit(self, opcode: str, inputs: list, outputs: list, options=None) -> LiteOp:
        op = self.graph.add_op(opcode, inputs, outputs, options, self.layer)
        for tensor in outputs:
            self._producers[id(tensor)] = op
        return op

    def producer(self, tensor: LiteTensor) -> LiteOp | None:
        return self._producers.get(id(tensor))

    def fusable_producer(self, value, *opcodes: str) -> LiteOp | None:
        """The operator computing ``value`` when it is one of ``opcodes``, ``value`` is its
        first output and nothing else reads ``value``: a fusion may then amend it."""
        if self.uses(value) != 1 or value.id in self._graph_outputs:
            return None
        tensor = self._tensors.get(value.id)
        op = self._producers.get(id(tensor)) if tensor is not None else None
        if op is None or op.opcode not in opcodes or op.outputs[0] is not tensor:
            return None
        return op

    def uses(self, value) -> int:
        """How many readers ``value`` has in the traced graph (returning it counts)."""
        return self._uses.get(value.id, 0)

    # --- bookkeeping by the walk -------------------------------------------------------------
    def _bind(self, value, tensor: LiteTensor) -> None:
        self._tensors[value.id] = tensor

    def bind_output(self, node, value, result) -> None:
        if isinstance(result, np.ndarray):  # known at conversion time (a variable's value)
            self._know(value, result)
        elif result is not None:
            self._bind(value, result)


def lower_graph(graph, input_names: list[str], output_names: list[str]) -> LiteGraph:
    """The ``LiteGraph`` computing ``graph`` (a traced ``fluxion.graph.ir.Graph``)."""
    from fluxion.lite import mappings

    mappings.register_all()
    lite = LiteGraph(graph.name)
    uses: dict[int, int] = {}
    for node in graph.nodes:
        for value in node.inputs:
            uses[value.id] = uses.get(value.id, 0) + 1
    outputs = {v.id for v in graph.outputs}
    for value in graph.outputs:
        uses[value.id] = uses.get(value.id, 0) + 1
    ctx = LoweringContext(lite, uses, outputs)
    for value, name in zip(graph.inputs, input_names):
        tensor = lite.tensor(name, value.aval.shape, value.aval.dtype.np_dtype, source=value)
        lite.inputs.append(tensor)
        ctx._bind(value, tensor)
    export_lowering.lower_nodes(ctx, graph)
    for value, name in zip(graph.outputs, output_names):
        try:
            tensor = ctx.tensor(value)
        except export_lowering.Unavailable as unavailable:
            raise unavailable.error from None
        if tensor in lite.inputs or tensor in lite.outputs or tensor.is_constant:
            # a returned input, constant or repeated output still needs an op writing it
            copy = lite.tensor(name, tensor.shape, tensor.dtype)
            lite.add_op("RESHAPE", [tensor, lite.constant(
                f"{name}/shape", [-1 if d is None else d for d in tensor.shape], np.int32)],
                [copy])
            tensor = copy
        lite.outputs.append(tensor)
    lite.input_names = list(input_names)
    lite.output_names = list(output_names)
    lite.remove_dead_ops()
    return lite
