"""Keras 3's dtype rule, and the conversions every ``keras.ops`` function starts with.

Fluxion's own ops follow TensorFlow: tensors of different dtypes never mix.  Keras ops
promote instead, by one lattice shared by all its backends (JAX's): ``int32 + float16``
is ``float16``, ``uint8 + int8`` is ``int16``, ``float16 + bfloat16`` is ``float32``.
Python numbers are *weak*: they take the other operand's type where it fits
(``int8 + 2`` stays ``int8``, ``float16 * 2.0`` stays ``float16``), an int tensor with
a Python float gives ``floatx()``.  NumPy arrays and scalars are strong, like tensors.

``result_type`` computes the rule; ``promote`` converts operands and casts them,
explicitly, to the common dtype, so the engine's strict ops see one dtype.
``keras_op`` lets an op take KerasTensors (the functional API), as Keras does.
"""

from __future__ import annotations

import functools

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.keras import config
from fluxion.keras.engine.keras_tensor import KerasTensor
from fluxion.ops.array_ops import cast

# Each node's immediate successors; "int"/"float"/"complex" are the weak Python types.
_LATTICE = {
    "bool": ("int",), "int": ("uint8", "int8"),
    "uint8": ("uint16", "int16"), "uint16": ("uint32", "int32"),
    "uint32": ("uint64", "int64"), "uint64": ("float",),
    "int8": ("int16",), "int16": ("int32",), "int32": ("int64",), "int64": ("float",),
    "float": ("complex", "float16", "bfloat16"),
    "float16": ("float32",), "bfloat16": ("float32",), "float32": ("float64", "complex64"),
    "float64": ("complex128",), "complex": ("complex64",), "complex64": ("complex128",),
    "complex128": (),
}
_WEAK = {bool: "bool", int: "int", float: "float", complex: "complex"}


def _upper_bounds(node: str) -> frozenset:
    seen, todo = {node}, [node]
    while todo:
        for above in _LATTICE[todo.pop()]:
            if above not in seen:
                seen.add(above)
                todo.append(above)
    return frozenset(seen)


_BOUNDS = {node: _upper_bounds(node) for node in _LATTICE}


@functools.lru_cache(maxsize=1024)
def _join(a: str, b: str) -> str:
    common = _BOUNDS[a] & _BOUNDS[b]
    # The least upper bound: the common node every other common node lies above.
    for node in common:
        if common <= _BOUNDS[node]:
            return node
    raise TypeError(f"no common dtype for {a} and {b}")


def _resolve(node: str) -> str:
    if node == "int":
        return "int32"
    if node == "float":
        return config.floatx()
    if node == "complex":
        return "complex64"
    return node


def _node(value) -> str | None:
    """The lattice node of a dtype name, a Python type, or a value (tensor or number)."""
    if isinstance(value, str):
        return dtypes.as_dtype(value).name
    if isinstance(value, type):
        weak = _WEAK.get(value)
        return weak if weak is not None else dtypes.as_dtype(value).name
    weak = _WEAK.get(type(value))
    if weak is not None:
        return weak
    dtype = getattr(value, "dtype", None)
    if dtype is not None:
        return dtypes.as_dtype(dtype).name
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return convert_to_tensor(value).dtype.name
    return dtypes.as_dtype(value).name


def result_type(*values) -> str:
    """The dtype Keras gives an op on ``values`` (dtype names, Python types, tensors).

    >>> result_type("int32", "float16"), result_type("int8", int), result_type("int32", float)
    ('float16', 'int8', 'float32')
    """
    nodes = [n for n in (_node(v) for v in values) if n is not None]
    if not nodes:
        return config.floatx()
    result = nodes[0]
    for node in nodes[1:]:
        result = _join(result, node)
    return _resolve(result)


def tensor(x, dtype=None) -> Tensor:
    """``x`` as a Tensor; ``dtype`` casts it (Keras's convert_to_tensor casts freely)."""
    if type(x) is not Tensor:
        if isinstance(x, (list, tuple)) and dtype is None:
            x = convert_to_tensor(x)
        else:
            x = _convert(x, dtype)
    if dtype is not None and x.dtype.name != dtype:
        return cast(x, dtype)
    return x


def _convert(x, dtype):
    if isinstance(x, (bool, int, float, complex)) and dtype is not None:
        return convert_to_tensor(np.asarray(x, dtype=dtypes.as_dtype(dtype).np_dtype))
    return convert_to_tensor(x)


def promote(*values) -> list:
    """The values as Tensors of their common Keras dtype (explicit casts)."""
    first = values[0]
    if type(first) is Tensor and all(
            type(v) is Tensor and v.dtype is first.dtype for v in values):
        return list(values)
    dtype = result_type(*values)
    return [tensor(v, dtype) for v in values]


def promote_to_float(*values) -> list:
    """Like ``promote``, but integer and bool results become ``floatx()``."""
    dtype = result_type(*values)
    if not dtypes.as_dtype(dtype).is_differentiable:
        dtype = result_type(dtype, float)
    return [tensor(v, dtype) for v in values]


def float_tensor(x) -> Tensor:
    """``x`` as a floating Tensor: integers and bools become ``floatx()``."""
    x = tensor(x)
    if x.dtype.is_floating or x.dtype.is_complex:
        return x
    return cast(x, config.floatx())


def standardize_dtype(dtype) -> str | None:
    """A dtype (name, NumPy or Fluxion dtype, Python type) as Keras's dtype name."""
    if dtype is None:
        return None
    if dtype is int:
        return "int32"
    if dtype is float:
        return config.floatx()
    return dtypes.as_dtype(dtype).name


# --- KerasTensors ----------------------------------------------------------------------------
def _is_keras(value) -> bool:
    if isinstance(value, KerasTensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(isinstance(v, KerasTensor) for v in value)
    return False


def keras_op(func):
    """Lets ``func`` take KerasTensors: the call then becomes a node of a functional model.

    Tensors, arrays and numbers go straight to ``func`` after one cheap scan of the
    arguments.
    """
    @functools.wraps(func)
    def op(*args, **kwargs):
        for value in args:
            if _is_keras(value):
                return _symbolic(func, args, kwargs)
        if kwargs:
            for value in kwargs.values():
                if _is_keras(value):
                    return _symbolic(func, args, kwargs)
        return func(*args, **kwargs)

    return op


def _symbolic(func, args: tuple, kwargs: dict):
    from fluxion.keras.layers.op_layer import apply_operation

    return apply_operation(func, args, kwargs)


def export(namespace: dict, names: list) -> None:
    """Wraps each named function of a module with ``keras_op``, in place."""
    for name in names:
        namespace[name] = keras_op(namespace[name])
