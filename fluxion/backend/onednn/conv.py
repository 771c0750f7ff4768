"""oneDNN kernels for the ``conv``, ``conv_input_grad`` and ``conv_filter_grad`` primitives.

Each takes the same arrays and attributes as the NumPy kernel it stands in for
(``fluxion.core.primitives.conv``) and returns the same result, or None where oneDNN
does not take the case (the caller then runs the NumPy kernel).  Geometry follows TF:
``window_pads`` resolves ``SAME`` into the pads oneDNN is given, and oneDNN counts
dilation from 0 (TF's dilation minus one).

Data stays channels-last (``[N, *spatial, C]``, ``[*kernel, I, O]``) as strided memory
descriptors.  The filter (forward and input gradient) and the filter gradient use the
layout the primitive chooses, converted by a cached reorder: with the plain ``HWIO``
layout forced, oneDNN falls back to a slow reference implementation for the backward
passes.  The backward primitives are created with a forward primitive descriptor as
their hint, as oneDNN requires.  Plans (primitives, reorders, scratch buffers) are
cached per shapes and attributes.
"""

from __future__ import annotations

import threading

import numpy as np

from fluxion.backend.onednn import capi, library, single_channel
from fluxion.backend.onednn.geometry import window_pads
from fluxion.backend.onednn.memory import (
    Descriptors,
    PrimitiveDesc,
    Step,
    buffer_for,
    channels_last_dims,
    data_type,
    element_strides,
    filter_dims,
    reorder,
    same_layout,
)

_plans: dict[tuple, object] = {}
_lock = threading.Lock()


class _Geometry:
    """Shapes, pads and oneDNN's parameter arrays of one convolution."""

    def __init__(self, x_shape, w_shape, strides, padding, dilations, groups, dtype):
        self.rank = len(x_shape) - 2
        kernel = tuple(w_shape[:-2])
        pads, outs = window_pads(tuple(x_shape[1:-1]), kernel, strides, dilations, padding)
        self.x_shape = tuple(x_shape)
        self.w_shape = tuple(w_shape)
        self.y_shape = (x_shape[0], *outs, w_shape[-1])
        self.groups = groups
        self.dtype = dtype
        self.strides = capi.dims(strides)
        self.dilations = capi.dims(d - 1 for d in dilations)
        self.pad_lo = capi.dims(lo for lo, _ in pads)
        self.pad_hi = capi.dims(hi for _, hi in pads)

    def data_md(self, descs: Descriptors, shape):
        itemsize = np.dtype(self.dtype).itemsize
        dims, strides = channels_last_dims(shape, element_strides(shape, itemsize))
        return descs.strided(dims, strides, data_type(self.dtype))

    def filter_md(self, descs: Descriptors):
        dims, strides = filter_dims(self.w_shape, element_strides(self.w_shape, 1), self.groups)
        return descs.strided(dims, strides, data_type(self.dtype))

    def filter_any(self, descs: Descriptors):
        dims, _ = filter_dims(self.w_shape, element_strides(self.w_shape, 1), self.groups)
        return descs.any_layout(dims, data_type(self.dtype))


class _Plan:
    """The steps of one kernel call: an optional reorder before or after the primitive."""

    def __init__(self, api, descs, main: Step, before: Step | None, after: Step | None,
                 buffer: np.ndarray | None, geometry: _Geometry, out_shape: tuple):
        self.api, self.descs = api, descs
        self.main, self.before, self.after = main, before, after
        self.buffer, self.out_shape = buffer, out_shape
        self.cotangent_shape = geometry.y_shape  # what a backward pass's ``g`` must be
        self.lock = threading.Lock()  # the scratch buffer is shared between calls


def _forward_desc(api, descs, geometry: _Geometry, x_md, w_md, y_md, kind: int):
    return PrimitiveDesc(api, "convolution_forward_primitive_desc_create", api.engine, kind,
                         capi.CONVOLUTION_DIRECT, x_md, w_md, None, y_md, geometry.strides,
                         geometry.dilations, geometry.pad_lo, geometry.pad_hi, None)


