"""Lowering: a traced Fluxion graph becomes an ``OnnxGraph`` of ONNX nodes.

The walk visits the graph's nodes in order.  A node all of whose inputs are known
arrays (the model's variables, read at export time, and constants) is computed here
with the primitive's own kernel: the file stores its result as an initializer.  Every
other node is handed to the mapping in its primitive record's export slot,
``primitive.export["onnx"]``, registered by the modules of ``fluxion.onnx.mappings``.
A mapping is ``lower(ctx, node)`` returning the ONNX name of the node's result (a
tuple, one per output, for several), a ``Known`` array when the result is known at
export time (a variable read), or None for an output it does not compute (a recurrent
primitive's gate history, which only a gradient reads).

A node that cannot be lowered is an error only when something the function returns
needs it; the error names the primitive, the Keras layer and the user's source line.
"""

from __future__ import annotations

import numpy as np

from fluxion.onnx.builder import OnnxGraph
from fluxion.onnx.errors import UnsupportedOperationError


class Known:
    """A mapping's result known at export time: the array, and the name an initializer
    holding it gets (a variable's path)."""

    def __init__(self, array, hint: str | None = None):
        self.array = np.asarray(array)
        self.hint = hint


class _Unavailable(Exception):
    """A mapping asked for a value that could not be lowered (carries the first error)."""

    def __init__(self, error: UnsupportedOperationError):
        super().__init__(str(error))
        self.error = error


class LoweringContext:
    """What a mapping sees: the node being lowered, and the ONNX graph being built."""

    def __init__(self, graph: OnnxGraph):
        self.graph = graph
        self.opset = graph.opset
        self.node = None
        self._names: dict[int, str] = {}  # Fluxion value id -> ONNX tensor name
        self._arrays: dict[int, np.ndarray] = {}  # Fluxion value id -> known array
        self._array_names: dict[int, str] = {}  # value id -> initializer name hint
        self._stored: dict[tuple, str] = {}  # (value id, dtype) -> its initializer's name
        self._failed: dict[int, UnsupportedOperationError] = {}  # value id -> why not
        self._readers: dict[int, list] = {}  # value id -> the Fluxion nodes reading it
        self._returned: set[int] = set()  # ids of the values the function returns

    # --- the node being lowered ------------------------------------------------------------
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

    def readers(self, value) -> list:
        """The nodes of the traced graph that read ``value``."""
        return self._readers.get(value.id, [])

    def is_returned(self, value) -> bool:
        return value.id in self._returned

    # --- values ----------------------------------------------------------------------------
    def array(self, value) -> np.ndarray | None:
        """The value's array when known at export time (a constant), else None."""
        if value.is_constant:
            return np.asarray(value.constant)
        return self._arrays.get(value.id)

    def name(self, value, dtype=None) -> str:
        """The ONNX tensor holding ``value`` (an initializer for known arrays), cast to
        ``dtype`` when given and different."""
        if value.id in self._failed:
            raise _Unavailable(self._failed[value.id])
        target = np.dtype(dtype) if dtype is not None else value.aval.dtype.np_dtype
        name = self._names.get(value.id)
        if name is None:
            array = self.array(value)
            if array is None:
                raise KeyError(f"value {value!r} has not been lowered")
            key = (value.id, target.str)  # one initializer however many nodes read it
            if key not in self._stored:
                hint = self._array_names.get(value.id) or self.hint("const")
                self._stored[key] = self.graph.constant(np.asarray(array, dtype=target), hint)
            return self._stored[key]
        if target != value.aval.dtype.np_dtype:
            return self.cast(name, target)
        return name

    def inputs(self, dtype=None) -> list[str]:
        return [self.name(v, dtype) for v in self.node.inputs]

    def dtype(self, position: int = 0) -> np.dtype:
        """The NumPy dtype of the node's output ``position``."""
        return self.node.outputs[position].aval.dtype.np_dtype

    def shape(self, value) -> tuple:
        return tuple(value.aval.shape)

    def emit(self, op_type: str, inputs: list[str], suffix: str = "", outputs: int = 1,
             **attributes):
        return self.graph.node(op_type, inputs, self.hint(suffix or op_type.lower()),
                               outputs, **attributes)

    def constant(self, array, suffix: str = "const", dtype=None) -> str:
        return self.graph.constant(array, self.hint(suffix), dtype)

    def int64s(self, values, suffix: str = "ints") -> str:
        return self.graph.int64s(values, self.hint(suffix))

    def cast(self, name: str, dtype) -> str:
        from onnx import helper

        to = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
        return self.emit("Cast", [name], "cast", to=int(to))

    def transpose(self, name: str, perm) -> str:
        perm = [int(p) for p in perm]
        if perm == sorted(perm):
            return name
        return self.emit("Transpose", [name], "transpose", perm=perm)

    def reduce(self, op_type: str, x: str, axes, keepdims: bool, suffix: str = "") -> str:
        """``ReduceSum``/``ReduceMax``/... over ``axes``: an attribute before opset 18, an
        input from 18 on (ReduceSum moved at 13)."""
        moved_at = 13 if op_type == "ReduceSum" else 18
        if self.opset >= moved_at:
            return self.emit(op_type, [x, self.int64s(list(axes), "axes")], suffix,
                             keepdims=int(keepdims))
        return self.emit(op_type, [x], suffix, axes=[int(a) for a in axes],
                         keepdims=int(keepdims))

    # --- bookkeeping by the walk -----------------------------------------------------------
    def _bind(self, value, name: str) -> None:
        self._names[value.id] = name

    def _know(self, value, array, hint: str | None = None) -> None:
        self._arrays[value.id] = np.asarray(array)
        if hint:
            self._array_names[value.id] = hint


