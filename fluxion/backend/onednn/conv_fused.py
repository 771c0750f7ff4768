"""oneDNN's kernels for ``fused_conv`` (convolution, bias, residual sum and ReLU in one
primitive) and ``conv_filter_bias_grad`` (filter and bias gradients in one).

One forward-inference convolution primitive with a bias argument and post-ops, in the
order ``fused_conv`` defines (``fluxion.core.primitives.conv_fused``): a *sum* post-op
adds what the destination holds before the call (the residual), then an *eltwise*
post-op applies ReLU (``eltwise_relu``) or ReLU capped at ``relu_cap`` (``eltwise_clip``
between 0 and the cap).  The output is written once.  With a residual the destination
must hold it first: the executor hands the residual's own buffer as ``out`` when that
buffer dies at the node (no copy); otherwise it is copied into a fresh output.
Weights use the layout the primitive chooses, reordered per call as for ``conv``.
The filter and bias gradients come from one backward-weights primitive given a
``diff_bias`` argument, which reads the cotangent once for both; over one input channel,
from one matrix product instead (``single_channel``).
"""

from __future__ import annotations

import numpy as np

from fluxion.backend.onednn import capi, single_channel
from fluxion.backend.onednn.conv import _Geometry, _key, _Plan, _plan, _supported
from fluxion.backend.onednn.memory import (
    Descriptors,
    PrimitiveDesc,
    Step,
    buffer_for,
    data_type,
    reorder,
    same_layout,
)


class PostOps:
    """An owned ``dnnl_primitive_attr_t`` carrying the sum and eltwise post-ops."""

    def __init__(self, api, residual: bool, activation: str, relu_cap: float | None):
        self.api = api
        self.attr = api.new_handle("primitive_attr_create")
        post_ops = api.new_handle("post_ops_create")
        try:
            if residual:
                api.call("post_ops_append_sum", post_ops, 1.0, 0, capi.DATA_TYPE_UNDEF)
            if activation == "relu" and relu_cap is None:
                api.call("post_ops_append_eltwise", post_ops, capi.ELTWISE_RELU, 0.0, 0.0)
            elif activation == "relu":
                api.call("post_ops_append_eltwise", post_ops, capi.ELTWISE_CLIP, 0.0,
                         float(relu_cap))
            api.call("primitive_attr_set_post_ops", self.attr, post_ops)
        finally:
            api.post_ops_destroy(post_ops)  # the attribute keeps its own copy

    def __del__(self):
        api = getattr(self, "api", None)
        if api is not None and getattr(self, "attr", None):
            api.primitive_attr_destroy(self.attr)


def _build(api, geometry: _Geometry, residual: bool, activation: str, relu_cap) -> _Plan:
    descs = Descriptors(api)
    x_md = geometry.data_md(descs, geometry.x_shape)
    y_md = geometry.data_md(descs, geometry.y_shape)
    bias_md = descs.strided([geometry.w_shape[-1]], [1], data_type(geometry.dtype))
    w_user = geometry.filter_md(descs)
    post_ops = PostOps(api, residual, activation, relu_cap)
    pd = PrimitiveDesc(api, "convolution_forward_primitive_desc_create", api.engine,
                       capi.FORWARD_INFERENCE, capi.CONVOLUTION_DIRECT, x_md,
                       geometry.filter_any(descs), bias_md, y_md, geometry.strides,
                       geometry.dilations, geometry.pad_lo, geometry.pad_hi, post_ops.attr)
    w_chosen = pd.md(capi.QUERY_WEIGHTS_MD)
    main = Step(api, pd, [(capi.ARG_SRC, x_md), (capi.ARG_WEIGHTS, w_chosen),
                          (capi.ARG_BIAS, bias_md), (capi.ARG_DST, y_md)])
    if same_layout(api, w_chosen, w_user):
        return _Plan(api, descs, main, None, None, None, geometry, geometry.y_shape)
    return _Plan(api, descs, main, reorder(api, w_user, w_chosen), None,
                 buffer_for(api, w_chosen), geometry, geometry.y_shape)


