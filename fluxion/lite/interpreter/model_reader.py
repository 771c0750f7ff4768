"""Reads a ``.tflite`` file into plain data with the TFLite schema's generated readers
(the ``tflite`` package on ``flatbuffers``).

The result is a ``ModelFile``: subgraphs of ``TensorInfo`` and ``OperatorInfo`` records
and the signatures.  A constant tensor's ``data`` is a read-only NumPy view of the file's
bytes; an operator's options are a ``{field: value}`` dict read generically from the
options table the schema names (``Conv2DOptions`` -> ``{"Padding": 1, "StrideW": 2,
...}``), the same spelling the writer (``fluxion.lite.flatbuffer_writer``) uses.
"""

from __future__ import annotations

import importlib

import numpy as np

_NUMPY_TYPES = {"FLOAT32": np.float32, "FLOAT16": np.float16, "FLOAT64": np.float64,
                "INT32": np.int32, "UINT8": np.uint8, "INT64": np.int64, "BOOL": np.bool_,
                "INT16": np.int16, "INT8": np.int8, "UINT16": np.uint16,
                "UINT32": np.uint32, "UINT64": np.uint64, "COMPLEX64": np.complex64,
                "COMPLEX128": np.complex128, "STRING": np.object_}


def _schema():
    try:
        import tflite
    except ImportError as error:
        raise ImportError("Fluxion's TFLite interpreter reads files with the 'tflite' and "
                          "'flatbuffers' packages: pip install 'fluxion[tflite]'.") from error
    return tflite


def _enum_names(enum_class) -> dict[int, str]:
    return {value: name for name, value in vars(enum_class).items()
            if not name.startswith("_") and isinstance(value, int)}


class Quantization:
    """A tensor's affine quantization: ``real = scales * (q - zero_points)``, per tensor
    (one scale) or per channel along ``dimension``."""

    __slots__ = ("scales", "zero_points", "dimension")

    def __init__(self, scales: np.ndarray, zero_points: np.ndarray, dimension: int):
        self.scales = scales
        self.zero_points = zero_points
        self.dimension = dimension

    @property
    def per_tensor(self) -> bool:
        return self.scales.size == 1


class TensorInfo:
    """One tensor of a subgraph, as the file describes it."""

    __slots__ = ("index", "name", "shape", "shape_signature", "dtype", "type_name", "data",
                 "quantization", "is_variable", "sparsity")

    def __init__(self, index, name, shape, shape_signature, dtype, type_name, data,
                 quantization, is_variable, sparsity):
        self.index = index
        self.name = name
        self.shape = shape
        self.shape_signature = shape_signature
        self.dtype = dtype
        self.type_name = type_name
        self.data = data
        self.quantization = quantization
        self.is_variable = is_variable
        self.sparsity = sparsity


class OperatorInfo:
    """One operator: its builtin name, tensor indices (-1: an omitted optional input) and
    options."""

    __slots__ = ("index", "opcode", "version", "inputs", "outputs", "intermediates",
                 "options")

    def __init__(self, index, opcode, version, inputs, outputs, intermediates, options):
        self.index = index
        self.opcode = opcode
        self.version = version
        self.inputs = inputs
        self.outputs = outputs
        self.intermediates = intermediates
        self.options = options

    def option(self, field: str, default=None):
        return self.options.get(field, default)


class SubgraphInfo:
    __slots__ = ("index", "name", "tensors", "inputs", "outputs", "operators")

    def __init__(self, index, name, tensors, inputs, outputs, operators):
        self.index = index
        self.name = name
        self.tensors = tensors
        self.inputs = inputs
        self.outputs = outputs
        self.operators = operators


class SignatureInfo:
    """A signature: its key, subgraph and ``{name: tensor index}`` of inputs and outputs
    (in the file's order)."""

    __slots__ = ("key", "subgraph_index", "inputs", "outputs")

    def __init__(self, key, subgraph_index, inputs, outputs):
        self.key = key
        self.subgraph_index = subgraph_index
        self.inputs = inputs
        self.outputs = outputs


class ModelFile:
    __slots__ = ("subgraphs", "signatures", "description", "version")

    def __init__(self, subgraphs, signatures, description, version):
        self.subgraphs = subgraphs
        self.signatures = signatures
        self.description = description
        self.version = version


def read_model(content: bytes) -> ModelFile:
    """The ``ModelFile`` of a ``.tflite`` file's bytes."""
    tflite = _schema()
    content = bytes(content)
    if len(content) < 8 or content[4:8] != b"TFL3":
        raise ValueError(f"not a TFLite flatbuffer: the file identifier is "
                         f"{content[4:8]!r}, expected b'TFL3'")
    model = tflite.Model.GetRootAs(content, 0)
    buffers = [_buffer_bytes(model.Buffers(i), content) for i in range(model.BuffersLength())]
    opcode_names = _enum_names(tflite.BuiltinOperator)
    opcodes = []
    for i in range(model.OperatorCodesLength()):
        code = model.OperatorCodes(i)
        number = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        name = opcode_names.get(number, f"builtin code {number}")
        if name == "CUSTOM":
            name = f"CUSTOM ({(code.CustomCode() or b'').decode()})"
        opcodes.append((name, code.Version()))
    readers = _Readers(tflite)
    subgraphs = [_subgraph(model.Subgraphs(i), i, buffers, opcodes, readers)
                 for i in range(model.SubgraphsLength())]
    signatures = [_signature(model.SignatureDefs(i)) for i in range(model.SignatureDefsLength())]
    description = (model.Description() or b"").decode()
    return ModelFile(subgraphs, signatures, description, model.Version())


