"""``GraphBuilder``: collects ONNX nodes and initializers through the ``onnx`` helper API.

Converters never touch protobuf: they ask the builder for a node (``node``), a weight or
constant (``constant``), a memoised layout change (``transpose``) or a reduction written
the way the target opset spells it (``reduce``).  Names are made unique here, so a
converter can name its tensors after its layer without checking for clashes.
"""

from __future__ import annotations

import numpy as np


class GraphBuilder:
    """The nodes and initializers of one ONNX graph, built up by the layer converters."""

    def __init__(self, opset: int):
        from onnx import helper  # lazy: onnx is an optional dependency

        self._helper = helper
        self.opset = opset
        self.nodes: list = []
        self.initializers: list = []
        self._used_names: set[str] = set()
        self.dtypes: dict[str, str] = {}  # Keras dtype names of the Keras tensors' ONNX names
        self.current_node = None  # the Keras Node being converted (its constant arguments)
        # (tensor name, perm) -> name of that tensor already transposed by perm.  A layout
        # round trip (NHWC -> NCHW -> NHWC) between two convolutions is then never emitted.
        self._transposes: dict[tuple[str, tuple[int, ...]], str] = {}

    # --- names -----------------------------------------------------------------------------
    def reserve(self, name: str) -> str:
        """Claims ``name`` exactly (a graph input or output name)."""
        if name in self._used_names:
            raise ValueError(f"ONNX export: the tensor name {name!r} is used twice; give the "
                             f"model's inputs and outputs distinct layer names.")
        self._used_names.add(name)
        return name

    def fresh(self, hint: str) -> str:
        """A name not used yet, built from ``hint``."""
        name, count = hint, 0
        while name in self._used_names:
            count += 1
            name = f"{hint}_{count}"
        self._used_names.add(name)
        return name

    def dtype_of(self, name: str) -> str:
        """The dtype of a Keras tensor's ONNX name (float32 when not recorded)."""
        return self.dtypes.get(name, "float32")

    # --- nodes -----------------------------------------------------------------------------
    def node(self, op_type: str, inputs: list[str], hint: str, outputs: list[str] | None = None,
             **attributes) -> str:
        """Appends ``op_type(inputs)`` and returns the name of its (first) output."""
        outputs = outputs or [self.fresh(hint)]
        self.nodes.append(self._helper.make_node(op_type, list(inputs), outputs,
                                                 name=self.fresh(f"{hint}/{op_type}"),
                                                 **attributes))
        return outputs[0]

    def constant(self, value, hint: str, dtype=None) -> str:
        """Adds ``value`` (an array, a Variable, or a Python number/list) as an initializer."""
        from onnx import numpy_helper

        if hasattr(value, "numpy"):
            value = value.numpy()
        array = np.asarray(value, dtype=dtype)
        name = self.fresh(hint)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def int64s(self, values, hint: str) -> str:
        return self.constant(np.asarray(values, dtype=np.int64), hint)

    def transpose(self, name: str, perm, hint: str) -> str:
        """``name`` transposed by ``perm``, reusing an earlier transpose or its inverse."""
        perm = tuple(int(p) for p in perm)
        if perm == tuple(range(len(perm))):
            return name
        key = (name, perm)
        if key not in self._transposes:
            result = self.node("Transpose", [name], hint, perm=list(perm))
            self._transposes[key] = result
            inverse = tuple(int(i) for i in np.argsort(perm))
            self._transposes.setdefault((result, inverse), name)
        return self._transposes[key]

    def reduce(self, op_type: str, x: str, axes, hint: str, keepdims: bool) -> str:
        """``ReduceMean``/``ReduceMax``/... over ``axes``: an attribute before opset 18, an
        input from 18 on (ReduceSum moved at 13)."""
        axes_moved_at = 13 if op_type == "ReduceSum" else 18
        if self.opset >= axes_moved_at:
            return self.node(op_type, [x, self.int64s(list(axes), f"{hint}/axes")], hint,
                             keepdims=int(keepdims))
        return self.node(op_type, [x], hint, axes=list(axes), keepdims=int(keepdims))

    # --- finishing -------------------------------------------------------------------------
    def pruned(self, outputs: list[str]) -> tuple[list, list]:
        """The nodes and initializers the outputs depend on, nodes in order (a reused
        transpose can leave the layout change it replaced without readers)."""
        needed, kept = set(outputs), []
        for node in reversed(self.nodes):
            if any(name in needed for name in node.output):
                kept.append(node)
                needed.update(node.input)
        kept.reverse()
        initializers = [t for t in self.initializers if t.name in needed]
        return kept, initializers
