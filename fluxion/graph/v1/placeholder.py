"""``placeholder``: a graph input that ``Session.run`` feeds (TF 1).

Calling ``placeholder`` outside any ``with graph.as_default():`` block activates the
global default graph: from then on ops bind into it (TF 1 graph mode) until
``reset_default_graph()`` or ``enable_eager_execution()``.

A placeholder of unknown rank (``shape=None``) is built as a rank-0 value, as
variables of unknown shape are: ops see a scalar while the graph is built, and the
session specialises the compiled graph to whatever shape is fed.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval
from fluxion.core.tensor import convert_to_tensor
from fluxion.core.tensor_shape import TensorShape
from fluxion.graph.symbolic import SymbolicTensor
from fluxion.graph.v1.graph import activate_default_graph


def placeholder(dtype, shape=None, name: str | None = None) -> SymbolicTensor:
    """A tensor whose value is fed to ``Session.run`` (``tf.compat.v1.placeholder``).

    Args:
      dtype: the element type of the fed values.
      shape: the static shape; ``None`` entries are any size, ``shape=None`` any shape.
      name: its name (``name:0``); ``"Placeholder"`` by default, made unique.

    Returns:
      A symbolic tensor of the default graph.

    >>> import fluxion.compat.v1 as tf  # doctest: +SKIP
    >>> x = tf.placeholder(tf.float32, shape=[None, 3])  # doctest: +SKIP
    """
    return _graph_input("placeholder", dtype, shape, name or "Placeholder", None)


def placeholder_with_default(input, shape, name: str | None = None) -> SymbolicTensor:
    """A placeholder that takes the value ``input`` when it is not fed."""
    default = convert_to_tensor(input)
    if default._value is None:
        raise TypeError("placeholder_with_default: the default must be a concrete value")
    return _graph_input("placeholder_with_default", default.dtype, shape,
                        name or "PlaceholderWithDefault", default._value)


def _graph_input(what: str, dtype, shape, name: str, default) -> SymbolicTensor:
    graph = activate_default_graph(what)
    dtype = dtypes.as_dtype(dtype)
    static = TensorShape(shape)
    known_rank = static.rank is not None
    dims = tuple(static.as_list()) if known_rank else ()
    if default is not None:
        if known_rank and not static.is_compatible_with(default.shape):
            raise ValueError(f"{what}: the default value of shape {default.shape} is not "
                             f"compatible with shape {static}")
        default = np.asarray(default, dtype=dtype.np_dtype)
    unique = graph.unique_name(name)
    tensor = graph.builder.add_input(Aval(dims, dtype), name=f"{unique}:0")
    graph._placeholders[tensor._graph_value.id] = {"known_rank": known_rank,
                                                   "default": default}
    return tensor
