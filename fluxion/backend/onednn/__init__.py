"""The oneDNN backend: NumPy arrays, with convolution and max-pooling kernels from oneDNN.

Select it with ``fluxion.config.set_backend("onednn")`` or ``FLUXION_BACKEND=onednn``;
install the library with ``pip install fluxion-ml[onednn]`` (the ``onednn-cpu-gomp``
wheel), or name any oneDNN 3.x ``libdnnl.so.3`` in ``FLUXION_ONEDNN_LIBRARY``.

Every other primitive runs its NumPy kernel.  The overrides (``conv``, ``fused_conv``,
``conv_input_grad``, ``conv_filter_grad``, ``conv_filter_bias_grad``, ``max_pool``,
``max_pool_grad``, ``max_pool_with_index``, ``max_pool_grad_from_index``,
``relu_grad``, ``adam_update``, ``matmul``, ``softmax``, ``softmax_grad``) run oneDNN for
float32 arrays and hand every other case to the NumPy kernel: other dtypes, shapes oneDNN
has no implementation for, and everything when the library cannot be loaded (then a
warning says why, once).  The library is loaded at the first such kernel call, not at
activation, so selecting the backend costs nothing until a convolution runs.

Modules: ``library`` (finding and loading the file), ``capi`` (the C functions and
constants), ``memory`` (descriptors of channels-last arrays, runnable primitives),
``conv``, ``conv_fused``, ``single_channel``, ``pool``, ``eltwise``, ``matmul``,
``softmax`` and ``optimizer`` (the kernels and their per-shape caches).
"""

from __future__ import annotations

import threading
import warnings

import numpy

from fluxion.backend import denormals, numpy_backend

name = "onednn"
xp = numpy
devices = numpy_backend.devices
asarray = numpy_backend.asarray
tune_allocator = numpy_backend.tune_allocator

_api = None
_api_lock = threading.Lock()
_warned: set[str] = set()


class OneDNNUnavailableWarning(RuntimeWarning):
    """oneDNN could not be used; Fluxion runs its NumPy kernels instead."""


def api():
    """The bound C API of the loaded library, or None (after one warning) when absent."""
    global _api
    if _api is not None:
        return _api if _api is not False else None
    with _api_lock:
        if _api is None:
            from fluxion.backend.onednn import capi, library

            loaded = library.load()
            if loaded is None:
                _api = False
                warn_once("load", f"{library.reason()}; running NumPy's kernels instead")
            else:
                try:
                    _api = capi.API(loaded)
                except (AttributeError, capi.OneDNNError) as error:
                    _api = False
                    warn_once("bind", f"oneDNN could not be set up ({error}); running "
                                      f"NumPy's kernels instead")
    return _api if _api is not False else None


def parallel_pools() -> tuple[str, ...]:
    """The native thread pools this backend's heavy kernels run on: OpenMP's, which
    oneDNN uses for its convolutions, pooling, products and Adam updates; OpenBLAS
    stays at one thread (see ``matmul``: two pools on the CPUs at once collapse a step).
    NumPy's BLAS where the library could not be loaded."""
    return ("blas",) if _api is False else ("openmp",)


def available() -> bool:
    """Whether oneDNN's kernels run (loads the library on the first call)."""
    return api() is not None


def reset() -> None:
    """Forgets the loaded library and the warnings given (tests)."""
    global _api
    from fluxion.backend.onednn import conv, eltwise, library, matmul, optimizer, pool, softmax

    with _api_lock:
        _api = None
        library.reset()
        _warned.clear()
        conv._plans.clear()
        pool._plans.clear()
        optimizer._plans.clear()
        eltwise._plans.clear()
        matmul._plans.clear()
        softmax._plans.clear()


def warn_once(topic: str, message: str) -> None:
    if topic not in _warned:
        _warned.add(topic)
        warnings.warn(f"oneDNN backend: {message}", OneDNNUnavailableWarning, stacklevel=3)


def _native(name_: str):
    """The oneDNN kernel function of a primitive (imported on first use)."""
    from fluxion.backend.onednn import (
        conv,
        conv_fused,
        eltwise,
        matmul,
        optimizer,
        pool,
        softmax,
    )

    return {"adam_update": optimizer.adam_update, "conv": conv.conv,
            "fused_conv": conv_fused.fused_conv,
            "conv_input_grad": conv.conv_input_grad,
            "conv_filter_grad": conv.conv_filter_grad,
            "conv_filter_bias_grad": conv_fused.conv_filter_bias_grad,
            "max_pool": pool.max_pool,
            "max_pool_grad": pool.max_pool_grad,
            "max_pool_with_index": pool.max_pool_with_index,
            "max_pool_grad_from_index": pool.max_pool_grad_from_index,
            "relu_grad": eltwise.relu_grad,
            "matmul": matmul.matmul, "softmax": softmax.softmax,
            "softmax_grad": softmax.softmax_grad}[name_]


OVERRIDDEN = ("adam_update", "conv", "fused_conv", "conv_input_grad", "conv_filter_grad",
              "conv_filter_bias_grad", "max_pool", "max_pool_grad", "max_pool_with_index",
              "max_pool_grad_from_index", "relu_grad", "matmul", "softmax", "softmax_grad")


def kernel_for(primitive_name: str, numpy_kernel):
    """oneDNN's kernel for the primitives it has, falling back to ``numpy_kernel``."""
    if primitive_name not in OVERRIDDEN:
        return None
    native = None

    def kernel(*arrays, **attrs):
        nonlocal native
        library_api = _api if _api else api()
        if library_api is not None:
            if native is None:
                native = _native(primitive_name)
            # Denormals flush to zero, eager too, so that OpenMP's workers, which take
            # the mode of the thread that starts them, start flushing (backend/denormals.py).
            flush = denormals.flush_to_zero()
            try:
                result = native(library_api, *arrays, **attrs)
            except Exception as error:  # noqa: BLE001 - the NumPy kernel is the answer
                warn_once(f"run {primitive_name}", f"{primitive_name} failed in oneDNN "
                                                   f"({error}); running NumPy's kernel")
                result = None
            finally:
                denormals.restore(flush)
            if result is not None:
                return result
        return numpy_kernel(*arrays, **attrs)

    kernel.__name__ = f"onednn_{primitive_name}"
    kernel.__doc__ = f"oneDNN's ``{primitive_name}`` (NumPy's where oneDNN does not take it)."
    return kernel
