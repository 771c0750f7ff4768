"""Lowering: a traced Fluxion graph becomes an ``OnnxGraph`` of ONNX nodes.

The walk (``fluxion.graph.export_lowering``, shared with the TFLite converter) computes
nodes whose inputs are all known at export time (the file stores the result as an
initializer) and hands every other node to the mapping in its primitive record's
export slot, ``primitive.export["onnx"]``, registered by ``fluxion.onnx.mappings``.
A mapping is ``lower(ctx, node)`` returning the ONNX name of the node's result (a
tuple, one per output, for several), a ``Known`` array when the result is known at
export time (a variable read), or None for an output it does not compute (a recurrent
primitive's gate history, which only a gradient reads).

A node that cannot be lowered is an error only when something the function returns
needs it; the error names the primitive, the Keras layer and the user's source line.
"""

from __future__ import annotations

import numpy as np

from fluxion.graph import export_lowering
from fluxion.onnx.builder import OnnxGraph
from fluxion.onnx.errors import UnsupportedOperationError


class Known:
    """A mapping's result known at export time: the array, and the name an initializer
    holding it gets (a variable's path)."""

    def __init__(self, array, hint: str | None = None):
        self.array = np.asarray(array)
        self.hint = hint


class LoweringContext(export_lowering.LoweringContext):
    """What a mapping sees: the node being lowered, and the ONNX graph being built."""

    def __init__(self, graph: OnnxGraph):
        super().__init__("ONNX export", "onnx",
                         "has no ONNX mapping. Remove it from the exported function, or "
                         "compute it outside the model (fluxion.onnx.supported_operations() "
                         "lists the operations that export).", UnsupportedOperationError)
        self.graph = graph
        self.opset = graph.opset
        self._names: dict[int, str] = {}  # Fluxion value id -> ONNX tensor name
        self._array_names: dict[int, str] = {}  # value id -> initializer name hint
        self._stored: dict[tuple, str] = {}  # (value id, dtype) -> its initializer's name
        self._readers: dict[int, list] = {}  # value id -> the Fluxion nodes reading it
        self._returned: set[int] = set()  # ids of the values the function returns

    def readers(self, value) -> list:
        """The nodes of the traced graph that read ``value``."""
        return self._readers.get(value.id, [])

    def is_returned(self, value) -> bool:
        return value.id in self._returned

    # --- values ----------------------------------------------------------------------------
    def name(self, value, dtype=None) -> str:
        """The ONNX tensor holding ``value`` (an initializer for known arrays), cast to
        ``dtype`` when given and different."""
        self.check_available(value)
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
        super()._know(value, array)
        if hint:
            self._array_names[value.id] = hint

    def bind_output(self, node, value, result) -> None:
        if isinstance(result, Known):  # known at export time (a variable's value)
            self._know(value, result.array, result.hint)
        elif result is None:
            self._failed[value.id] = self.unsupported_error(
                node, f"output {node.outputs.index(value)} has no ONNX mapping (only "
                      f"gradients read it)")
        else:
            self._bind(value, result)


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
    export_lowering.lower_nodes(ctx, graph)
    for value, name in zip(graph.outputs, out_names):
        try:
            source = ctx.name(value)
        except export_lowering.Unavailable as unavailable:
            raise unavailable.error from None
        onnx_graph.nodes.append(_identity(onnx_graph, source, name))
        onnx_graph.outputs.append((name, value.aval.dtype.np_dtype, tuple(value.aval.shape)))
    return onnx_graph


def _identity(graph: OnnxGraph, source: str, name: str):
    from fluxion.onnx.builder import OnnxNode

    return OnnxNode("Identity", [source], [name], graph.fresh(f"{name}/Identity"))
