"""``Variable``: named mutable state that reads as a tensor in every op.

A variable holds one immutable ``Tensor``; ``assign`` swaps in a new one, so tensors
read earlier keep their values (as TF's read-then-assign semantics require).  Ops see
a variable through ``_read_for_op``: it returns the current tensor, or, while a tape
watches the variable, a fresh leaf that the tape maps back to it.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import inspect
import itertools
import threading

import numpy as np

from fluxion.core import context, dtypes, name_scope
from fluxion.core.tensor import Tensor, TensorRef, _shape_text, convert_to_tensor, numpy_text
from fluxion.core.tensor_shape import TensorShape, as_shape

_uids = itertools.count(1)


class VariableSynchronization(enum.Enum):
    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(enum.Enum):
    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3


class _Creators(threading.local):
    def __init__(self):
        self.stack: list = []


_creators = _Creators()


class _VariableType(type):
    """Routes ``Variable(...)`` through the functions of ``variable_creator_scope``."""

    def __call__(cls, *args, **kwargs):
        if not _creators.stack or cls is not Variable:
            return super().__call__(*args, **kwargs)
        bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
        arguments = dict(bound.arguments)
        arguments.pop("self")
        arguments.update(arguments.pop("kwargs", {}))

        def base(**kw):
            return type.__call__(cls, **kw)

        chain = base
        for creator in _creators.stack:  # the innermost scope's creator runs first
            chain = functools.partial(_call_creator, creator, chain)
        return chain(**arguments)


def _call_creator(creator, next_creator, **kwargs):
    return creator(next_creator, **kwargs)


@contextlib.contextmanager
def variable_creator_scope(variable_creator):
    """Within the block, ``Variable(...)`` calls ``variable_creator(next_creator,
    **kwargs)``, which may change the arguments and must return
    ``next_creator(**kwargs)`` or another variable (``tf.variable_creator_scope``)."""
    if not callable(variable_creator):
        raise TypeError(f"variable_creator_scope: expected a function, got "
                        f"{variable_creator!r}")
    _creators.stack.append(variable_creator)
    try:
        yield
    finally:
        _creators.stack.pop()


class Variable(metaclass=_VariableType):
    """A mutable tensor-valued state (``tf.Variable``).

    Args:
      initial_value: a tensor-like value, or a callable returning one.
      trainable: whether tapes watch it automatically (default True).
      name: its name; ``":0"`` is appended as in TF.
      dtype: convert ``initial_value`` to this dtype.
      shape: a less specific shape (with ``None``) allows assigning other shapes.
      constraint: a function applied by optimizers after each update.

    >>> v = Variable([1.0, 2.0])
    >>> v.assign_add([1.0, 1.0]).numpy()
    array([2., 3.], dtype=float32)
    """

    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 import_scope=None, constraint=None,
                 synchronization=VariableSynchronization.AUTO,
                 aggregation=VariableAggregation.NONE, shape=None,
                 experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("Variable needs an initial_value (a tensor-like value or a "
                             "callable returning one).")
        if callable(initial_value):
            with _outside_traces():  # initializers run eagerly, as under tf.init_scope
                initial_value = initial_value()
        if constraint is not None and not callable(constraint):
            raise ValueError(f"constraint must be callable, got {constraint!r}")
        tensor = _owned(initial_value, dtype)
        self._graph_initial_value = None
        if tensor._value is None and getattr(context.tracer, "accepts_symbolic_initial_values",
                                             False):
            # A TF 1 graph: the initializer op computes the value (a random op samples
            # when the initializer runs); until then the variable holds zeros.
            self._graph_initial_value = tensor
            tensor = _zeros_for(tensor, name)
        if tensor._value is None:
            raise ValueError(
                "Variable: the initial value is a symbolic tensor of a traced function. "
                "Pass a callable (Variable(lambda: ...)) or create the variable under "
                "fluxion.init_scope(), so that its initializer runs eagerly.")
        self._tensor = tensor
        self._shape = TensorShape(tensor._value.shape) if shape is None else as_shape(shape)
        if not self._shape.is_compatible_with(tensor._value.shape):
            raise ValueError(f"Variable: the initial value has shape {tensor.shape}, which "
                             f"is not compatible with shape={self._shape}")
        if trainable is None:
            trainable = synchronization is not VariableSynchronization.ON_READ
        self._trainable = bool(trainable)
        base = name_scope.scoped(name if name is not None else "Variable")
        self._name = base if base.endswith(":0") else base + ":0"
        self._uid = next(_uids)
        self.constraint = constraint
        self.synchronization = synchronization
        self.aggregation = aggregation
        if context.tracer is not None and hasattr(context.tracer, "on_variable_created"):
            context.tracer.on_variable_created(self)

    # --- reading -------------------------------------------------------------------------------
    def _read_for_op(self) -> Tensor:
        tensor = self._tensor
        if context.tracer is not None:
            tensor = context.tracer.read_variable(self)
        if context.tapes:
            fresh = None
            for tape in context.tapes:
                if tape._wants(self):
                    if fresh is None:
                        fresh = Tensor(tensor._value) if type(tensor) is Tensor else tensor
                    tape._note_read(self, fresh)
            if fresh is not None:
                return fresh
        return tensor

    def _read_plain(self) -> Tensor:
        """The current value, without notifying tapes."""
        return self._tensor

    def value(self) -> Tensor:
        return self._read_for_op()

    def read_value(self) -> Tensor:
        return self._read_for_op()

    def numpy(self):
        value = self._tensor._value
        return value[()].copy() if value.ndim == 0 else value.copy()

    def __array__(self, dtype=None, copy=None):
        value = np.asarray(self._tensor._value)
        return value.copy() if dtype is None else value.astype(dtype)

    # --- writing -------------------------------------------------------------------------------
    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Replaces the value; ValueError if its shape does not fit the variable's."""
        tensor = _owned(value, self.dtype, variable=self)
        self._check_shape(tensor, "assign")
        written = self._write(tensor)
        return self if written is None else written

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return self._update(delta, "assign_add", np.add)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return self._update(delta, "assign_sub", np.subtract)

    def _update(self, delta, what: str, ufunc):
        delta = _owned(delta, self.dtype, variable=self, copy=False)
        self._check_shape(delta, what)
        if context.tracer is None:
            # np.asarray: a ufunc on 0-d arrays returns a NumPy scalar, not an array
            self._write(Tensor(np.asarray(ufunc(self._tensor._value, delta._value))))
        else:  # traced: the update becomes graph ops on the variable's current value
            from fluxion.core.primitives import elementwise

            current = context.tracer.read_variable(self)
            written = self._write(elementwise.add(current, delta) if ufunc is np.add
                                  else elementwise.sub(current, delta))
            if written is not None:
                return written
        return self

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        """Writes ``sparse_delta.values`` into the rows ``sparse_delta.indices``."""
        return self._scatter(sparse_delta, "scatter_update", _set_rows)

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        """Adds ``sparse_delta.values`` to the rows ``sparse_delta.indices`` (repeats add up)."""
        return self._scatter(sparse_delta, "scatter_add", np.add.at)

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(sparse_delta, "scatter_sub", np.subtract.at)

    def _scatter(self, sparse_delta, what: str, apply):
        if not hasattr(sparse_delta, "indices") or not hasattr(sparse_delta, "values"):
            raise TypeError(f"{what} expects a fluxion.IndexedSlices(values, indices), got "
                            f"{type(sparse_delta).__name__}")
        indices = np.asarray(convert_to_tensor(sparse_delta.indices)._value)
        values = _owned(sparse_delta.values, self.dtype, variable=self, copy=False)._value
        current = self._tensor._value
        if indices.size and (indices.max() >= current.shape[0] or indices.min() < 0):
            from fluxion.core.errors import InvalidArgumentError, op_error

            raise op_error(InvalidArgumentError, what,
                           f"indices must be in [0, {current.shape[0]}), got {indices.tolist()}")
        updated = current.copy()
        apply(updated, indices, values)
        self._write(Tensor(updated))
        return self

    def _write(self, tensor: Tensor):
        """Stores ``tensor``; under a tracer returns what the tracer made (a TF1 assign op)."""
        if context.tracer is not None:
            return context.tracer.assign_variable(self, tensor)
        self._tensor = tensor
        return None

    def _check_shape(self, tensor: Tensor, what: str) -> None:
        if not self._shape.is_compatible_with(tensor.shape):
            raise ValueError(
                f"Cannot {what} to variable '{self._name}': shape mismatch. The variable "
                f"shape {self._shape} and the value shape {tensor.shape} are incompatible.")

    # --- metadata ------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self) -> dtypes.DType:
        return dtypes.from_numpy(self._tensor._value.dtype)

    @property
    def shape(self) -> TensorShape:
        return self._shape if not self._shape.is_fully_defined() else \
            TensorShape(self._tensor._value.shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def ndim(self) -> int:
        return self._tensor._value.ndim

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def device(self) -> str:
        return self._tensor.device

    @property
    def initial_value(self) -> Tensor:
        return self._tensor

    def ref(self) -> TensorRef:
        return TensorRef(self)

    def __hash__(self):
        raise TypeError("Variable is unhashable. Use variable.ref() as a dictionary key.")

    def __len__(self) -> int:
        return len(self._tensor)

    def __iter__(self):
        return iter(self._read_for_op())

    def __bool__(self) -> bool:
        return bool(self._tensor)

    def __float__(self) -> float:
        return float(self._tensor)

    def __int__(self) -> int:
        return int(self._tensor)

    def __index__(self) -> int:
        return self._tensor.__index__()

    def __repr__(self) -> str:
        body = numpy_text(self._tensor._value)
        return (f"<tf.Variable '{self._name}' shape={_shape_text(self._tensor._value.shape)} "
                f"dtype={self.dtype.name}, numpy={body}>")

    def __deepcopy__(self, memo):
        copy = Variable(self._tensor._value.copy(), trainable=self._trainable,
                        name=self._name[:-2], constraint=self.constraint, shape=self._shape)
        return copy


class _outside_traces:
    """Runs a block eagerly even while a graph is being traced (``fluxion.init_scope``)."""

    def __enter__(self):
        self._saved = context.tracer
        context.tracer = None

    def __exit__(self, *exc):
        context.tracer = self._saved


init_scope = _outside_traces


def _owned(value, dtype, variable=None, copy=True) -> Tensor:
    """``value`` as a Tensor of ``dtype`` that no caller can mutate behind our back."""
    try:
        tensor = convert_to_tensor(value, dtype=dtype)
    except TypeError as error:
        where = f" for variable '{variable.name}'" if variable is not None else ""
        raise TypeError(f"Cannot convert the value{where}: {error}") from None
    if copy and not isinstance(value, (Tensor, Variable)):
        array = tensor._value
        if isinstance(value, np.ndarray) and np.shares_memory(array, value):
            tensor = Tensor(array.copy())
    return tensor


def _zeros_for(symbolic: Tensor, name) -> Tensor:
    """Zeros of ``symbolic``'s static shape and dtype (which must be fully known)."""
    shape = tuple(symbolic.shape)
    if any(size is None for size in shape):
        raise ValueError(f"Variable {name or ''}: the initial value {symbolic.name} has shape "
                         f"{symbolic.shape}, not fully known; a TF 1 graph variable needs a "
                         f"static shape (give the initial value a fixed shape).")
    return Tensor(np.zeros(shape, dtype=symbolic.dtype.np_dtype))


def _set_rows(target: np.ndarray, indices: np.ndarray, values: np.ndarray) -> None:
    target[indices] = values
