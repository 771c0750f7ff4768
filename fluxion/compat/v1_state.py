"""TF 1's state functions: scatter updates of variables, initialization checks,
``make_template``, scope helpers, partitioners and the behaviour switches.

The scatter functions compose a read, a ``tensor_scatter_nd_*`` and an assignment, so
they work eagerly (the variable is updated and returned) and in a v1 graph (an assign
op whose fetch runs the update and gives the new value).
"""

from __future__ import annotations

import contextlib
import functools

import numpy as np

from fluxion.compat import root_namespace
from fluxion.core import dtypes
from fluxion.core.tensor import convert_to_tensor


def _tf():
    return root_namespace.root()


def _in_graph() -> bool:
    from fluxion.core import context
    from fluxion.graph.v1.graph import GraphBuilder

    return isinstance(context.tracer, GraphBuilder)


def _store(ref, value):
    """Assigns ``value`` to ``ref``: the assign op in a graph, the variable eagerly."""
    if _in_graph():
        from fluxion.graph.v1.variables import assign

        return assign(ref, value)
    ref.assign(value)
    return ref


def _row_indices(indices):
    indices = convert_to_tensor(indices)
    return _tf().expand_dims(indices, -1)


def _scatter(combine_name: str, doc: str):
    def scatter(ref, indices, updates, use_locking=False, name=None):
        tf = _tf()
        current = ref._read_for_op() if hasattr(ref, "_read_for_op") else ref
        updates = convert_to_tensor(updates, dtype=ref.dtype)
        rows = _row_indices(indices)
        if combine_name in ("add", "sub", "update", "max", "min"):
            op = getattr(tf, f"tensor_scatter_nd_{combine_name}")
            new = op(current, rows, updates)
        else:  # mul, div: combine the gathered rows, then write them back
            gathered = tf.gather_nd(current, rows)
            combined = gathered * updates if combine_name == "mul" else gathered / updates
            new = tf.tensor_scatter_nd_update(current, rows, combined)
        return _store(ref, new)

    scatter.__name__ = scatter.__qualname__ = f"scatter_{combine_name}"
    scatter.__doc__ = (f"``ref[indices] {doc} updates`` on the rows ``indices`` of the "
                       f"variable ``ref`` (TF 1's ``scatter_{combine_name}``).")
    return scatter


scatter_add = _scatter("add", "+=")
scatter_sub = _scatter("sub", "-=")
scatter_update = _scatter("update", "=")
scatter_max = _scatter("max", "= max(ref[indices], updates)")
scatter_min = _scatter("min", "= min(ref[indices], updates)")
scatter_mul = _scatter("mul", "*=")
scatter_div = _scatter("div", "/=")


def _scatter_nd(op_name: str):
    def scatter_nd(ref, indices, updates, use_locking=True, name=None):
        current = ref._read_for_op() if hasattr(ref, "_read_for_op") else ref
        new = getattr(_tf(), f"tensor_scatter_nd_{op_name}")(
            current, indices, convert_to_tensor(updates, dtype=ref.dtype))
        return _store(ref, new)

    scatter_nd.__name__ = scatter_nd.__qualname__ = f"scatter_nd_{op_name}"
    scatter_nd.__doc__ = (f"``tensor_scatter_nd_{op_name}`` applied to the variable "
                          f"``ref`` (TF 1's ``scatter_nd_{op_name}``).")
    return scatter_nd


scatter_nd_add = _scatter_nd("add")
scatter_nd_sub = _scatter_nd("sub")
scatter_nd_update = _scatter_nd("update")


def batch_scatter_update(ref, indices, updates, use_locking=True, name=None):
    """Per batch row ``b``: ``ref[b, indices[b]] = updates[b]``."""
    tf = _tf()
    indices = np.asarray(convert_to_tensor(indices).numpy())
    batch = np.indices(indices.shape)[:-1]
    full = np.stack(list(batch) + [indices], axis=-1)
    current = ref._read_for_op() if hasattr(ref, "_read_for_op") else ref
    return _store(ref, tf.tensor_scatter_nd_update(current, full, updates))


