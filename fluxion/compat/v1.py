"""``fluxion.compat.v1``: TensorFlow 1's API (``tf.compat.v1``).

The TF 1 graph API lives in ``fluxion.graph.v1``: ``placeholder``, ``Session``,
``Graph``, variable scopes, ``gradients``, ``train.*Optimizer``.  Every other name
(``matmul``, ``nn``, ``float32``...) is ``fluxion``'s own, looked up on first use, so
``import fluxion.compat.v1 as tf`` serves TF 1 scripts whole.

Graph mode starts with the first ``placeholder(...)`` or ``disable_eager_execution()``
and ends with ``reset_default_graph()`` / ``enable_eager_execution()`` (see
``fluxion.graph.v1.graph``).
"""

from __future__ import annotations

from fluxion.compat import root_namespace
from fluxion.compat import v1_layers as layers
from fluxion.compat import v1_logging as logging
from fluxion.compat import v1_losses as losses
from fluxion.compat import v1_nn as nn
from fluxion.compat.v1_ops import (
    arg_max,
    arg_min,
    argmax,
    argmin,
    count_nonzero,
    div,
    expand_dims,
    reduce_all,
    reduce_any,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_sum,
    squeeze,
    to_complex64,
    to_complex128,
    to_double,
    to_float,
    to_int32,
    to_int64,
)
from fluxion.compat.v1_session_config import (
    ConfigProto,
    GPUOptions,
    GraphOptions,
    OptimizerOptions,
    RunMetadata,
    RunOptions,
)
from fluxion.core.tape import GradientTape
from fluxion.core.variable import Variable
from fluxion.graph.v1 import initializers, train
from fluxion.graph.v1.gradients import gradients
from fluxion.graph.v1.graph import (
    Graph,
    GraphKeys,
    Operation,
    add_to_collection,
    control_dependencies,
    disable_eager_execution,
    disable_v2_behavior,
    enable_eager_execution,
    enable_v2_behavior,
    executing_eagerly,
    executing_eagerly_outside_functions,
    get_collection,
    get_collection_ref,
    get_default_graph,
    group,
    no_op,
    reset_default_graph,
)
from fluxion.graph.v1.initializers import (
    constant_initializer,
    glorot_normal_initializer,
    glorot_uniform_initializer,
    ones_initializer,
    random_normal_initializer,
    random_uniform_initializer,
    truncated_normal_initializer,
    zeros_initializer,
)
from fluxion.graph.v1.named_ops import named
from fluxion.graph.v1.placeholder import placeholder, placeholder_with_default
from fluxion.graph.v1.session import InteractiveSession, Session, get_default_session
from fluxion.graph.v1.variable_scope import (
    AUTO_REUSE,
    VariableScope,
    get_variable,
    get_variable_scope,
    variable_scope,
)
from fluxion.graph.v1.variables import (
    all_variables,
    assign,
    assign_add,
    assign_sub,
    global_variables,
    global_variables_initializer,
    initialize_all_variables,
    initialize_local_variables,
    initialize_variables,
    local_variables,
    local_variables_initializer,
    model_variables,
    moving_average_variables,
    tables_initializer,
    trainable_variables,
    variables_initializer,
)
from fluxion.ops.random_ops import normal as random_normal
from fluxion.ops.random_ops import set_seed as set_random_seed
from fluxion.ops.random_ops import truncated_normal
from fluxion.ops.random_ops import uniform as random_uniform

__all__ = [
    "ConfigProto", "GPUOptions", "GraphOptions", "OptimizerOptions", "RunMetadata",
    "RunOptions", "arg_max", "arg_min", "argmax", "argmin", "count_nonzero", "div",
    "expand_dims", "initialize_local_variables", "initialize_variables", "layers", "logging",
    "model_variables", "moving_average_variables", "tables_initializer", "losses", "nn",
    "reduce_all", "reduce_any", "reduce_logsumexp",
    "reduce_max", "reduce_mean", "reduce_min", "reduce_prod", "reduce_sum", "squeeze",
    "to_complex128", "to_complex64", "to_double", "to_float", "to_int32", "to_int64",
    "AUTO_REUSE", "GradientTape", "Graph", "GraphKeys", "InteractiveSession", "Operation",
    "Session", "Variable", "VariableScope", "add_to_collection", "all_variables", "assign",
    "assign_add", "assign_sub", "constant_initializer", "control_dependencies",
    "disable_eager_execution", "disable_v2_behavior", "enable_eager_execution",
    "enable_v2_behavior", "executing_eagerly", "executing_eagerly_outside_functions",
    "get_collection", "get_collection_ref", "get_default_graph", "get_default_session",
    "get_variable", "get_variable_scope", "global_variables", "global_variables_initializer",
    "glorot_normal_initializer", "glorot_uniform_initializer", "gradients", "group",
    "initialize_all_variables", "initializers", "local_variables",
    "local_variables_initializer", "no_op", "ones_initializer", "placeholder",
    "placeholder_with_default", "random_normal", "random_normal_initializer",
    "random_uniform", "random_uniform_initializer", "reset_default_graph", "set_random_seed",
    "train", "trainable_variables", "truncated_normal", "truncated_normal_initializer",
    "variable_scope", "variables_initializer", "zeros_initializer",
]


def __getattr__(name: str):
    """Any other name is ``fluxion``'s (``tf.compat.v1.matmul`` is ``tf.matmul``), its ops
    naming their graph ops as TF 1 does (``fluxion.graph.v1.op_names``)."""
    import inspect

    if name.startswith("__"):
        raise AttributeError(name)
    if name == "summary":  # TF 1's summaries (serialized protos), not TF 2's
        from fluxion.summary import v1 as summary_v1

        return summary_v1
    if name in ("Summary", "Event", "SessionLog", "SummaryDescription"):
        from fluxion.summary import v1 as summary_v1

        return getattr(summary_v1, name)
    try:
        value = getattr(root_namespace.root(), name)
    except AttributeError:
        raise AttributeError(f"module 'fluxion.compat.v1' has no attribute {name!r}") from None
    if inspect.isfunction(value):  # its graph ops named as TF 1 names them
        value = named(value)
        globals()[name] = value  # wrapped once
    return value


def _name_ops(namespace: dict, functions) -> None:
    for function in functions:
        namespace[function.__name__] = named(function)


_name_ops(globals(), [arg_max, arg_min, argmax, argmin, count_nonzero, div, expand_dims,
                      reduce_all, reduce_any, reduce_logsumexp, reduce_max, reduce_mean,
                      reduce_min, reduce_prod, reduce_sum, squeeze])


def __dir__() -> list:
    return sorted(set(globals()) | {n for n in dir(root_namespace.root()) if not n.startswith("_")})
