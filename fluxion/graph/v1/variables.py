"""TF 1 variable functions: collections, initializers and assign ops.

A variable created while a v1 graph is being built keeps its eager initial value
(the ``Variable`` constructor computes it), but must still be initialized in a session
before it is read (``Session`` checks).  Its initializer is an ``assign_variable``
node of that initial value, made when the variable is created
(``variable.initializer``); ``global_variables_initializer()`` groups them.
"""

from __future__ import annotations

from fluxion.core.tensor import convert_to_tensor
from fluxion.graph.symbolic import SymbolicTensor
from fluxion.graph.v1.graph import GraphKeys, Operation, get_default_graph


def global_variables(scope: str | None = None) -> list:
    """The variables created in the default graph (``tf.compat.v1.global_variables``)."""
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def trainable_variables(scope: str | None = None) -> list:
    """The trainable variables created in the default graph."""
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope: str | None = None) -> list:
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def all_variables() -> list:
    return global_variables()


def variables_initializer(var_list, name: str = "init") -> Operation:
    """An Operation that initializes ``var_list`` (``tf.compat.v1.variables_initializer``).

    Variables created outside graph mode are already initialized and add nothing.
    """
    graph = get_default_graph()
    nodes: list = []
    for variable in var_list:
        op = graph.initializer_of(variable)
        if op is not None:
            nodes.extend(op._nodes)
    return Operation(graph, nodes, graph.unique_name(name))


def global_variables_initializer() -> Operation:
    """An Operation that initializes every global variable of the default graph.

    >>> import fluxion.compat.v1 as tf  # doctest: +SKIP
    >>> init = tf.global_variables_initializer()  # doctest: +SKIP
    >>> with tf.Session() as sess:  # doctest: +SKIP
    ...     sess.run(init)
    """
    return variables_initializer(global_variables(), name="init")


def local_variables_initializer() -> Operation:
    return variables_initializer(local_variables(), name="init_1")


initialize_all_variables = global_variables_initializer


def assign(ref, value, validate_shape=None, use_locking=None, name=None) -> SymbolicTensor:
    """An op of the default graph that stores ``value`` into variable ``ref`` when run.

    Fetching it runs the assignment and returns the assigned value.
    """
    graph = get_default_graph()
    with graph.building():
        tensor = convert_to_tensor(value, dtype=ref.dtype)
        ref._check_shape(tensor, "assign")
        return graph.builder.assign_variable(ref, tensor)


def assign_add(ref, value, use_locking=None, name=None) -> SymbolicTensor:
    """An op that adds ``value`` to variable ``ref`` when run."""
    graph = get_default_graph()
    with graph.building():
        return assign(ref, ref._read_for_op() + convert_to_tensor(value, dtype=ref.dtype))


def assign_sub(ref, value, use_locking=None, name=None) -> SymbolicTensor:
    """An op that subtracts ``value`` from variable ``ref`` when run."""
    graph = get_default_graph()
    with graph.building():
        return assign(ref, ref._read_for_op() - convert_to_tensor(value, dtype=ref.dtype))


initialize_variables = variables_initializer
initialize_local_variables = local_variables_initializer


def model_variables(scope: str | None = None) -> list:
    """The variables in the ``model_variables`` collection (``tf.compat.v1``)."""
    return get_default_graph().get_collection("model_variables", scope)


def moving_average_variables(scope: str | None = None) -> list:
    """The variables in the ``moving_average_variables`` collection."""
    return get_default_graph().get_collection("moving_average_variables", scope)


def tables_initializer(name: str = "init_all_tables") -> Operation:
    """An Operation running every op in the ``table_initializer`` collection (the lookup
    tables' initializers)."""
    graph = get_default_graph()
    nodes: list = []
    for item in graph.get_collection("table_initializer"):
        nodes.extend(graph.nodes_of(item))
    return Operation(graph, nodes, graph.unique_name(name))
