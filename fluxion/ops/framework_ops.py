"""Framework names of the ``tf`` top level: run-time assertions, shape helpers, gradient
helpers (``grad_pass_through``, ``recompute_grad``), ``DeviceSpec``, ``timestamp``,
``get_logger``.

Assertions are one stateful primitive, ``assert``: eagerly it raises at once; traced,
its node stays in the graph (stateful nodes are never pruned) and raises when the
graph runs.  The names that behave differently in a TF 1 graph (``control_dependencies``,
``group``, ``no_op``, ``hessians``) are in ``fluxion.graph.v1.graph_mode_ops``.
"""

from __future__ import annotations

import builtins
import logging
import time

import numpy as np

from fluxion.core import context, dtypes, nest
from fluxion.core.errors import InvalidArgumentError
from fluxion.core.primitive import bind
from fluxion.core.primitives.runtime_check import assert_p
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.tensor_shape import TensorShape, as_shape

__all__ = ["identity_n", "tuple", "ensure_shape",
           "get_static_value", "is_symbolic_tensor", "inside_function", "timestamp",
           "get_logger", "guarantee_const", "grad_pass_through", "recompute_grad",
           "no_gradient", "RegisterGradient", "Assert", "assert_equal", "assert_greater",
           "assert_less", "assert_rank", "broadcast_static_shape",
           "broadcast_dynamic_shape", "AggregationMethod", "DeviceSpec", "shape_n",
           "CriticalSection", "nondifferentiable_batch_function",
           "register_tensor_conversion_function", "check_pinned", "ragged_fill_empty_rows",
           "ragged_fill_empty_rows_grad"]


def identity_n(input, name=None) -> list:  # noqa: A002 - TF's name
    """Each tensor of the list, unchanged."""
    from fluxion.ops.creation_ops import identity

    return [identity(t) for t in input]


def tuple(tensors, name=None, control_inputs=None) -> list:  # noqa: A001 - TF's name
    """The tensors, available together (ops already run in order): a list."""
    return [None if t is None else convert_to_tensor(t) for t in tensors]


def ensure_shape(x, shape, name=None) -> Tensor:
    """``x``, after checking that its shape is compatible with ``shape`` (None = any)."""
    x = convert_to_tensor(x)
    shape = as_shape(shape)
    if not shape.is_compatible_with(x.shape):
        raise InvalidArgumentError(None, None, f"ensure_shape: shape of tensor {x.shape} is "
                                               f"not compatible with expected shape {shape}")
    return x


def get_static_value(tensor, partial=False):
    """The NumPy value of ``tensor`` if known without running a graph, else None."""
    if isinstance(tensor, Tensor):
        return None if tensor._value is None else np.asarray(tensor._value)
    if isinstance(tensor, (int, float, bool, np.ndarray, list)):
        return np.asarray(tensor)
    return None


def is_symbolic_tensor(tensor) -> bool:
    """Whether ``tensor`` is a traced (graph) tensor."""
    return isinstance(tensor, Tensor) and tensor._value is None


def inside_function() -> bool:
    """Whether the code runs while a graph is being built."""
    return context.tracer is not None


def timestamp(name=None) -> Tensor:
    """Seconds since the epoch, as a float64 scalar."""
    return convert_to_tensor(np.asarray(time.time(), np.float64))


def get_logger() -> logging.Logger:
    """The ``tensorflow`` logger."""
    return logging.getLogger("tensorflow")


def guarantee_const(input, name=None) -> Tensor:  # noqa: A002 - TF's name
    """``input`` unchanged (a promise to the compiler that it is constant)."""
    return convert_to_tensor(input)


def grad_pass_through(f):
    """``f`` in the forward pass, the identity in the backward pass."""
    from fluxion.ops.creation_ops import stop_gradient

    def wrapped(x):
        x = convert_to_tensor(x)
        return x + stop_gradient(f(x) - x)

    return wrapped


def recompute_grad(f):
    """``f``; TF recomputes its activations in the backward pass to save memory, Fluxion
    keeps them (the values and gradients are the same)."""
    return f


_NO_GRADIENT: set = set()
_GRADIENTS: dict = {}


def no_gradient(op_type: str) -> None:
    """Declares that ops of type ``op_type`` have no gradient."""
    if not isinstance(op_type, str):
        raise TypeError(f"no_gradient: op_type must be a string, got {op_type!r}")
    _NO_GRADIENT.add(op_type)


class RegisterGradient:
    """A decorator registering a gradient function for an op type (``tf.RegisterGradient``);
    TF 1 graphs read the registry under ``Graph.gradient_override_map``."""

    def __init__(self, op_type: str):
        if not isinstance(op_type, str):
            raise TypeError(f"RegisterGradient: op_type must be a string, got {op_type!r}")
        self._op_type = op_type

    def __call__(self, fn):
        if self._op_type in _GRADIENTS:
            raise KeyError(f"Registering two gradient with name '{self._op_type}'!")
        _GRADIENTS[self._op_type] = fn
        return fn


