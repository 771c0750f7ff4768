"""The part of oneDNN's stable 3.x C API Fluxion calls, bound with ctypes.

Constants are the C enums' values (``dnnl_types.h``, ``dnnl_common_types.h``), equal
across 3.x releases.  Every function gets its argument and result types declared: ctypes
would otherwise pass a Python float as a double where C takes a ``float`` and truncate
a returned pointer to a C ``int``.  ``call`` raises ``OneDNNError`` naming the function
and the status when a call does not return ``dnnl_success``.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, c_float, c_int, c_int64, c_size_t, c_uint, c_void_p

MAX_NDIMS = 12  # DNNL_MAX_NDIMS: the length of a dnnl_dims_t
Dims = c_int64 * MAX_NDIMS

# dnnl_data_type_t
DATA_TYPE_UNDEF, F16, BF16, F32, F64 = 0, 1, 2, 3, 7
U8 = 6
S32 = 4
# dnnl_format_tag_t: only "let the primitive choose" is used (layouts are given as strides)
FORMAT_TAG_ANY = 1
# dnnl_prop_kind_t
FORWARD_TRAINING, FORWARD_INFERENCE, BACKWARD_DATA, BACKWARD_WEIGHTS = 64, 96, 160, 192
# dnnl_alg_kind_t
CONVOLUTION_DIRECT = 0x1
ELTWISE_RELU = 0x20
ELTWISE_SQRT, ELTWISE_LINEAR = 0x25, 0x26  # linear: alpha * x + beta
BINARY_ADD, BINARY_MUL, BINARY_DIV, BINARY_SUB = 0x1FFF0, 0x1FFF1, 0x1FFF4, 0x1FFF5
ELTWISE_CLIP = 0x2E  # max(alpha, min(beta, x))
POOLING_MAX = 0x1FF
# dnnl_engine_kind_t, stream flags
ENGINE_CPU = 1
STREAM_DEFAULT_FLAGS = 0x1
# dnnl_query_t (memory descriptor queries)
QUERY_SRC_MD, QUERY_DIFF_SRC_MD, QUERY_WEIGHTS_MD, QUERY_DIFF_WEIGHTS_MD = 129, 130, 131, 132
QUERY_DST_MD, QUERY_DIFF_DST_MD, QUERY_WORKSPACE_MD, QUERY_SCRATCHPAD_MD = 133, 134, 135, 136
# DNNL_ARG_*
ARG_SRC, ARG_DST, ARG_WEIGHTS, ARG_BIAS, ARG_WORKSPACE = 1, 17, 33, 41, 64
ARG_DIFF_SRC, ARG_DIFF_DST, ARG_DIFF_WEIGHTS, ARG_DIFF_BIAS = 129, 145, 161, 169
ARG_FROM, ARG_TO = ARG_SRC, ARG_DST
ARG_SRC_0, ARG_SRC_1 = 1, 2
ARG_ATTR_MULTIPLE_POST_OP_BASE = 32768


def post_op_arg(index: int) -> int:
    """``DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1``: the second operand of
    the binary post-op at ``index`` in the chain."""
    return ARG_ATTR_MULTIPLE_POST_OP_BASE * (index + 1) | ARG_SRC_1

_STATUS = {1: "out of memory", 2: "invalid arguments", 3: "unimplemented",
           4: "last implementation reached", 5: "runtime error", 6: "not required",
           7: "invalid graph", 8: "invalid graph op", 9: "invalid shape",
           10: "invalid data type"}


class OneDNNError(RuntimeError):
    """A oneDNN call failed."""

    def __init__(self, function: str, status: int):
        self.function, self.status = function, status
        super().__init__(f"oneDNN {function} failed: {_STATUS.get(status, 'status')} "
                         f"({status})")

    @property
    def unimplemented(self) -> bool:
        return self.status == 3


class ExecArg(ctypes.Structure):
    """``dnnl_exec_arg_t``: one argument of ``dnnl_primitive_execute``."""

    _fields_ = [("arg", c_int), ("memory", c_void_p)]


_p = POINTER
_SIGNATURES = {
    # name: (result type, argument types); int results are dnnl_status_t
    "dnnl_engine_create": (c_int, [_p(c_void_p), c_int, c_size_t]),
    "dnnl_stream_create": (c_int, [_p(c_void_p), c_void_p, c_uint]),
    "dnnl_stream_wait": (c_int, [c_void_p]),
    "dnnl_memory_desc_create_with_strides": (c_int, [_p(c_void_p), c_int, Dims, c_int, Dims]),
    "dnnl_memory_desc_create_with_tag": (c_int, [_p(c_void_p), c_int, Dims, c_int, c_int]),
    "dnnl_memory_desc_destroy": (c_int, [c_void_p]),
    "dnnl_memory_desc_equal": (c_int, [c_void_p, c_void_p]),
    "dnnl_memory_desc_get_size": (c_size_t, [c_void_p]),
    "dnnl_memory_create": (c_int, [_p(c_void_p), c_void_p, c_void_p, c_void_p]),
    "dnnl_memory_set_data_handle": (c_int, [c_void_p, c_void_p]),
    "dnnl_memory_destroy": (c_int, [c_void_p]),
    "dnnl_primitive_desc_query_md": (c_void_p, [c_void_p, c_int, c_int]),
    "dnnl_primitive_desc_destroy": (c_int, [c_void_p]),
    "dnnl_primitive_create": (c_int, [_p(c_void_p), c_void_p]),
    "dnnl_primitive_execute": (c_int, [c_void_p, c_void_p, c_int, _p(ExecArg)]),
    "dnnl_primitive_destroy": (c_int, [c_void_p]),
    "dnnl_primitive_attr_create": (c_int, [_p(c_void_p)]),
    "dnnl_primitive_attr_destroy": (c_int, [c_void_p]),
    "dnnl_primitive_attr_set_post_ops": (c_int, [c_void_p, c_void_p]),
    "dnnl_post_ops_create": (c_int, [_p(c_void_p)]),
    "dnnl_post_ops_append_eltwise": (c_int, [c_void_p, c_int, c_float, c_float]),
    "dnnl_post_ops_append_binary": (c_int, [c_void_p, c_int, c_void_p]),
    "dnnl_post_ops_append_sum": (c_int, [c_void_p, c_float, ctypes.c_int32, c_int]),
    "dnnl_post_ops_destroy": (c_int, [c_void_p]),
    "dnnl_binary_primitive_desc_create": (
        c_int, [_p(c_void_p), c_void_p, c_int, c_void_p, c_void_p, c_void_p, c_void_p]),
    "dnnl_reorder_primitive_desc_create": (
        c_int, [_p(c_void_p), c_void_p, c_void_p, c_void_p, c_void_p, c_void_p]),
    "dnnl_convolution_forward_primitive_desc_create": (
        c_int, [_p(c_void_p), c_void_p, c_int, c_int, c_void_p, c_void_p, c_void_p, c_void_p,
                Dims, Dims, Dims, Dims, c_void_p]),
    "dnnl_convolution_backward_data_primitive_desc_create": (
        c_int, [_p(c_void_p), c_void_p, c_int, c_void_p, c_void_p, c_void_p, Dims, Dims, Dims,
                Dims, c_void_p, c_void_p]),
    "dnnl_convolution_backward_weights_primitive_desc_create": (
        c_int, [_p(c_void_p), c_void_p, c_int, c_void_p, c_void_p, c_void_p, c_void_p, Dims,
                Dims, Dims, Dims, c_void_p, c_void_p]),
    "dnnl_matmul_primitive_desc_create": (
        c_int, [_p(c_void_p), c_void_p, c_void_p, c_void_p, c_void_p, c_void_p, c_void_p]),
    "dnnl_softmax_forward_primitive_desc_create": (
        c_int, [_p(c_void_p), c_void_p, c_int, c_int, c_void_p, c_void_p, c_int, c_void_p]),
    "dnnl_softmax_backward_primitive_desc_create": (
        c_int, [_p(c_void_p), c_void_p, c_int, c_void_p, c_void_p, c_void_p, c_int, c_void_p,
                c_void_p]),
    "dnnl_pooling_forward_primitive_desc_create": (
        c_int, [_p(c_void_p), c_void_p, c_int, c_int, c_void_p, c_void_p, Dims, Dims, Dims,
                Dims, Dims, c_void_p]),
    "dnnl_eltwise_forward_primitive_desc_create": (
        c_int, [_p(c_void_p), c_void_p, c_int, c_int, c_void_p, c_void_p, c_float, c_float,
                c_void_p]),
    "dnnl_eltwise_backward_primitive_desc_create": (
        c_int, [_p(c_void_p), c_void_p, c_int, c_void_p, c_void_p, c_void_p, c_float, c_float,
                c_void_p, c_void_p]),
    "dnnl_pooling_backward_primitive_desc_create": (
        c_int, [_p(c_void_p), c_void_p, c_int, c_void_p, c_void_p, Dims, Dims, Dims, Dims,
                Dims, c_void_p, c_void_p]),
}


class API:
    """The bound functions of one loaded library, as attributes, plus its CPU engine and
    stream (created once)."""

    def __init__(self, library: ctypes.CDLL):
        for name, (result, arguments) in _SIGNATURES.items():
            function = getattr(library, name)
            function.restype, function.argtypes = result, arguments
            setattr(self, name[len("dnnl_"):], function)
        self.engine = self.new_handle("engine_create", ENGINE_CPU, 0)
        self.stream = self.new_handle("stream_create", self.engine, STREAM_DEFAULT_FLAGS)

    def call(self, name: str, *arguments) -> None:
        """Calls ``dnnl_<name>``; raises ``OneDNNError`` unless it succeeds."""
        status = getattr(self, name)(*arguments)
        if status != 0:
            raise OneDNNError(f"dnnl_{name}", status)

    def new_handle(self, name: str, *arguments) -> c_void_p:
        """Calls a creating function whose first argument receives the new handle."""
        handle = c_void_p()
        self.call(name, ctypes.byref(handle), *arguments)
        return handle


def dims(values) -> Dims:
    """A ``dnnl_dims_t`` holding ``values`` (the rest zero)."""
    array = Dims()
    for index, value in enumerate(values):
        array[index] = int(value)
    return array
