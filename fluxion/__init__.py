"""Fluxion: TensorFlow's and Keras's API, in Python, with NumPy as its only dependency.

``import fluxion as tf`` serves TensorFlow 2 code.  This module only re-exports; the
engine lives in ``fluxion.core`` and the public ops in ``fluxion.ops``.
"""

import sys as _sys

from fluxion import config, errors, nest
from fluxion.core.custom_gradient import custom_gradient
from fluxion.core.device import device
from fluxion.core.dtypes import (
    DType,
    as_dtype,
    bfloat16,
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    qint8,
    qint16,
    qint32,
    quint8,
    quint16,
    resource,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
    variant,
)
from fluxion.core.dtypes import (
    bool_ as bool,  # noqa: A001 - TF's name
)
from fluxion.core.indexed_slices import IndexedSlices
from fluxion.core.module import Module
from fluxion.core.name_scope import get_current_name_scope, name_scope
from fluxion.core.tape import GradientTape, UnconnectedGradients
from fluxion.core.tensor import Tensor, TensorRef
from fluxion.core.tensor_shape import TensorShape
from fluxion.core.tensor_spec import TensorSpec
from fluxion.core.variable import (
    Variable,
    VariableAggregation,
    VariableSynchronization,
    init_scope,
    variable_creator_scope,
)
from fluxion.graph.control_flow import case, cond, switch_case, while_loop
from fluxion.graph.function import Function, function
from fluxion.graph.functional_ops import foldl, foldr, map_fn, scan, vectorized_map
from fluxion.graph.tensor_array import TensorArray, TensorArraySpec
from fluxion.ops import bitwise, dtypes, linalg, math, nn, ragged, random, sparse
from fluxion.ops.array_extra import *
from fluxion.ops.array_ops import *
from fluxion.ops.clip_ops import *
from fluxion.ops.complex_ops import complex  # noqa: A004 - TF's name
from fluxion.ops.creation_ops import *
from fluxion.ops.cross_ops import fingerprint
from fluxion.ops.dtypes import saturate_cast
from fluxion.ops.framework_ops import *
from fluxion.ops.linalg_decompositions import eig, eigvals
from fluxion.ops.linalg_decompositions import sqrtm as matrix_square_root
from fluxion.ops.linalg_ops import einsum, matmul, norm, tensordot
from fluxion.ops.logging_ops import print  # noqa: A004 - TF's name
from fluxion.ops.math_ops import *
from fluxion.ops.nd_ops import *
from fluxion.ops.ragged_tensor import RaggedTensor
from fluxion.ops.random_extra import random_index_shuffle
from fluxion.ops.reduce_ops import *
from fluxion.ops.script_ops import eager_py_func, numpy_function, py_function
from fluxion.ops.search_ops import searchsorted
from fluxion.ops.sort_ops import *
from fluxion.ops.sparse_tensor import SparseTensor
from fluxion.ops.tensor_proto_ops import make_ndarray, make_tensor_proto
from fluxion.ops.type_specs import *
from fluxion.ops.unique_ops import unique, unique_with_counts
from fluxion.version import __version__

for _name, _module in (("math", math), ("nn", nn), ("linalg", linalg), ("random", random),
                      ("bitwise", bitwise), ("dtypes", dtypes), ("sparse", sparse),
                      ("ragged", ragged)):
    _sys.modules[f"{__name__}.{_name}"] = _module

newaxis = None
_LAZY_MODULES = ("keras", "compat", "data", "distribute", "experimental", "io", "js", "lite",
                 "onnx", "saved_model", "summary", "test", "train")
_V1_INITIALIZERS = {"constant_initializer": "Constant", "zeros_initializer": "Zeros",
                    "ones_initializer": "Ones", "random_normal_initializer": "RandomNormal",
                    "random_uniform_initializer": "RandomUniform"}
_TF1_NAMES = ("gradients", "Operation", "placeholder", "Session",
              "global_variables_initializer", "executing_eagerly", "get_default_graph",
              "Graph", "reset_default_graph")
# Names that are the TF 1 graph's own inside a graph (fluxion.graph.v1.graph_mode_ops).
_GRAPH_MODE_NAMES = ("control_dependencies", "group", "no_op", "hessians")


# Op namespaces imported on first use, as ``fluxion.<name>``: their modules are many.
_LAZY_OP_NAMESPACES = ("image", "signal", "strings")
_KERAS_ALIASES = ("optimizers", "losses", "metrics", "initializers")  # tf.optimizers...


def __getattr__(name):
    if name in _LAZY_OP_NAMESPACES:
        import importlib

        module = importlib.import_module(f"fluxion.ops.{name}")
        _sys.modules[f"{__name__}.{name}"] = module
        globals()[name] = module
        return module
    if name in _KERAS_ALIASES:  # TensorFlow's shortcuts to tf.keras.optimizers and kin
        import importlib

        return importlib.import_module(f"fluxion.keras.{name}")
    if name in _LAZY_MODULES:  # loaded on first use: `import fluxion` stays light
        import importlib

        return importlib.import_module(f"fluxion.{name}")
    if name == "as_string":  # tf.as_string lives with the string ops
        from fluxion.ops.strings import as_string

        return as_string
    if name in _V1_INITIALIZERS:  # TF 2 keeps these initializer classes at the top level
        from fluxion.graph.v1 import initializers

        return getattr(initializers, _V1_INITIALIZERS[name])
    if name == "autograph":
        import importlib

        module = importlib.import_module("fluxion.graph.autograph")
        _sys.modules["fluxion.autograph"] = module
        return module
    if name in _GRAPH_MODE_NAMES:
        from fluxion.graph.v1 import graph_mode_ops

        return getattr(graph_mode_ops, name)
    if name in _TF1_NAMES:  # the TF1 graph API, loaded when first used
        from fluxion.compat import v1

        return getattr(v1, name)
    raise AttributeError(f"module 'fluxion' has no attribute {name!r}")