def registered_gradient(op_type: str):
    """The function registered for ``op_type``, or None."""
    return _GRADIENTS.get(op_type)


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TF's name
    """Raises ``InvalidArgumentError`` (showing ``data``) if ``condition`` is False."""
    condition = convert_to_tensor(condition, dtype=dtypes.bool_)
    tensors = [convert_to_tensor(d) for d in nest.flatten(data)]
    message = "assertion failed"
    return bind(assert_p, condition, *tensors, message=message, summarize=summarize or 3)


def _compare(op: str, x, y, fn, message, summarize):
    from fluxion.core.primitives.elementwise import binary_operands
    from fluxion.ops.reduce_ops import reduce_all

    x, y = binary_operands(op, x, y)
    text = f"{message or ''}{' ' if message else ''}Condition x {op} y did not hold"
    return bind(assert_p, reduce_all(fn(x, y)), x, y, message=text, summarize=summarize or 3)


def assert_equal(x, y, message=None, summarize=None, name=None):
    """Raises ``InvalidArgumentError`` unless ``x == y`` everywhere."""
    return _compare("==", x, y, lambda a, b: a == b, message, summarize)


def assert_greater(x, y, message=None, summarize=None, name=None):
    """Raises ``InvalidArgumentError`` unless ``x > y`` everywhere."""
    return _compare(">", x, y, lambda a, b: a > b, message, summarize)


def assert_less(x, y, message=None, summarize=None, name=None):
    """Raises ``InvalidArgumentError`` unless ``x < y`` everywhere."""
    return _compare("<", x, y, lambda a, b: a < b, message, summarize)


def assert_rank(x, rank, message=None, name=None):
    """Raises ``ValueError`` unless ``x`` has rank ``rank`` (checked statically)."""
    x = convert_to_tensor(x)
    if x.shape.rank is not None and x.shape.rank != int(rank):
        raise ValueError(f"{message or ''}{' ' if message else ''}Tensor must have rank "
                         f"{int(rank)}. Received rank {x.shape.rank}, shape {x.shape}")


def broadcast_static_shape(shape_x, shape_y) -> TensorShape:
    """The broadcast of two static shapes; ValueError if they are incompatible."""
    from fluxion.core.shape_rules import broadcast_shapes

    x = builtins.tuple(as_shape(shape_x).as_list())
    y = builtins.tuple(as_shape(shape_y).as_list())
    return TensorShape(list(broadcast_shapes(x, y)))


def broadcast_dynamic_shape(shape_x, shape_y) -> Tensor:
    """The broadcast of two shape vectors."""
    x = np.asarray(convert_to_tensor(shape_x)._value)
    y = np.asarray(convert_to_tensor(shape_y)._value)
    try:
        out = np.broadcast_shapes(builtins.tuple(x.tolist()), builtins.tuple(y.tolist()))
    except ValueError:
        raise InvalidArgumentError(None, None, f"Incompatible shapes: {x.tolist()} vs. "
                                               f"{y.tolist()}") from None
    return convert_to_tensor(np.asarray(out, x.dtype))


class AggregationMethod:
    """How gradients from several paths are added (all give the same sums here)."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


class DeviceSpec:
    """A device name's parts: ``/job:<job>/replica:<r>/task:<t>/device:<type>:<index>``."""

    def __init__(self, job=None, replica=None, task=None, device_type=None,
                 device_index=None):
        self.job, self.replica, self.task = job, replica, task
        self.device_type = device_type.upper() if isinstance(device_type, str) and \
            device_type.lower() in ("cpu", "gpu", "tpu") else device_type
        self.device_index = device_index

    @classmethod
    def from_string(cls, spec: str) -> DeviceSpec:
        parts: dict = {}
        for piece in filter(None, (spec or "").split("/")):
            key, _, rest = piece.partition(":")
            key = key.lower()
            if key in ("job", "replica", "task"):
                parts[key] = rest if key == "job" else int(rest)
            elif key == "device":
                kind, _, index = rest.partition(":")
                parts["device_type"] = kind
                parts["device_index"] = None if index in ("", "*") else int(index)
            elif key in ("cpu", "gpu", "tpu"):
                parts["device_type"] = key
                parts["device_index"] = None if rest in ("", "*") else int(rest)
            else:
                raise ValueError(f"DeviceSpec: unknown part {piece!r} in {spec!r}")
        return cls(**parts)

    def to_string(self) -> str:
        text = ""
        if self.job is not None:
            text += f"/job:{self.job}"
        if self.replica is not None:
            text += f"/replica:{self.replica}"
        if self.task is not None:
            text += f"/task:{self.task}"
        if self.device_type is not None:
            index = "*" if self.device_index is None else self.device_index
            text += f"/device:{self.device_type}:{index}"
        return text

    def replace(self, **kwargs) -> DeviceSpec:
        fields = dict(job=self.job, replica=self.replica, task=self.task,
                      device_type=self.device_type, device_index=self.device_index)
        fields.update(kwargs)
        return DeviceSpec(**fields)

    def make_merged_spec(self, dev) -> DeviceSpec:
        merged = {k: v for k, v in vars(self).items()}
        merged.update({k: v for k, v in vars(dev).items() if v is not None})
        return DeviceSpec(**merged)

    def __eq__(self, other) -> bool:
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self) -> int:
        return hash(self.to_string())

    def __repr__(self) -> str:
        return f"<DeviceSpec {self.to_string()!r}>"


