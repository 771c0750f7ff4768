"""``OnnxGraph``: the nodes and initializers of one ONNX graph while it is being built.

Mappings never touch protobuf: they append ``OnnxNode`` s (plain records the layout
pass can rewrite) and NumPy initializers through ``node`` and ``constant``; ``to_proto``
turns the finished graph into an ``onnx.GraphProto`` with ``onnx.helper`` and
``onnx.numpy_helper``.  Names are made unique here, so a mapping can name its tensors
after its layer without checking for clashes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(eq=False)
class OnnxNode:
    """One ONNX node: ``outputs = op_type(*inputs, **attributes)`` (names of tensors)."""

    op_type: str
    inputs: list[str]
    outputs: list[str]
    name: str
    attributes: dict = field(default_factory=dict)


class OnnxGraph:
    """Nodes in execution order, initializers by name, and the graph's inputs/outputs."""

    def __init__(self, opset: int):
        self.opset = opset
        self.nodes: list[OnnxNode] = []
        self.initializers: dict[str, np.ndarray] = {}
        self.inputs: list[tuple[str, np.dtype, tuple]] = []  # (name, dtype, shape)
        self.outputs: list[tuple[str, np.dtype, tuple]] = []
        self._used_names: set[str] = set()
        self._int64s: dict[tuple, str] = {}  # values -> the initializer holding them

    # --- names -----------------------------------------------------------------------------
    def reserve(self, name: str) -> str:
        """Claims ``name`` exactly (a graph input or output name)."""
        if name in self._used_names:
            raise ValueError(f"ONNX export: the tensor name {name!r} is used twice; give the "
                             f"model's inputs and outputs distinct names.")
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

    # --- nodes and constants ---------------------------------------------------------------
    def node(self, op_type: str, inputs: list[str], hint: str, outputs: int = 1,
             **attributes) -> str | list[str]:
        """Appends ``op_type(inputs)``; returns its output name (a list when ``outputs``
        is more than 1)."""
        names = [self.fresh(hint if outputs == 1 else f"{hint}_{i}") for i in range(outputs)]
        self.nodes.append(OnnxNode(op_type, list(inputs), names, self.fresh(f"{hint}/{op_type}"),
                                   attributes))
        return names[0] if outputs == 1 else names

    def constant(self, value, hint: str, dtype=None) -> str:
        """Adds ``value`` (an array or a Python number/list) as an initializer."""
        array = np.array(value, dtype=dtype, order="C")  # keeps a scalar 0-d
        name = self.fresh(hint)
        self.initializers[name] = array
        return name

    def int64s(self, values, hint: str) -> str:
        """A 1-D int64 initializer (axes, shapes, pads), shared by every node that needs
        the same values: initializers are never changed in place."""
        array = np.asarray(values, dtype=np.int64).reshape(-1)
        key = tuple(int(v) for v in array)
        name = self._int64s.get(key)
        if name is None or name not in self.initializers:
            name = self._int64s[key] = self.constant(array, hint)
        return name

    # --- finishing -------------------------------------------------------------------------
    def prune(self) -> None:
        """Drops the nodes and initializers no output depends on (keeps the order)."""
        needed = {name for name, _, _ in self.outputs}
        kept = []
        for node in reversed(self.nodes):
            if any(name in needed for name in node.outputs):
                kept.append(node)
                needed.update(node.inputs)
        kept.reverse()
        self.nodes = kept
        self.initializers = {k: v for k, v in self.initializers.items() if k in needed}

    def to_proto(self, name: str):
        """The ``onnx.GraphProto`` of the finished graph."""
        from onnx import helper, numpy_helper

        nodes = [helper.make_node(n.op_type, n.inputs, n.outputs, name=n.name, **n.attributes)
                 for n in self.nodes]
        initializers = [numpy_helper.from_array(array, key)
                        for key, array in self.initializers.items()]
        return helper.make_graph(nodes, name, [_value_info(*i) for i in self.inputs],
                                 [_value_info(*o) for o in self.outputs], initializers)


def _value_info(name: str, dtype, shape):
    from onnx import helper

    # the first unknown dimension is the batch: a named, dynamic dimension
    dims = [d if d is not None else ("batch" if i == 0 else None)
            for i, d in enumerate(shape)]
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(np.dtype(dtype)),
                                         dims)
