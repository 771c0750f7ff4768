"""TF 1 op names for public functions: ``named(function)`` names the op a call builds in a
v1 graph from its ``name=`` argument, or TensorFlow's default name for the function.

Separate from ``op_names`` (the naming rules and operation views the graph itself uses),
because it reads the graph being built.
"""

from __future__ import annotations

import functools
import inspect

from fluxion.core import context, name_scope
from fluxion.graph.v1.graph import GraphBuilder
from fluxion.graph.v1.op_names import default_op_name, sanitized_op_name, scoped


def named(function, default: str | None = None):
    """``function`` whose op, in a v1 graph, is named ``name=`` or TensorFlow's default.

    Outside a v1 graph it is ``function`` itself, called as is.
    """
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return function
    if "name" not in parameters:
        return function
    position = list(parameters).index("name")
    op_default = default or default_op_name(function.__name__)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        builder = context.tracer
        if not isinstance(builder, GraphBuilder):
            return function(*args, **kwargs)
        given = kwargs.get("name", args[position] if len(args) > position else None)
        graph = builder.owner
        op_name = graph.unique_name(scoped(sanitized_op_name(given) or op_default, graph))
        before = len(graph.ir_graph.nodes)
        with name_scope.name_scope(op_name + "/"):
            result = function(*args, **kwargs)
        nodes = graph.ir_graph.nodes
        if len(nodes) > before:
            graph.rename_node(nodes[-1], op_name)
        return result

    wrapper.__fluxion_named__ = True
    return wrapper