def shape_n(input, out_type=dtypes.int32, name=None) -> list:  # noqa: A002 - TF's name
    """The shape of each tensor of the list."""
    from fluxion.ops.creation_ops import shape

    return [shape(t, out_type=out_type) for t in input]


class CriticalSection:
    """Runs functions one at a time (``tf.CriticalSection``): ``execute`` holds a lock."""

    def __init__(self, name=None, shared_name=None, critical_section_def=None,
                 import_scope=None):
        import threading

        self.name = name or "CriticalSection"
        self._lock = threading.RLock()

    def execute(self, fn, exclusive_resource_access=True, name=None):
        with self._lock:
            return fn()


def nondifferentiable_batch_function(num_batch_threads, max_batch_size, batch_timeout_micros,
                                     allowed_batch_sizes=None, max_enqueued_batches=10,
                                     autograph=True, enable_large_batch_splitting=True):
    """A decorator that, in TF Serving, batches concurrent calls; a call runs the function
    on its own batch here, with gradients stopped as TF's batched function has none."""
    from fluxion.ops.creation_ops import stop_gradient

    def decorator(fn):
        def wrapped(*args):
            return nest.map_structure(stop_gradient, fn(*[stop_gradient(a) for a in args]))

        return wrapped

    return decorator


def register_tensor_conversion_function(base_type, conversion_func, priority=100) -> None:
    """Lets ``convert_to_tensor`` (and so every op) accept objects of ``base_type``:
    ``conversion_func(value, dtype=None, name=None, as_ref=False)`` returns a tensor-like
    value or ``NotImplemented``.  Lower priorities are tried first."""
    from fluxion.core import tensor as tensor_module

    types_ = base_type if isinstance(base_type, builtins.tuple) else (base_type,)
    for kind in types_:
        if not isinstance(kind, type):
            raise TypeError(f"register_tensor_conversion_function: base_type must be a type "
                            f"or tuple of types, got {kind!r}")
        if kind in (str, bytes, int, float, bool, list, builtins.tuple, np.ndarray):
            raise TypeError(f"register_tensor_conversion_function: cannot override the "
                            f"conversion of {kind.__name__}")
    if not callable(conversion_func):
        raise TypeError("register_tensor_conversion_function: conversion_func must be callable")
    entries = tensor_module.CONVERSION_FUNCTIONS
    entries.append((int(priority), types_, conversion_func))
    entries.sort(key=lambda entry: entry[0])


def check_pinned(tensor, name=None):
    """Checks that ``tensor`` lives in pinned GPU host memory; as TF built without CUDA,
    Fluxion's NumPy backend raises FailedPreconditionError."""
    from fluxion.core.errors import FailedPreconditionError

    convert_to_tensor(tensor)
    raise FailedPreconditionError(None, None, "check_pinned: pinned host memory needs a "
                                              "CUDA build; Fluxion's NumPy backend has none")


def ragged_fill_empty_rows(value_rowids, values, nrows, default_value, name=None):
    """Adds ``default_value`` to each empty row of a ragged tensor given by row ids;
    returns ``(output_value_rowids, output_values, empty_row_indicator,
    reverse_index_map)``."""
    from collections import namedtuple

    from fluxion.core.primitives.gather_scatter import gather
    from fluxion.core.primitives.shape import concat
    from fluxion.ops.creation_ops import fill

    ids = np.asarray(convert_to_tensor(value_rowids)._value).astype(np.int64)
    count = int(np.asarray(convert_to_tensor(nrows)._value))
    values = convert_to_tensor(values)
    empty = np.bincount(ids, minlength=count)[:count] == 0
    added = np.nonzero(empty)[0]
    all_ids = np.concatenate([ids, added])
    order = np.argsort(all_ids, kind="stable")
    reverse = np.argsort(order, kind="stable")[:len(ids)]
    defaults = fill([len(added)], convert_to_tensor(default_value, dtype=values.dtype))
    merged = gather(concat([values, defaults], 0), convert_to_tensor(order.astype(np.int64)))
    result = namedtuple("RaggedFillEmptyRows", ["output_value_rowids", "output_values",
                                                 "empty_row_indicator", "reverse_index_map"])
    return result(convert_to_tensor(all_ids[order]), merged, convert_to_tensor(empty),
                  convert_to_tensor(reverse.astype(np.int64)))


def ragged_fill_empty_rows_grad(reverse_index_map, grad_values, name=None):
    """The gradients of ``ragged_fill_empty_rows``: ``(d_values, d_default_value)``."""
    from collections import namedtuple

    from fluxion.core.primitives.gather_scatter import gather
    from fluxion.ops.reduce_ops import reduce_sum

    grad_values = convert_to_tensor(grad_values)
    d_values = gather(grad_values, convert_to_tensor(reverse_index_map))
    result = namedtuple("RaggedFillEmptyRowsGrad", ["d_values", "d_default_value"])
    return result(d_values, reduce_sum(grad_values) - reduce_sum(d_values))