def _plan(api, key: tuple, build):
    """The cached plan for ``key`` (built on first use), or None when oneDNN has no
    implementation for it (remembered: NumPy's kernel runs, without asking again)."""
    key = key + (library.openmp_threads(),)  # a primitive keeps its creation's threads
    plan = _plans.get(key)
    if plan is None:
        with _lock:
            plan = _plans.get(key)
            if plan is None:
                try:
                    plan = build()
                except ValueError:  # a window that does not fit: NumPy's kernel says so
                    plan = False
                except capi.OneDNNError as error:
                    if not error.unimplemented:
                        raise
                    plan = False
                _plans[key] = plan
    return plan or None


def _build_forward(api, geometry: _Geometry) -> _Plan:
    descs = Descriptors(api)
    x_md, y_md = geometry.data_md(descs, geometry.x_shape), geometry.data_md(descs,
                                                                              geometry.y_shape)
    w_user = geometry.filter_md(descs)
    pd = _forward_desc(api, descs, geometry, x_md, geometry.filter_any(descs), y_md,
                       capi.FORWARD_INFERENCE)
    w_chosen = pd.md(capi.QUERY_WEIGHTS_MD)
    main = Step(api, pd, [(capi.ARG_SRC, x_md), (capi.ARG_WEIGHTS, w_chosen),
                          (capi.ARG_DST, y_md)])
    if same_layout(api, w_chosen, w_user):
        return _Plan(api, descs, main, None, None, None, geometry, geometry.y_shape)
    return _Plan(api, descs, main, reorder(api, w_user, w_chosen), None,
                 buffer_for(api, w_chosen), geometry, geometry.y_shape)


def _build_input_grad(api, geometry: _Geometry) -> _Plan:
    descs = Descriptors(api)
    dx_md, g_md = geometry.data_md(descs, geometry.x_shape), geometry.data_md(descs,
                                                                               geometry.y_shape)
    w_user = geometry.filter_md(descs)
    hint = _forward_desc(api, descs, geometry, dx_md, geometry.filter_any(descs), g_md,
                         capi.FORWARD_TRAINING)
    pd = PrimitiveDesc(api, "convolution_backward_data_primitive_desc_create", api.engine,
                       capi.CONVOLUTION_DIRECT, dx_md, geometry.filter_any(descs), g_md,
                       geometry.strides, geometry.dilations, geometry.pad_lo, geometry.pad_hi,
                       hint.handle, None)
    w_chosen = pd.md(capi.QUERY_WEIGHTS_MD)
    main = Step(api, pd, [(capi.ARG_DIFF_DST, g_md), (capi.ARG_WEIGHTS, w_chosen),
                          (capi.ARG_DIFF_SRC, dx_md)])
    main.hint = hint
    if same_layout(api, w_chosen, w_user):
        return _Plan(api, descs, main, None, None, None, geometry, geometry.x_shape)
    return _Plan(api, descs, main, reorder(api, w_user, w_chosen), None,
                 buffer_for(api, w_chosen), geometry, geometry.x_shape)


def _build_filter_grad(api, geometry: _Geometry) -> _Plan:
    descs = Descriptors(api)
    x_md, g_md = geometry.data_md(descs, geometry.x_shape), geometry.data_md(descs,
                                                                              geometry.y_shape)
    dw_user = geometry.filter_md(descs)
    hint = _forward_desc(api, descs, geometry, x_md, geometry.filter_any(descs), g_md,
                         capi.FORWARD_TRAINING)
    pd = PrimitiveDesc(api, "convolution_backward_weights_primitive_desc_create", api.engine,
                       capi.CONVOLUTION_DIRECT, x_md, geometry.filter_any(descs), None, g_md,
                       geometry.strides, geometry.dilations, geometry.pad_lo, geometry.pad_hi,
                       hint.handle, None)
    dw_chosen = pd.md(capi.QUERY_DIFF_WEIGHTS_MD)
    main = Step(api, pd, [(capi.ARG_SRC, x_md), (capi.ARG_DIFF_DST, g_md),
                          (capi.ARG_DIFF_WEIGHTS, dw_chosen)])
    main.hint = hint
    if same_layout(api, dw_chosen, dw_user):
        return _Plan(api, descs, main, None, None, None, geometry, geometry.w_shape)
    return _Plan(api, descs, main, None, reorder(api, dw_chosen, dw_user),
                 buffer_for(api, dw_chosen), geometry, geometry.w_shape)


