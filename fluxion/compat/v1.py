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
from fluxion.compat import v1_sparse as _v1_sparse
from fluxion.compat.v1_checks import (
    add_check_numerics_ops,
    assert_greater_equal,
    assert_integer,
    assert_less_equal,
    assert_near,
    assert_negative,
    assert_non_negative,
    assert_non_positive,
    assert_none_equal,
    assert_positive,
    assert_proper_iterable,
    assert_rank_at_least,
    assert_rank_in,
    assert_same_float_dtype,
    assert_scalar,
    assert_type,
    check_numerics,
    is_numeric_tensor,
    verify_tensor_all_finite,
)
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
from fluxion.compat.v1_renamed import (
    Dimension,
    Print,
    SparseTensorValue,
    batch_gather,
    batch_to_space_nd,
    bincount,
    clip_by_average_norm,
    confusion_matrix,
    convert_to_tensor_or_indexed_slices,
    convert_to_tensor_or_sparse_tensor,
    decode_raw,
    depth_to_space,
    dimension_at_index,
    dimension_value,
    extract_image_patches,
    floor_div,
    multinomial,
    parse_example,
    parse_single_example,
    py_func,
    random_poisson,
    reduce_join,
    setdiff1d,
    space_to_depth,
    string_split,
    string_to_hash_bucket,
    string_to_number,
    substr,
    to_bfloat16,
)
from fluxion.compat.v1_session_config import (
    ConfigProto,
    GPUOptions,
    GraphOptions,
    OptimizerOptions,
    RunMetadata,
    RunOptions,
)
from fluxion.compat.v1_sparse import (
    sparse_add,
    sparse_concat,
    sparse_matmul,
    sparse_merge,
    sparse_placeholder,
    sparse_segment_mean,
    sparse_segment_sqrt_n,
    sparse_segment_sum,
    sparse_split,
    sparse_to_dense,
)
from fluxion.compat.v1_state import (
    add_to_collections,
    assert_variables_initialized,
    batch_scatter_update,
    colocate_with,
    container,
    control_flow_v2_enabled,
    count_up_to,
    create_partitioned_variables,
    disable_control_flow_v2,
    disable_resource_variables,
    disable_tensor_equality,
    disable_v2_tensorshape,
    enable_control_flow_v2,
    enable_resource_variables,
    enable_tensor_equality,
    enable_v2_tensorshape,
    fixed_size_partitioner,
    get_local_variable,
    initialize_all_tables,
    is_variable_initialized,
    make_template,
    min_max_variable_partitioner,
    no_regularizer,
    op_scope,
    report_uninitialized_variables,
    resource_variables_enabled,
    scatter_add,
    scatter_div,
    scatter_max,
    scatter_min,
    scatter_mul,
    scatter_nd_add,
    scatter_nd_sub,
    scatter_nd_update,
    scatter_sub,
    scatter_update,
    variable_axis_size_partitioner,
    variable_op_scope,
)
from fluxion.core.random_state import get_seed
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
    orthogonal_initializer,
    random_normal_initializer,
    random_uniform_initializer,
    truncated_normal_initializer,
    uniform_unit_scaling_initializer,
    variance_scaling_initializer,
    zeros_initializer,
)
from fluxion.graph.v1.named_ops import named
from fluxion.graph.v1.placeholder import placeholder, placeholder_with_default
from fluxion.graph.v1.queues import (
    FIFOQueue,
    PaddingFIFOQueue,
    PriorityQueue,
    QueueBase,
    RandomShuffleQueue,
)
from fluxion.graph.v1.readers import (
    FixedLengthRecordReader,
    IdentityReader,
    ReaderBase,
    TextLineReader,
    TFRecordReader,
    WholeFileReader,
)
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