def fused_conv(api, x, w, bias, *residual, strides, padding, dilations, groups, activation,
               relu_cap, out=None):
    """``act(conv(x, w) + bias [+ residual])``, or None where oneDNN does not take it."""
    if not _supported(x, w, bias, *residual) or bias.ndim != 1 or len(residual) > 1:
        return None
    x, w = np.ascontiguousarray(x), np.ascontiguousarray(w)
    bias = np.ascontiguousarray(bias)
    key = _key("fused", x.shape, w.shape, x.dtype, strides, padding, dilations, groups) \
        + (bool(residual), activation, relu_cap)
    plan = _plan(api, key, lambda: _build(
        api, _Geometry(x.shape, w.shape, strides, padding, dilations, groups, x.dtype),
        bool(residual), activation, relu_cap))
    if plan is None or (residual and tuple(residual[0].shape) != plan.out_shape):
        return None
    target = out
    if target is None or not target.flags.c_contiguous or target.dtype != x.dtype:
        target = np.empty(plan.out_shape, x.dtype)
    if residual and not _same_memory(target, residual[0]):
        np.copyto(target, residual[0])
    if plan.before is None:
        plan.main.run(x, w, bias, target)
    else:
        with plan.lock:
            plan.before.run(w, plan.buffer)
            plan.main.run(x, plan.buffer, bias, target)
    if out is not None and target is not out:
        np.copyto(out, target)
        return out
    return target


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """``a`` and ``b`` are the same elements at the same address (the residual's buffer)."""
    return (a.shape == b.shape and a.strides == b.strides
            and a.ctypes.data == b.ctypes.data and a.dtype == b.dtype)



# --- filter and bias gradients in one backward-weights primitive --------------------------------
def _build_filter_bias_grad(api, geometry: _Geometry) -> _Plan:
    descs = Descriptors(api)
    x_md = geometry.data_md(descs, geometry.x_shape)
    g_md = geometry.data_md(descs, geometry.y_shape)
    db_md = descs.strided([geometry.w_shape[-1]], [1], data_type(geometry.dtype))
    dw_user = geometry.filter_md(descs)
    hint = PrimitiveDesc(api, "convolution_forward_primitive_desc_create", api.engine,
                         capi.FORWARD_TRAINING, capi.CONVOLUTION_DIRECT, x_md,
                         geometry.filter_any(descs), db_md, g_md, geometry.strides,
                         geometry.dilations, geometry.pad_lo, geometry.pad_hi, None)
    pd = PrimitiveDesc(api, "convolution_backward_weights_primitive_desc_create", api.engine,
                       capi.CONVOLUTION_DIRECT, x_md, geometry.filter_any(descs), db_md, g_md,
                       geometry.strides, geometry.dilations, geometry.pad_lo, geometry.pad_hi,
                       hint.handle, None)
    dw_chosen = pd.md(capi.QUERY_DIFF_WEIGHTS_MD)
    main = Step(api, pd, [(capi.ARG_SRC, x_md), (capi.ARG_DIFF_DST, g_md),
                          (capi.ARG_DIFF_WEIGHTS, dw_chosen), (capi.ARG_DIFF_BIAS, db_md)])
    main.hint = hint
    if same_layout(api, dw_chosen, dw_user):
        return _Plan(api, descs, main, None, None, None, geometry, geometry.w_shape)
    return _Plan(api, descs, main, None, reorder(api, dw_chosen, dw_user),
                 buffer_for(api, dw_chosen), geometry, geometry.w_shape)


def conv_filter_bias_grad(api, x, g, like, strides, padding, dilations, groups):
    """``(filter gradient, bias gradient)`` of the cotangent ``g``, or None."""
    if not _supported(x, g):
        return None
    one_channel = single_channel.filter_grad(api, x, g, like, strides, padding, dilations,
                                             groups, with_bias=True)
    if one_channel is not None:
        return one_channel
    x, g = np.ascontiguousarray(x), np.ascontiguousarray(g)
    key = _key("filter_bias_grad", x.shape, like.shape, x.dtype, strides, padding, dilations,
               groups)
    plan = _plan(api, key, lambda: _build_filter_bias_grad(
        api, _Geometry(x.shape, like.shape, strides, padding, dilations, groups, x.dtype)))
    if plan is None or tuple(g.shape) != plan.cotangent_shape:
        return None
    dw = np.empty(plan.out_shape, x.dtype)
    db = np.empty((plan.out_shape[-1],), x.dtype)
    if plan.after is None:
        plan.main.run(x, g, dw, db)
        return dw, db
    with plan.lock:
        plan.main.run(x, g, plan.buffer, db)
        plan.after.run(plan.buffer, dw)
    return dw, db
