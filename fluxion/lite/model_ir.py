"""The TFLite model before it is written: tensors and builtin operators, plain data.

Lowering (``fluxion.lite.lowering``) fills a ``LiteGraph`` from a traced Fluxion graph;
the quantization passes rewrite its tensors' dtypes and quantization parameters; the
writer (``fluxion.lite.flatbuffer_writer``) serializes it with the TFLite schema.

A tensor's ``shape`` may hold ``None`` for a dimension known only at run time (the
batch): the file stores 1 there in ``shape`` and -1 in ``shape_signature``, as TF's
converter does, and the interpreter resizes it.
"""

from __future__ import annotations

import numpy as np


class Quantization:
    """Affine quantization: ``real = scale * (q - zero_point)``, per tensor or per channel
    (``axis`` is then the channel dimension)."""

    __slots__ = ("scales", "zero_points", "axis")

    def __init__(self, scales, zero_points, axis: int = 0):
        self.scales = np.atleast_1d(np.asarray(scales, np.float32))
        self.zero_points = np.atleast_1d(np.asarray(zero_points, np.int64))
        self.axis = int(axis)

    def __repr__(self) -> str:
        return f"Quantization(scales={self.scales[:4]}, zero_points={self.zero_points[:4]})"


class LiteTensor:
    """One tensor: name, shape, NumPy dtype, constant ``data`` (or None), quantization."""

    __slots__ = ("name", "shape", "dtype", "data", "quantization", "is_variable", "source")

    def __init__(self, name: str, shape, dtype, data=None, quantization=None,
                 source=None):
        self.name = name
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.data = data
        self.quantization = quantization
        self.is_variable = False
        # source: the Fluxion graph value this tensor holds (for error messages)
        self.source = source

    @property
    def is_constant(self) -> bool:
        return self.data is not None

    def __repr__(self) -> str:
        return f"<{self.name} {self.dtype}{list(self.shape)}>"


class LiteOp:
    """One builtin operator: ``outputs = opcode(inputs; options)``.

    ``options`` is ``(table name in the schema, {field: value})``, e.g.
    ``("FullyConnectedOptions", {"FusedActivationFunction": 1})``; None for operators
    without options.  An input may be None: an omitted optional input (-1 in the file).
    """

    __slots__ = ("opcode", "inputs", "outputs", "options", "layer")

    def __init__(self, opcode: str, inputs: list, outputs: list, options=None,
                 layer: str = ""):
        self.opcode = opcode
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.options = options
        self.layer = layer

    def option(self, field: str, default=None):
        return default if self.options is None else self.options[1].get(field, default)

    def set_option(self, field: str, value) -> None:
        self.options[1][field] = value

    def __repr__(self) -> str:
        return f"{self.opcode}({self.inputs}) -> {self.outputs}"


class LiteGraph:
    """Inputs, operators in execution order, outputs, and the signature's names."""

    def __init__(self, name: str = "main"):
        self.name = name
        self.inputs: list[LiteTensor] = []
        self.outputs: list[LiteTensor] = []
        self.ops: list[LiteOp] = []
        self.input_names: list[str] = []
        self.output_names: list[str] = []
        self._names: set[str] = set()
        self._shared: dict = {}  # key -> (source object kept alive, tensor)

    def fresh_name(self, hint: str) -> str:
        name, count = hint, 1
        while name in self._names:
            name, count = f"{hint}_{count}", count + 1
        self._names.add(name)
        return name

    def tensor(self, hint: str, shape, dtype, data=None, source=None) -> LiteTensor:
        return LiteTensor(self.fresh_name(hint), shape, dtype, data, source=source)

    def constant(self, hint: str, array, dtype=None) -> LiteTensor:
        array = np.array(array, dtype=dtype, order="C")  # 0-d stays 0-d (scalars, as TF writes)
        return self.tensor(hint, array.shape, array.dtype, array)

    def shared_constant(self, key: tuple, source, build) -> LiteTensor:
        """One constant per ``key`` (e.g. the weights an unrolled loop's steps all read),
        built by ``build()`` on first use; ``source`` is what the key's ids refer to."""
        entry = self._shared.get(key)
        if entry is None:
            entry = (source, build())
            self._shared[key] = entry
        return entry[1]

    def add_op(self, opcode: str, inputs: list, outputs: list, options=None,
               layer: str = "") -> LiteOp:
        op = LiteOp(opcode, inputs, outputs, options, layer)
        self.ops.append(op)
        return op

    def producers(self) -> dict:
        """id(tensor) -> the op computing it."""
        return {id(t): op for op in self.ops for t in op.outputs}

    def consumers(self) -> dict:
        """id(tensor) -> the ops reading it (graph outputs count as a reader, None)."""
        readers: dict[int, list] = {}
        for op in self.ops:
            for tensor in op.inputs:
                if tensor is not None:
                    readers.setdefault(id(tensor), []).append(op)
        for tensor in self.outputs:
            readers.setdefault(id(tensor), []).append(None)
        return readers

    def remove_dead_ops(self) -> None:
        """Drops operators none of whose outputs is read (walking back from the outputs)."""
        live = {id(t) for t in self.outputs}
        kept = []
        for op in reversed(self.ops):
            if any(id(t) in live for t in op.outputs):
                kept.append(op)
                live.update(id(t) for t in op.inputs if t is not None)
        self.ops = kept[::-1]

    def all_tensors(self) -> list:
        """Every tensor, each once: inputs first, then in operator order."""
        seen, ordered = set(), []
        for tensor in [*self.inputs, *(t for op in self.ops for t in [*op.inputs,
                                                                         *op.outputs])]:
            if tensor is not None and id(tensor) not in seen:
                seen.add(id(tensor))
                ordered.append(tensor)
        for tensor in self.outputs:
            if id(tensor) not in seen:
                seen.add(id(tensor))
                ordered.append(tensor)
        return ordered