def unsupported_error(node, reason: str) -> UnsupportedOperationError:
    layer = node.origin[0] if node.origin and node.origin[0] else None
    where = f" in layer '{layer}'" if layer else ""
    line = f" (traced at {node.origin[1]})" if node.origin and node.origin[1] else ""
    return UnsupportedOperationError(
        f"ONNX export: operation '{node.prim.name}'{where}{line} {reason}",
        primitive=node.prim.name, layer=layer)


def lower_graph(graph, input_names: list[str], output_names: list[str],
                opset: int) -> OnnxGraph:
    """The ``OnnxGraph`` computing ``graph`` (a traced ``fluxion.graph.ir.Graph``)."""
    from fluxion.onnx import mappings

    mappings.register_all()
    onnx_graph = OnnxGraph(opset)
    ctx = LoweringContext(onnx_graph)
    for node in graph.nodes:
        for value in node.inputs:
            ctx._readers.setdefault(value.id, []).append(node)
    ctx._returned = {value.id for value in graph.outputs}
    for value, name in zip(graph.inputs, input_names):
        name = onnx_graph.reserve(name)
        onnx_graph.inputs.append((name, value.aval.dtype.np_dtype, tuple(value.aval.shape)))
        ctx._bind(value, name)
    out_names = [onnx_graph.reserve(name) for name in output_names]
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
    for value, name in zip(graph.outputs, out_names):
        try:
            source = ctx.name(value)
        except _Unavailable as unavailable:
            raise unavailable.error from None
        onnx_graph.nodes.append(_identity(onnx_graph, source, name))
        onnx_graph.outputs.append((name, value.aval.dtype.np_dtype, tuple(value.aval.shape)))
    return onnx_graph


def _identity(graph: OnnxGraph, source: str, name: str):
    from fluxion.onnx.builder import OnnxNode

    return OnnxNode("Identity", [source], [name], graph.fresh(f"{name}/Identity"))


def _lower_node(ctx: LoweringContext, node) -> None:
    prim = node.prim
    arrays = [ctx.array(v) for v in node.inputs]
    if not prim.stateful and all(a is not None for a in arrays):
        result = prim.kernel(*arrays, **node.attrs)  # folded: the file stores the result
        results = result if prim.multiple_results else (result,)
        for value, array in zip(node.outputs, results):
            ctx._know(value, array)
        return
    mapping = prim.export.get("onnx")
    if mapping is None:
        raise unsupported_error(node, "has no ONNX mapping. Remove it from the exported "
                                      "function, or compute it outside the model "
                                      "(fluxion.onnx.supported_operations() lists the "
                                      "operations that export).")
    result = mapping(ctx, node)
    results = result if isinstance(result, (tuple, list)) else (result,)
    if len(results) != len(node.outputs):
        raise AssertionError(f"the ONNX mapping of {prim.name} returned {len(results)} "
                             f"tensors for {len(node.outputs)} outputs")
    for value, name in zip(node.outputs, results):
        if isinstance(name, Known):  # known at export time (a variable's value)
            ctx._know(value, name.array, name.hint)
        elif name is None:
            ctx._failed[value.id] = unsupported_error(
                node, f"output {node.outputs.index(value)} has no ONNX mapping (only "
                      f"gradients read it)")
        else:
            ctx._bind(value, name)