def _supported(*arrays: np.ndarray) -> bool:
    dtype = arrays[0].dtype
    return (data_type(dtype) is not None and all(a.dtype == dtype for a in arrays)
            and 1 <= arrays[0].ndim - 2 <= 3 and all(a.size for a in arrays))


def _key(kind: str, x_shape, w_shape, dtype, strides, padding, dilations, groups) -> tuple:
    return (kind, tuple(x_shape), tuple(w_shape), dtype.str, tuple(strides), str(padding),
            tuple(dilations), groups)


def conv(api, x, w, strides, padding, dilations, groups):
    """``conv(x, w)``, or None where oneDNN does not take it."""
    if not _supported(x, w):
        return None
    x, w = np.ascontiguousarray(x), np.ascontiguousarray(w)
    key = _key("forward", x.shape, w.shape, x.dtype, strides, padding, dilations, groups)
    plan = _plan(api, key, lambda: _build_forward(
        api, _Geometry(x.shape, w.shape, strides, padding, dilations, groups, x.dtype)))
    if plan is None:
        return None
    return _run_with_weights(plan, x, w, np.empty(plan.out_shape, x.dtype))


def conv_input_grad(api, g, w, like, strides, padding, dilations, groups):
    """The input gradient (transposed convolution) shaped like ``like``, or None."""
    if not _supported(g, w):
        return None
    g, w = np.ascontiguousarray(g), np.ascontiguousarray(w)
    key = _key("input_grad", like.shape, w.shape, g.dtype, strides, padding, dilations, groups)
    plan = _plan(api, key, lambda: _build_input_grad(
        api, _Geometry(like.shape, w.shape, strides, padding, dilations, groups, g.dtype)))
    if plan is None:
        return None
    if tuple(g.shape) != plan.cotangent_shape:
        return None
    return _run_with_weights(plan, g, w, np.empty(plan.out_shape, g.dtype))


def _run_with_weights(plan, data, w, out):
    """``main(data, w, out)``, the weights first reordered into the layout oneDNN chose
    when it chose one (the plan's shared buffer, hence the lock)."""
    if plan.before is None:
        plan.main.run(data, w, out)
        return out
    with plan.lock:
        plan.before.run(w, plan.buffer)
        plan.main.run(data, plan.buffer, out)
    return out


def conv_filter_grad(api, x, g, like, strides, padding, dilations, groups):
    """The filter gradient shaped like ``like``, or None."""
    if not _supported(x, g):
        return None
    one_channel = single_channel.filter_grad(api, x, g, like, strides, padding, dilations,
                                             groups, with_bias=False)
    if one_channel is not None:
        return one_channel
    x, g = np.ascontiguousarray(x), np.ascontiguousarray(g)
    key = _key("filter_grad", x.shape, like.shape, x.dtype, strides, padding, dilations, groups)
    plan = _plan(api, key, lambda: _build_filter_grad(
        api, _Geometry(x.shape, like.shape, strides, padding, dilations, groups, x.dtype)))
    if plan is None:
        return None
    if tuple(g.shape) != plan.cotangent_shape:
        return None
    dw = np.empty(plan.out_shape, x.dtype)
    if plan.after is None:
        plan.main.run(x, g, dw)
        return dw
    with plan.lock:
        plan.main.run(x, g, plan.buffer)
        plan.after.run(plan.buffer, dw)
    return dw