# TensorFlow's build constants, as TensorFlow 2.21 gives them (Fluxion's own version is
# fluxion.__version__; VERSION is the TensorFlow API version Fluxion follows).
VERSION = "2.21.0"
GIT_VERSION = "v2.21.0"
COMPILER_VERSION = "fluxion (pure Python)"
CXX_VERSION = 201703
CXX11_ABI_FLAG = 1
MONOLITHIC_BUILD = 0
GRAPH_DEF_VERSION = 2474
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0

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


# TF 1 names beyond the graph API (checks, renamed ops, sparse, state, queues).
__all__ += [
    "FIFOQueue", "PaddingFIFOQueue", "PriorityQueue", "QueueBase", "RandomShuffleQueue",
    "FixedLengthRecordReader", "IdentityReader", "ReaderBase", "TextLineReader",
    "TFRecordReader", "WholeFileReader",
    "Dimension", "Print", "SparseTensorValue", "add_check_numerics_ops",
    "add_to_collections", "assert_greater_equal", "assert_integer", "assert_less_equal",
    "assert_near", "assert_negative", "assert_non_negative", "assert_non_positive",
    "assert_none_equal", "assert_positive", "assert_proper_iterable",
    "assert_rank_at_least", "assert_rank_in", "assert_same_float_dtype", "assert_scalar",
    "assert_type", "assert_variables_initialized", "batch_gather", "batch_scatter_update",
    "batch_to_space_nd", "bincount", "check_numerics", "clip_by_average_norm",
    "colocate_with", "confusion_matrix", "container", "control_flow_v2_enabled",
    "convert_to_tensor_or_indexed_slices", "convert_to_tensor_or_sparse_tensor",
    "count_up_to", "create_partitioned_variables", "decode_raw", "depth_to_space",
    "dimension_at_index", "dimension_value", "disable_control_flow_v2",
    "disable_resource_variables", "disable_tensor_equality", "disable_v2_tensorshape",
    "enable_control_flow_v2", "enable_resource_variables", "enable_tensor_equality",
    "enable_v2_tensorshape", "extract_image_patches", "fixed_size_partitioner", "floor_div",
    "get_local_variable", "get_seed", "initialize_all_tables", "is_numeric_tensor",
    "is_variable_initialized", "make_template", "min_max_variable_partitioner",
    "multinomial", "no_regularizer", "op_scope", "orthogonal_initializer", "parse_example",
    "parse_single_example", "py_func", "random_poisson", "reduce_join",
    "report_uninitialized_variables", "resource_variables_enabled", "scatter_add",
    "scatter_div", "scatter_max", "scatter_min", "scatter_mul", "scatter_nd_add",
    "scatter_nd_sub", "scatter_nd_update", "scatter_sub", "scatter_update", "setdiff1d",
    "space_to_depth", "sparse_add", "sparse_concat", "sparse_matmul", "sparse_merge",
    "sparse_placeholder", "sparse_segment_mean", "sparse_segment_sqrt_n",
    "sparse_segment_sum", "sparse_split", "sparse_to_dense", "string_split",
    "string_to_hash_bucket", "string_to_number", "substr", "to_bfloat16",
    "uniform_unit_scaling_initializer", "variable_axis_size_partitioner",
    "variable_op_scope", "variance_scaling_initializer", "verify_tensor_all_finite",
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
    if name.startswith("sparse_reduce_"):
        return getattr(_v1_sparse, name)
    if name == "decode_csv":  # TF 1's own object with tf.io.decode_csv's arguments
        from fluxion.io import decode_csv

        return decode_csv
    if name in ("MetaGraphDef", "GraphDef", "NodeDef", "AttrValue", "NameAttrList"):
        from fluxion.graph.v1.meta_graph_proto import messages

        return messages()[name]
    if name in ("Summary", "Event", "SessionLog", "SummaryDescription", "HistogramProto",
                "SummaryMetadata", "LogMessage"):
        from fluxion.summary import v1 as summary_v1

        return getattr(summary_v1, name)
    from fluxion.compat import v1_aliases

    try:
        value = v1_aliases.resolve(v1_aliases.V1, name) if name in v1_aliases.V1 \
            else getattr(root_namespace.root(), name)
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
