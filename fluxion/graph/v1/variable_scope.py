"""``variable_scope`` and ``get_variable``: named, shareable variables (TF 1).

Each graph keeps a store of the variables ``get_variable`` made, by full name
(``scope/sub/name``), and a stack of open scopes.  Reuse follows TF: with
``reuse=False`` (the default) an existing name is an error; with ``reuse=True`` a
missing one is; ``AUTO_REUSE`` creates or reuses.  Reuse is inherited by nested
scopes and cannot be turned off inside a reusing scope.  Variables made with
``Variable(...)`` inside a scope get its name as a prefix (made unique).
"""

from __future__ import annotations

import contextlib
import enum

from fluxion.core import dtypes
from fluxion.core.tensor_shape import TensorShape
from fluxion.core.variable import Variable
from fluxion.graph.v1 import initializers
from fluxion.graph.v1.graph import get_default_graph


class _ReuseMode(enum.Enum):
    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE


class VariableScope:
    """A scope's settings: full name, reuse mode, default initializer and dtype."""

    def __init__(self, reuse, name: str = "", initializer=None, dtype=dtypes.float32):
        self._name = name
        self._reuse = reuse
        self.initializer = initializer
        self.dtype = dtypes.as_dtype(dtype)

    @property
    def name(self) -> str:
        return self._name

    @property
    def original_name_scope(self) -> str:
        return self._name + "/" if self._name else ""

    @property
    def reuse(self):
        return self._reuse

    def reuse_variables(self) -> None:
        """Makes this scope reuse variables from now on."""
        self._reuse = True

    def set_initializer(self, initializer) -> None:
        self.initializer = initializer

    def __repr__(self) -> str:
        return f"<VariableScope name={self._name!r} reuse={self._reuse}>"


def get_variable_scope() -> VariableScope:
    """The innermost open variable scope of the default graph (the root scope if none)."""
    graph = get_default_graph()
    if not graph._var_scopes:
        graph._var_scopes.append(VariableScope(False))
    return graph._var_scopes[-1]


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name: str | None = None, values=None,
                   initializer=None, regularizer=None, caching_device=None, partitioner=None,
                   custom_getter=None, reuse=None, dtype=None, use_resource=None,
                   constraint=None, auxiliary_name_scope=True):
    """Opens a scope: its name prefixes variable names; ``reuse`` governs sharing.

    Args:
      name_or_scope: a name (relative to the enclosing scope) or a ``VariableScope``
        (absolute, re-entered).
      default_name: used, made unique, when ``name_or_scope`` is None.
      initializer: the default initializer of ``get_variable`` inside.
      reuse: ``True``, ``AUTO_REUSE``, or ``None``/``False`` (inherit the parent's).
      dtype: the default dtype of ``get_variable`` inside.

    >>> with variable_scope("layer"):  # doctest: +SKIP
    ...     w = get_variable("w", [2, 3])  # named "layer/w:0"
    """
    graph = get_default_graph()
    parent = get_variable_scope()
    if isinstance(name_or_scope, VariableScope):
        name = name_or_scope.name
        base = name_or_scope
    elif name_or_scope is not None:
        name = f"{parent.name}/{name_or_scope}" if parent.name else str(name_or_scope)
        base = None
    elif default_name is not None:
        prefix = f"{parent.name}/{default_name}" if parent.name else default_name
        name = graph.unique_name(prefix)
        base = None
    else:
        raise TypeError("variable_scope: name_or_scope and default_name cannot both be None")
    if parent.reuse is True or reuse is True:
        mode = True
    elif reuse is AUTO_REUSE or (reuse is None and parent.reuse is AUTO_REUSE):
        mode = AUTO_REUSE
    elif base is not None and reuse is None:
        mode = base.reuse
    else:
        mode = False
    scope = VariableScope(mode, name,
                          initializer if initializer is not None else
                          (base or parent).initializer,
                          dtype if dtype is not None else (base or parent).dtype)
    graph._var_scopes.append(scope)
    try:
        yield scope
    finally:
        graph._var_scopes.remove(scope)


def get_variable(name: str, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, caching_device=None, partitioner=None,
                 validate_shape=True, use_resource=None, custom_getter=None, constraint=None,
                 synchronization=None, aggregation=None) -> Variable:
    """Gets the variable ``scope/name``, or creates it (``tf.compat.v1.get_variable``).

    Args:
      name: the name within the current variable scope.
      shape: its shape (required when creating, unless the initializer is a value).
      dtype: its dtype; the scope's (float32) by default.
      initializer: an initializer object or function ``(shape, dtype) -> value``, or
        a value; by default the scope's, else Glorot uniform (zeros for integers).
      trainable: whether it joins the trainable variables (default True).
      regularizer: a function of the new variable whose result joins the
        ``REGULARIZATION_LOSSES`` collection.

    Returns:
      The new or reused ``Variable``.
    """
    graph = get_default_graph()
    scope = get_variable_scope()
    full = f"{scope.name}/{name}" if scope.name else name
    dtype = dtypes.as_dtype(dtype) if dtype is not None else None
    existing = graph._var_store.get(full)
    if existing is not None:
        if scope.reuse is False or scope.reuse is None:
            raise ValueError(f"Variable {full} already exists, disallowed. Did you mean to set "
                             f"reuse=True or reuse=tf.AUTO_REUSE in VarScope?")
        if shape is not None and not TensorShape(shape).is_compatible_with(existing.shape):
            raise ValueError(f"Trying to share variable {full}, but specified shape "
                             f"{tuple(TensorShape(shape).as_list())} and found shape "
                             f"{tuple(existing.shape.as_list())}.")
        if dtype is not None and dtype is not existing.dtype:
            raise ValueError(f"Trying to share variable {full}, but specified dtype "
                             f"{dtype.name} and found dtype {existing.dtype.name}.")
        return existing
    if scope.reuse is True:
        raise ValueError(f"Variable {full} does not exist, or was not created with "
                         f"tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in "
                         f"VarScope?")
    dtype = dtype or scope.dtype
    initializer = initializer if initializer is not None else scope.initializer
    if initializer is not None and not callable(initializer):
        if shape is not None:
            raise ValueError(f"get_variable {full}: if initializer is a constant, do not "
                             f"specify shape.")
        initial = initializers.as_initial_value(initializer, None, dtype)
    else:
        if shape is None or not TensorShape(shape).is_fully_defined():
            raise ValueError(f"Shape of a new variable ({full}) must be fully defined, but "
                             f"instead was {shape}.")
        if initializer is None:
            initializer = initializers.GlorotUniform() if dtype.is_floating else \
                initializers.Zeros()
        dims = tuple(TensorShape(shape).as_list())
        initial = _Deferred(initializer, dims, dtype)
    with graph.exact_variable_names():
        variable = Variable(initial, trainable=trainable, name=full, dtype=dtype,
                            constraint=constraint)
    graph._var_store[full] = variable
    if regularizer is not None:  # its loss joins the collection get_total_loss reads
        loss = regularizer(variable)
        if loss is not None:
            graph.add_to_collection("regularization_losses", loss)
    return variable


class _Deferred:
    """A callable initial value: the Variable constructor runs it eagerly."""

    def __init__(self, initializer, shape: tuple, dtype):
        self.initializer, self.shape, self.dtype = initializer, shape, dtype

    def __call__(self):
        return initializers.as_initial_value(self.initializer, self.shape, self.dtype)
