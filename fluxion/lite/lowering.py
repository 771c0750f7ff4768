"""Lowering: a traced Fluxion graph becomes a ``LiteGraph`` of TFLite builtin operators.

The walk visits the graph's nodes in order.  A node all of whose inputs are known
arrays (the model's variables, read at conversion time, and constants) is computed
here with the primitive's own kernel: the file stores its result.  Every other node is
handed to the mapping in its primitive record's export slot,
``primitive.export["tflite"]``, registered by the modules of
``fluxion.lite.mappings``.  A mapping is ``lower(ctx, node)`` returning the
``LiteTensor`` (or a tuple, one per output) that holds the node's result; it emits
operators through ``ctx``.

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

from fluxion.lite.model_ir import LiteGraph, LiteOp, LiteTensor


class UnsupportedOperationError(ValueError):
    """A primitive of the traced model has no TFLite mapping (or one it cannot apply)."""


class _Unavailable(Exception):
    """A mapping asked for a value that could not be lowered (carries the first error)."""

    def __init__(self, error: UnsupportedOperationError):
        super().__init__(str(error))
        self.error = error


class LoweringContext:
    """What a mapping sees: the node being lowered, and the graph being built."""

    def __init__(self, graph: LiteGraph, uses: dict, outputs: set):
        self.graph = graph
        self.node = None
        self._tensors: dict[int, LiteTensor] = {}  # Fluxion value id -> tensor
        self._arrays: dict[int, np.ndarray] = {}  # Fluxion value id -> known array
        self._producers: dict[int, LiteOp] = {}  # id(tensor) -> op computing it
        self._uses = uses  # Fluxion value id -> number of readers
        self._graph_outputs = outputs  # ids of values the function returns
        self._failed: dict[int, UnsupportedOperationError] = {}  # value id -> why not

    # --- the node being lowered ----------------------------------------------------------
    @property
    def layer(self) -> str:
        """The name scope of the node (the Keras layer that made it), or ""."""
        origin = self.node.origin if self.node is not None else None
        return origin[0] if origin else ""

    def hint(self, suffix: str = "") -> str:
        base = self.layer or self.node.prim.name
        return f"{base}/{suffix}" if suffix else base

    def unsupported(self, reason: str) -> UnsupportedOperationError:
        return unsupported_error(self.node, reason)

    # --- values ---------------------------------------------------------------------------
    def array(self, value) -> np.ndarray | None:
        """The value's array when known at conversion time (a constant), else None."""
        if value.is_constant:
            return np.asarray(value.constant)
        return self._arrays.get(value.id)

    def tensor(self, value) -> LiteTensor:
        """The tensor holding ``value`` (a constant tensor for known arrays)."""
        if value.id in self._failed:
            raise _Unavailable(self._failed[value.id])
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

    def _know(self, value, array) -> None:
        self._arrays[value.id] = np.asarray(array)


def unsupported_error(node, reason: str) -> UnsupportedOperationError:
    layer = node.origin[0] if node.origin and node.origin[0] else None
    where = f" in layer '{layer}'" if layer else ""
    line = f" (traced at {node.origin[1]})" if node.origin and node.origin[1] else ""
    return UnsupportedOperationError(
        f"TFLite conversion: operation '{node.prim.name}'{where}{line} {reason}")


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
    for node in graph.nodes:
        ctx.node = node
        try:
            _lower_node(ctx, node)
        except _Unavailable as unavailable:  # an input could not be lowered: nor can this
            for value in node.outputs:
                ctx._failed[value.id] = unavailable.error
        except UnsupportedOperationError as error:  # raised if something needs it
            for value in node.outputs:
                ctx._failed[value.id] = error
    ctx.node = None
    for value, name in zip(graph.outputs, output_names):
        try:
            tensor = ctx.tensor(value)
        except _Unavailable as unavailable:
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


def _lower_node(ctx: LoweringContext, node) -> None:
    prim = node.prim
    if prim.name == "read_variable":
        ctx._know(node.outputs[0], node.attrs["variable"].deref().numpy())
        return
    arrays = [ctx.array(v) for v in node.inputs]
    if not prim.stateful and all(a is not None for a in arrays):
        result = prim.kernel(*arrays, **node.attrs)  # folded: the file stores the result
        results = result if prim.multiple_results else (result,)
        for value, array in zip(node.outputs, results):
            ctx._know(value, array)
        return
    mapping = prim.export.get("tflite")
    if mapping is None:
        raise unsupported_error(node, "has no TFLite builtin mapping. Remove it from the "
                                      "exported function, or compute it outside the model.")
    result = mapping(ctx, node)
    results = result if isinstance(result, (tuple, list)) else (result,)
    if len(results) != len(node.outputs):
        raise AssertionError(f"the TFLite mapping of {prim.name} returned {len(results)} "
                             f"tensors for {len(node.outputs)} outputs")
    for value, tensor in zip(node.outputs, results):
        if tensor is not None:
            ctx._bind(value, tensor)
