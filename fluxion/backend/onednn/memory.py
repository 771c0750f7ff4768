"""Memory descriptors for Fluxion's channels-last arrays, and primitives ready to run.

oneDNN names a tensor's axes in a fixed logical order: ``[N, C, *spatial]`` for data,
``[O, I, *kernel]`` (``[G, O/G, I, *kernel]`` grouped) for weights.  Fluxion's arrays
are channels-last, ``[N, *spatial, C]`` and ``[*kernel, I, O]``; a descriptor with the
array's own strides (in elements) listed in oneDNN's order describes them without a
copy.  Where a primitive works best with weights in a blocked layout of its choosing
(descriptors made with ``FORMAT_TAG_ANY``), a cached reorder converts them.

``Step`` is one primitive with a memory object per argument; running it points the
memory objects at the arrays of the call (``dnnl_memory_set_data_handle``: no copy) and
executes.  Steps are cached by the kernels per shape, so a training step pays the
primitive creation (milliseconds) once and a few microseconds per call after that.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np

from fluxion.backend.onednn import capi

DATA_TYPES = {np.dtype(np.float32): capi.F32}


def data_type(dtype) -> int | None:
    """oneDNN's data type for a NumPy dtype, or None when Fluxion does not send it there."""
    return DATA_TYPES.get(np.dtype(dtype))


def channels_last_dims(shape: tuple, strides: tuple) -> tuple[list, list]:
    """oneDNN dims and strides (elements) of a ``[N, *spatial, C]`` array."""
    return ([shape[0], shape[-1], *shape[1:-1]], [strides[0], strides[-1], *strides[1:-1]])


def filter_dims(shape: tuple, strides: tuple, groups: int) -> tuple[list, list]:
    """oneDNN dims and strides (elements) of a ``[*kernel, I, O]`` filter."""
    *kernel, inputs, outputs = shape
    *kernel_strides, input_stride, output_stride = strides
    if groups == 1:
        return [outputs, inputs, *kernel], [output_stride, input_stride, *kernel_strides]
    per_group = outputs // groups
    return ([groups, per_group, inputs, *kernel],
            [per_group * output_stride, output_stride, input_stride, *kernel_strides])


def element_strides(array_shape: tuple, itemsize: int, strides: tuple | None = None) -> tuple:
    """Strides in elements: the given byte strides, or those of a C-contiguous array."""
    if strides is not None:
        return tuple(s // itemsize for s in strides)
    out, step = [], 1
    for size in reversed(array_shape):
        out.append(step)
        step *= max(int(size), 1)
    return tuple(reversed(out))


class Descriptors:
    """Creates memory descriptors (owned here, destroyed with it)."""

    def __init__(self, api: capi.API):
        self.api = api
        self.owned: list[ctypes.c_void_p] = []

    def strided(self, dims: list, strides: list, dtype: int) -> ctypes.c_void_p:
        handle = self.api.new_handle("memory_desc_create_with_strides", len(dims),
                                     capi.dims(dims), dtype, capi.dims(strides))
        self.owned.append(handle)
        return handle

    def any_layout(self, dims: list, dtype: int) -> ctypes.c_void_p:
        handle = self.api.new_handle("memory_desc_create_with_tag", len(dims), capi.dims(dims),
                                     dtype, capi.FORMAT_TAG_ANY)
        self.owned.append(handle)
        return handle

    def __del__(self):
        destroy = getattr(self.api, "memory_desc_destroy", None)
        for handle in self.owned:
            if destroy is not None:
                destroy(handle)


def same_layout(api: capi.API, a, b) -> bool:
    return bool(api.memory_desc_equal(a, b))


class PrimitiveDesc:
    """An owned ``dnnl_primitive_desc_t`` (created by ``create``; destroyed with it)."""

    def __init__(self, api: capi.API, name: str, *arguments):
        self.api = api
        self.handle = api.new_handle(name, *arguments)

    def md(self, query: int) -> ctypes.c_void_p:
        """A memory descriptor of the primitive (owned by it)."""
        return ctypes.c_void_p(self.api.primitive_desc_query_md(self.handle, query, 0))

    def __del__(self):
        destroy = getattr(self.api, "primitive_desc_destroy", None)
        handle = getattr(self, "handle", None)  # None: the creating call failed
        if destroy is not None and handle:
            destroy(handle)


class Step:
    """One primitive with a memory object per argument, run on the arrays of each call."""

    def __init__(self, api: capi.API, pd: PrimitiveDesc, arguments: list[tuple[int, object]]):
        self.api, self.pd = api, pd  # the primitive descriptor outlives its descriptors' use
        self.primitive = api.new_handle("primitive_create", pd.handle)
        self.memories = [api.new_handle("memory_create", md, api.engine, None)
                         for _, md in arguments]
        self.arguments = (capi.ExecArg * len(arguments))(
            *[capi.ExecArg(kind, memory.value) for (kind, _), memory in
              zip(arguments, self.memories)])
        self.lock = threading.Lock()  # the memory objects are re-pointed on every call

    def run(self, *arrays: np.ndarray) -> None:
        """Executes with the arguments' memory at ``arrays`` (in the order given)."""
        api = self.api
        with self.lock:
            for memory, array in zip(self.memories, arrays):
                status = api.memory_set_data_handle(memory, array.ctypes.data)
                if status:
                    raise capi.OneDNNError("dnnl_memory_set_data_handle", status)
            status = api.primitive_execute(self.primitive, api.stream, len(self.memories),
                                           self.arguments)
            if status:
                raise capi.OneDNNError("dnnl_primitive_execute", status)
            api.stream_wait(api.stream)

    def __del__(self):
        api = getattr(self, "api", None)
        if api is None:
            return
        for memory in getattr(self, "memories", ()):
            api.memory_destroy(memory)
        if getattr(self, "primitive", None):
            api.primitive_destroy(self.primitive)


def reorder(api: capi.API, source_md, destination_md) -> Step:
    """A step copying memory of one layout into another."""
    pd = PrimitiveDesc(api, "reorder_primitive_desc_create", source_md, api.engine,
                       destination_md, api.engine, None)
    return Step(api, pd, [(capi.ARG_FROM, source_md), (capi.ARG_TO, destination_md)])


def buffer_for(api: capi.API, md) -> np.ndarray:
    """An uninitialised byte buffer large enough for memory described by ``md``."""
    return np.empty(max(int(api.memory_desc_get_size(md)), 1), np.uint8)