def count_up_to(ref, limit, name=None):
    """Increments the integer variable ``ref``, returning its value before; raises
    ``OutOfRangeError`` once it has reached ``limit``."""
    from fluxion.core.errors import OutOfRangeError

    def bump(value):
        if int(value) >= int(limit):
            raise OutOfRangeError(None, None, f"Reached limit of {int(limit)}")
        return np.asarray(value)

    tf = _tf()
    before = tf.numpy_function(bump, [ref._read_for_op()], ref.dtype)
    before = tf.reshape(before, [])
    assigned = _store(ref, before + tf.ones([], ref.dtype))
    if not _in_graph():
        return before
    with tf.control_dependencies([assigned]):
        return tf.identity(before)


# --- initialization checks ---------------------------------------------------------------
def _initialized_in_running_session(variables) -> np.ndarray:
    from fluxion.graph.v1.session import running_session

    session = running_session()
    if session is None:
        return np.ones(len(variables), bool)
    return np.asarray([id(v) in session._initialized for v in variables], bool)


def is_variable_initialized(variable):
    """A boolean tensor: whether ``variable`` is initialized (in the session running it)."""
    tf = _tf()
    if not _in_graph():
        return tf.constant(True)
    flags = tf.numpy_function(lambda: _initialized_in_running_session([variable]), [],
                              dtypes.bool_)
    return tf.reshape(flags, [])


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """The names (a string vector) of the variables of ``var_list`` (default: all global
    and local ones) not yet initialized in the session running it."""
    from fluxion.graph.v1.variables import global_variables, local_variables

    tf = _tf()
    variables = list(var_list) if var_list is not None else \
        global_variables() + local_variables()

    def report():
        flags = _initialized_in_running_session(variables)
        names = [v.name[:-2].encode() for v, ok in zip(variables, flags) if not ok]
        return np.asarray(names, dtype=object).reshape(-1)

    if not _in_graph():
        return tf.constant(np.asarray([], dtype=object).astype(bytes), dtype=dtypes.string)
    return tf.numpy_function(report, [], dtypes.string)


def assert_variables_initialized(var_list=None):
    """An op that raises ``FailedPreconditionError`` when run if a variable of
    ``var_list`` (default: all global ones) is not initialized."""
    from fluxion.core.errors import FailedPreconditionError
    from fluxion.graph.v1.variables import global_variables

    variables = list(var_list) if var_list is not None else global_variables()

    def check():
        flags = _initialized_in_running_session(variables)
        missing = [v.name for v, ok in zip(variables, flags) if not ok]
        if missing:
            raise FailedPreconditionError(None, None, f"Attempting to use uninitialized "
                                                      f"value {missing[0]}")
        return np.asarray(True)

    if not _in_graph():
        return None
    return _tf().numpy_function(check, [], dtypes.bool_)


def initialize_all_tables(name="init_all_tables"):
    """TF 1's old name of ``tables_initializer``."""
    from fluxion.graph.v1.variables import tables_initializer

    return tables_initializer(name)


def get_local_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                       trainable=False, collections=None, caching_device=None,
                       partitioner=None, validate_shape=True, use_resource=None,
                       custom_getter=None, constraint=None, synchronization=None,
                       aggregation=None):
    """``get_variable`` for a local variable: not trainable, in ``LOCAL_VARIABLES``
    (initialized by ``local_variables_initializer``), not in the global variables."""
    from fluxion.graph.v1.graph import GraphKeys, get_default_graph
    from fluxion.graph.v1.variable_scope import get_variable

    graph = get_default_graph()
    before = list(graph.get_collection(GraphKeys.GLOBAL_VARIABLES))
    variable = get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                            regularizer=regularizer, trainable=False, constraint=constraint)
    if variable not in before and graph.is_v1_variable(variable):
        globals_ref = graph.get_collection_ref(GraphKeys.GLOBAL_VARIABLES)
        globals_ref[:] = [v for v in globals_ref if v is not variable]
        graph.add_to_collection(GraphKeys.LOCAL_VARIABLES, variable)
    return variable


