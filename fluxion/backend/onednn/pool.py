"""oneDNN kernels for max pooling: ``max_pool``, ``max_pool_grad``, and the index-keeping
pair a training step uses (``max_pool_with_index``, ``max_pool_grad_from_index``).

oneDNN's max pooling keeps a *workspace* in training mode: for every output cell, the
number of the window tap that held the maximum, one byte per cell laid out like the
output.  That is exactly the ``winner`` array of Fluxion's ``max_pool_with_index``
(taps numbered in row-major window order, ties to the first), so the forward pass hands
oneDNN's workspace on as ``winner`` and the backward pass routes the gradient with it;
NumPy's and oneDNN's kernels can each consume the other's.  Where the workspace has
another layout (a window of more than 255 taps), the index-keeping kernels decline and
NumPy's run.  ``max_pool_grad(x, g)``, given no workspace, runs the forward pass first.
Padding cells never win, as in TF (oneDNN excludes them from the maximum).
``max_pool_with_index(..., activation="relu")`` runs the training primitive with an
eltwise ReLU post-op: the pooled output is written once, already rectified, and the
workspace still holds the winners of the input.
"""

from __future__ import annotations

import threading

import numpy as np

from fluxion.backend.onednn import capi, library
from fluxion.backend.onednn.conv_fused import PostOps
from fluxion.backend.onednn.geometry import window_pads
from fluxion.backend.onednn.memory import (
    Descriptors,
    PrimitiveDesc,
    Step,
    channels_last_dims,
    data_type,
    element_strides,
    same_layout,
)

_plans: dict[tuple, object] = {}
_lock = threading.Lock()


class _Plan:
    """Forward (training and inference) and backward primitives of one pooling shape."""

    def __init__(self, api, x_shape, window, strides, padding, dilations, dtype,
                 activation="linear"):
        pads, outs = window_pads(tuple(x_shape[1:-1]), tuple(window), strides, dilations,
                                 padding)
        self.x_shape, self.y_shape = tuple(x_shape), (x_shape[0], *outs, x_shape[-1])
        self.descs = descs = Descriptors(api)
        itemsize = np.dtype(dtype).itemsize
        kind = data_type(dtype)
        x_md = descs.strided(*channels_last_dims(x_shape, element_strides(x_shape, itemsize)),
                             kind)
        y_md = descs.strided(*channels_last_dims(self.y_shape,
                                                 element_strides(self.y_shape, itemsize)), kind)
        geometry = (capi.dims(strides), capi.dims(window), capi.dims(d - 1 for d in dilations),
                    capi.dims(lo for lo, _ in pads), capi.dims(hi for _, hi in pads))
        create = "pooling_forward_primitive_desc_create"
        inference = PrimitiveDesc(api, create, api.engine, capi.FORWARD_INFERENCE,
                                  capi.POOLING_MAX, x_md, y_md, *geometry, None)
        self.inference = Step(api, inference, [(capi.ARG_SRC, x_md), (capi.ARG_DST, y_md)])
        self.post_ops = PostOps(api, False, activation, None) if activation == "relu" \
            else None
        training = PrimitiveDesc(api, create, api.engine, capi.FORWARD_TRAINING,
                                 capi.POOLING_MAX, x_md, y_md, *geometry,
                                 None if self.post_ops is None else self.post_ops.attr)
        workspace_md = training.md(capi.QUERY_WORKSPACE_MD)
        self.workspace_bytes = int(api.memory_desc_get_size(workspace_md))
        winner_md = descs.strided(*channels_last_dims(
            self.y_shape, element_strides(self.y_shape, 1)), capi.U8)
        # The workspace is a winner array when it is one byte per output cell, channels last.
        self.workspace_is_winner = same_layout(api, workspace_md, winner_md)
        self.training = Step(api, training, [(capi.ARG_SRC, x_md), (capi.ARG_DST, y_md),
                                             (capi.ARG_WORKSPACE, workspace_md)])
        backward = PrimitiveDesc(api, "pooling_backward_primitive_desc_create", api.engine,
                                 capi.POOLING_MAX, x_md, y_md, *geometry, training.handle, None)
        self.backward = Step(api, backward, [(capi.ARG_DIFF_DST, y_md),
                                             (capi.ARG_WORKSPACE, workspace_md),
                                             (capi.ARG_DIFF_SRC, x_md)])
        self.training_pd = training  # the backward's hint lives as long as the plan


def _plan_for(api, x_shape, dtype, window, strides, padding, dilations, activation="linear"):
    key = (tuple(x_shape), np.dtype(dtype).str, tuple(window), tuple(strides), str(padding),
           tuple(dilations), activation, library.openmp_threads())  # keeps its threads
    plan = _plans.get(key)
    if plan is None:
        with _lock:
            plan = _plans.get(key)
            if plan is None:
                try:
                    plan = _Plan(api, x_shape, window, strides, padding, dilations, dtype,
                                 activation)
                except ValueError:  # a window that does not fit: NumPy's kernel says so
                    plan = False
                except capi.OneDNNError as error:
                    if not error.unimplemented:
                        raise
                    plan = False  # no oneDNN implementation: NumPy's kernel, every time
                _plans[key] = plan
    return plan or None


def _supported(x: np.ndarray) -> bool:
    return data_type(x.dtype) is not None and 1 <= x.ndim - 2 <= 3 and x.size > 0


def max_pool(api, x, window, strides, padding, dilations):
    if not _supported(x):
        return None
    plan = _plan_for(api, x.shape, x.dtype, window, strides, padding, dilations)
    if plan is None:
        return None
    y = np.empty(plan.y_shape, x.dtype)
    plan.inference.run(np.ascontiguousarray(x), y)
    return y


def max_pool_with_index(api, x, window, strides, padding, dilations, activation="linear"):
    if not _supported(x):
        return None
    plan = _plan_for(api, x.shape, x.dtype, window, strides, padding, dilations, activation)
    if plan is None or not plan.workspace_is_winner:
        return None
    y = np.empty(plan.y_shape, x.dtype)
    winner = np.empty(plan.y_shape, np.uint8)
    plan.training.run(np.ascontiguousarray(x), y, winner)
    return y, winner


def max_pool_grad_from_index(api, winner, g, like, window, strides, padding, dilations):
    if not _supported(g) or winner.dtype != np.uint8:
        return None
    plan = _plan_for(api, like.shape, g.dtype, window, strides, padding, dilations)
    if plan is None or not plan.workspace_is_winner or tuple(g.shape) != plan.y_shape:
        return None
    dx = np.empty(plan.x_shape, g.dtype)
    plan.backward.run(np.ascontiguousarray(g), np.ascontiguousarray(winner), dx)
    return dx


def max_pool_grad(api, x, g, window, strides, padding, dilations):
    if not _supported(x) or g.dtype != x.dtype:
        return None
    plan = _plan_for(api, x.shape, x.dtype, window, strides, padding, dilations)
    if plan is None or tuple(g.shape) != plan.y_shape:
        return None
    y = np.empty(plan.y_shape, x.dtype)
    workspace = np.empty(plan.workspace_bytes, np.uint8)
    plan.training.run(np.ascontiguousarray(x), y, workspace)
    dx = np.empty(plan.x_shape, x.dtype)
    plan.backward.run(np.ascontiguousarray(g), workspace, dx)
    return dx