def _buffer_bytes(buffer, content: bytes) -> memoryview | None:
    if buffer.Offset() > 1:  # data stored after the flatbuffer (files over 2 GB)
        return memoryview(content)[buffer.Offset():buffer.Offset() + buffer.Size()]
    if buffer.DataLength() == 0:
        return None
    return memoryview(buffer.DataAsNumpy().tobytes())


class _Readers:
    """The schema's enums by number, and each options table's field readers."""

    def __init__(self, tflite):
        self.tflite = tflite
        self.type_names = _enum_names(tflite.TensorType)
        self.option_names = _enum_names(tflite.BuiltinOptions)
        self._fields: dict[str, tuple] = {}

    def options(self, operator) -> dict:
        name = self.option_names.get(operator.BuiltinOptionsType(), "NONE")
        table = operator.BuiltinOptions()
        if name == "NONE" or table is None:
            return {}
        cls = getattr(importlib.import_module(f"tflite.{name}"), name)
        options = cls()
        options.Init(table.Bytes, table.Pos)
        return {field: (getattr(options, field + "AsNumpy")() if vector
                        else getattr(options, field)())
                for field, vector in self._option_fields(cls)}

    def _option_fields(self, cls) -> tuple:
        fields = self._fields.get(cls.__name__)
        if fields is None:
            names = [n for n in vars(cls) if n[:1].isupper() and n != "Init"
                     and not n.startswith("GetRootAs") and not n.endswith("HasIdentifier")]
            vectors = {n[:-len("AsNumpy")] for n in names if n.endswith("AsNumpy")}
            fields = tuple((n, n in vectors) for n in names
                           if not n.endswith(("AsNumpy", "Length", "IsNone")))
            self._fields[cls.__name__] = fields
        return fields


def _int_list(table, field: str) -> list[int]:
    if getattr(table, field + "IsNone")():
        return []
    return [int(v) for v in getattr(table, field + "AsNumpy")()]


def _quantization(tensor) -> Quantization | None:
    parameters = tensor.Quantization()
    if parameters is None or parameters.ScaleLength() == 0:
        return None
    scales = parameters.ScaleAsNumpy().astype(np.float32)
    zero_points = parameters.ZeroPointAsNumpy() if parameters.ZeroPointLength() \
        else np.zeros(len(scales), np.int64)
    return Quantization(scales, np.asarray(zero_points, np.int64),
                        parameters.QuantizedDimension())


def _tensor(tensor, index: int, buffers: list, readers: _Readers) -> TensorInfo:
    type_name = readers.type_names.get(tensor.Type(), str(tensor.Type()))
    if type_name not in _NUMPY_TYPES:
        raise ValueError(f"tensor {index} ({tensor.Name().decode()!r}) has TFLite "
                         f"type {type_name}, which Fluxion's interpreter does not "
                         f"support; supported: {', '.join(_NUMPY_TYPES)}")
    dtype = np.dtype(_NUMPY_TYPES[type_name])
    shape = tuple(_int_list(tensor, "Shape"))
    signature = tuple(_int_list(tensor, "ShapeSignature")) or shape
    raw = buffers[tensor.Buffer()] if tensor.Buffer() < len(buffers) else None
    data = None
    if raw is not None and type_name != "STRING":
        data = np.frombuffer(raw, dtype.newbyteorder("<")).astype(dtype, copy=False)
        data = data.reshape(shape)
        data.flags.writeable = False
    sparsity = tensor.Sparsity()
    if sparsity is not None:
        raise ValueError(f"tensor {index} ({tensor.Name().decode()!r}) is sparse; "
                         f"Fluxion's interpreter reads dense tensors only (LiteRT, pip "
                         f"install ai-edge-litert, runs sparse files)")
    return TensorInfo(index, tensor.Name().decode(), shape, signature, dtype, type_name,
                      data, _quantization(tensor), bool(tensor.IsVariable()), None)


def _subgraph(subgraph, index, buffers, opcodes, readers) -> SubgraphInfo:
    tensors = [_tensor(subgraph.Tensors(i), i, buffers, readers)
               for i in range(subgraph.TensorsLength())]
    operators = []
    for i in range(subgraph.OperatorsLength()):
        operator = subgraph.Operators(i)
        name, version = opcodes[operator.OpcodeIndex()]
        operators.append(OperatorInfo(
            i, name, version, _int_list(operator, "Inputs"), _int_list(operator, "Outputs"),
            _int_list(operator, "Intermediates"), readers.options(operator)))
    name = (subgraph.Name() or b"").decode()
    return SubgraphInfo(index, name, tensors, _int_list(subgraph, "Inputs"),
                        _int_list(subgraph, "Outputs"), operators)


def _signature(signature) -> SignatureInfo:
    def tensor_map(length, get) -> dict[str, int]:
        return {get(i).Name().decode(): get(i).TensorIndex() for i in range(length)}

    return SignatureInfo(signature.SignatureKey().decode(), signature.SubgraphIndex(),
                         tensor_map(signature.InputsLength(), signature.Inputs),
                         tensor_map(signature.OutputsLength(), signature.Outputs))
