"""``SymbolicTensor``: a Tensor that stands for a graph value while a trace runs.

It carries the static shape and dtype of its ``Value`` and the tracer that made it.
It has no data, so anything that needs data (``numpy()``, ``bool()``, ``float()``) is a
clear error naming the user's line; a Python ``if``/``while`` on it points to
``fluxion.cond`` / ``fluxion.while_loop``.
"""

from __future__ import annotations

from fluxion.core.dtypes import DType
from fluxion.core.errors import OperatorNotAllowedInGraphError, user_location
from fluxion.core.tensor import Tensor
from fluxion.core.tensor_shape import TensorShape


class SymbolicTensorError(OperatorNotAllowedInGraphError):
    """A symbolic (traced) tensor was used where a concrete value is needed."""


class SymbolicTensor(Tensor):
    """A tensor inside a graph being built: shape and dtype known, value not yet."""

    __slots__ = ("_graph_value", "_builder")

    def __init__(self, value, builder):
        self._value = None
        self._graph_value = value
        self._builder = builder

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._graph_value.aval.shape)

    @property
    def dtype(self) -> DType:
        return self._graph_value.aval.dtype

    @property
    def ndim(self) -> int:
        return len(self._graph_value.aval.shape)

    @property
    def name(self) -> str:
        value = self._graph_value
        if value.name:
            return value.name
        producer = value.producer
        if producer is None:
            return f"input_{value.id}:0"
        return f"{producer.prim.name}_{value.id}:{producer.outputs.index(value)}"

    @property
    def graph(self):
        return self._builder.graph

    @property
    def op(self):
        return self._graph_value.producer

    def _no_value(self, what: str) -> SymbolicTensorError:
        return SymbolicTensorError(
            f"{what} needs a concrete value, but {self.name} (shape {self.shape}, dtype "
            f"{self.dtype.name}) is symbolic: it is being traced into a graph "
            f"(fluxion.function or a TF1 graph) at {user_location()}. Return it from the "
            f"function, print it with fluxion.print, or run the code eagerly "
            f"(fluxion.config.run_functions_eagerly(True)).")

    def numpy(self):
        raise self._no_value("numpy()")

    def __array__(self, dtype=None, copy=None):
        raise self._no_value("Converting to a NumPy array")

    def __bool__(self) -> bool:
        raise SymbolicTensorError(
            f"Using a symbolic tensor as a Python bool is not allowed in a traced function "
            f"(at {user_location()}): a Python `if` or `while` cannot branch on a value the "
            f"graph computes later. AutoGraph converts such code in functions given to "
            f"fluxion.function (and the functions they call), but not here: this code is not "
            f"converted (autograph=False, do_not_convert, a lambda, library code, or source "
            f"that cannot be read). Use fluxion.cond(pred, true_fn, false_fn) for `if` and "
            f"fluxion.while_loop(cond, body, loop_vars) for `while`.")

    def __int__(self) -> int:
        raise self._no_value("int()")

    def __float__(self) -> float:
        raise self._no_value("float()")

    def __index__(self) -> int:
        raise self._no_value("Using a tensor as a Python index")

    def __len__(self) -> int:
        shape = self._graph_value.aval.shape
        if not shape:
            raise TypeError("len() of a scalar (rank-0) Tensor is undefined.")
        if shape[0] is None:
            raise self._no_value("len() of a tensor whose first dimension is unknown")
        return shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        return f"<tf.Tensor '{self.name}' shape={self.shape} dtype={self.dtype.name}>"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self):
        raise self._no_value("Pickling")

    def __deepcopy__(self, memo):
        return self