# --- collections, scopes, templates --------------------------------------------------------
def add_to_collections(names, value) -> None:
    """Adds ``value`` to each collection of ``names`` (one name or several)."""
    from fluxion.graph.v1.graph import add_to_collection

    for name in [names] if isinstance(names, str) else dict.fromkeys(names):
        add_to_collection(name, value)


def no_regularizer(_):
    """The regularizer that adds no loss (``tf.compat.v1.no_regularizer``)."""
    return None


@contextlib.contextmanager
def op_scope(values, name, default_name=None):
    """TF 1's old ``name_scope(name, default_name, values)``."""
    with _tf().name_scope(name or default_name) as scope:
        yield scope


def variable_op_scope(values, name_or_scope, default_name=None, initializer=None,
                      regularizer=None, caching_device=None, partitioner=None,
                      custom_getter=None, reuse=None, dtype=None, use_resource=None,
                      constraint=None):
    """TF 1's old ``variable_scope(name_or_scope, default_name, values)``."""
    from fluxion.graph.v1.variable_scope import variable_scope

    return variable_scope(name_or_scope, default_name=default_name, values=values,
                          initializer=initializer, reuse=reuse, dtype=dtype)


@contextlib.contextmanager
def container(container_name):
    """Groups stateful ops under a resource container.  Fluxion's variables live in
    their Python objects, so there is no container to pick: the block runs as is."""
    yield container_name


@contextlib.contextmanager
def colocate_with(op, ignore_existing=False):
    """Places the block's ops with ``op``.  Fluxion runs a graph on one device, so
    every op is already with every other: the block runs as is."""
    yield


def make_template(name_, func_, create_scope_now_=False, unique_name_=None,
                  custom_getter_=None, **kwargs):
    """``func_`` wrapped so that every call shares the variables the first call made
    with ``get_variable`` (all calls run in one variable scope, reusing after the first).

    >>> import fluxion.compat.v1 as tf1  # doctest: +SKIP
    >>> dense = tf1.make_template("dense", lambda x: x @ tf1.get_variable("w", [2, 2]))
    """
    from fluxion.graph.v1.graph import get_default_graph
    from fluxion.graph.v1.variable_scope import variable_scope

    state = {"scope": None, "calls": 0}

    def scope_for_call():
        if state["scope"] is None:
            name = unique_name_ or get_default_graph().unique_name(name_)
            with variable_scope(name) as scope:
                state["scope"] = scope
        return variable_scope(state["scope"], reuse=True if state["calls"] else None)

    if create_scope_now_:
        scope_for_call()

    @functools.wraps(func_)
    def template(*args, **call_kwargs):
        with scope_for_call():
            result = func_(*args, **{**kwargs, **call_kwargs})
        state["calls"] += 1
        return result

    return template


# --- partitioners ----------------------------------------------------------------------------
def fixed_size_partitioner(num_shards, axis=0):
    """A partitioner splitting ``axis`` into ``num_shards`` parts (fewer if the axis
    is shorter): ``partitioner(shape, dtype)`` gives the parts per axis."""
    def partitioner(shape, dtype=None, **_):
        parts = [1] * len(shape)
        parts[axis] = min(int(num_shards), int(shape[axis]))
        return parts
    return partitioner


def variable_axis_size_partitioner(max_shard_bytes, axis=0, bytes_per_string_element=16,
                                   max_shards=None):
    """A partitioner keeping each shard under ``max_shard_bytes`` along ``axis``."""
    if max_shard_bytes < 1:
        raise ValueError(f"max_shard_bytes must be positive, got {max_shard_bytes}")

    def partitioner(shape, dtype=dtypes.float32, **_):
        dtype = dtypes.as_dtype(dtype)
        element = bytes_per_string_element if dtype == dtypes.string else dtype.size
        slice_bytes = element * int(np.prod([d for i, d in enumerate(shape) if i != axis]))
        slices_per_shard = max(1, int(max_shard_bytes) // max(slice_bytes, 1))
        shards = int(np.ceil(int(shape[axis]) / slices_per_shard))
        if max_shards is not None:
            shards = min(shards, int(max_shards))
        parts = [1] * len(shape)
        parts[axis] = max(1, min(shards, int(shape[axis])))
        return parts
    return partitioner


def min_max_variable_partitioner(max_partitions=1, axis=0, min_slice_size=256 << 10,
                                 bytes_per_string_element=16):
    """A partitioner giving each shard at least ``min_slice_size`` bytes, at most
    ``max_partitions`` shards."""
    def partitioner(shape, dtype=dtypes.float32, **_):
        dtype = dtypes.as_dtype(dtype)
        element = bytes_per_string_element if dtype == dtypes.string else dtype.size
        total = element * int(np.prod(shape))
        shards = max(1, min(int(max_partitions), int(shape[axis]),
                            total // int(min_slice_size)))
        parts = [1] * len(shape)
        parts[axis] = shards
        return parts
    return partitioner


def create_partitioned_variables(shape, slicing, initializer, dtype=dtypes.float32,
                                 trainable=True, collections=None, name=None, reuse=None):
    """Variables holding the slices of one ``shape`` tensor cut as ``slicing`` says
    (parts per axis, one axis cut): a list, in order, each initialized with its slice
    of ``initializer(shape)``."""
    from fluxion.core.variable import Variable
    from fluxion.graph.v1.initializers import as_initial_value

    shape = [int(d) for d in shape]
    if len(slicing) != len(shape):
        raise ValueError(f"slicing {list(slicing)} must give one count per dimension of "
                         f"shape {shape}")
    cut = [i for i, parts in enumerate(slicing) if parts > 1]
    if len(cut) > 1:
        raise ValueError(f"Can only slice a variable along one dimension, slicing={slicing}")
    whole = np.asarray(as_initial_value(initializer, shape, dtypes.as_dtype(dtype)).numpy())
    axis = cut[0] if cut else 0
    pieces = np.array_split(whole, slicing[axis] if cut else 1, axis=axis)
    base = name or "PartitionedVariable"
    return [Variable(piece, trainable=trainable, name=f"{base}/part_{i}", dtype=dtype)
            for i, piece in enumerate(pieces)]


# --- behaviour switches ------------------------------------------------------------------------
_BEHAVIOUR = {"control_flow_v2": True, "resource_variables": True, "tensor_equality": True,
              "v2_tensorshape": True}


def _switch(key: str, value: bool, doc: str):
    def switch():
        _BEHAVIOUR[key] = value
    switch.__name__ = switch.__qualname__ = \
        f"{'enable' if value else 'disable'}_{key}"
    switch.__doc__ = doc
    return switch


_CONTROL_FLOW = ("Fluxion's control flow is always TF 2's (functional cond/while); the "
                 "switch is recorded for control_flow_v2_enabled().")
_RESOURCE = ("Fluxion's variables are always resource variables (reads see the latest "
             "assignment); the switch is recorded for resource_variables_enabled().")
_EQUALITY = ("TF 2's tensor equality: == compares elementwise and tensors hash by identity "
             "only where hashable; recorded switch.")
_SHAPE = ("TF 2's TensorShape gives ints for dimensions; dimension_value() reads both "
          "forms; recorded switch.")
enable_control_flow_v2 = _switch("control_flow_v2", True, _CONTROL_FLOW)
disable_control_flow_v2 = _switch("control_flow_v2", False, _CONTROL_FLOW)
enable_resource_variables = _switch("resource_variables", True, _RESOURCE)
disable_resource_variables = _switch("resource_variables", False, _RESOURCE)
enable_tensor_equality = _switch("tensor_equality", True, _EQUALITY)
disable_tensor_equality = _switch("tensor_equality", False, _EQUALITY)
enable_v2_tensorshape = _switch("v2_tensorshape", True, _SHAPE)
disable_v2_tensorshape = _switch("v2_tensorshape", False, _SHAPE)


def control_flow_v2_enabled() -> bool:
    """Whether TF 2 control flow was last switched on (it is by default)."""
    return _BEHAVIOUR["control_flow_v2"]


def resource_variables_enabled() -> bool:
    """Whether resource variables were last switched on (they are by default)."""
    return _BEHAVIOUR["resource_variables"]
