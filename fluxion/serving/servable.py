"""One loaded model version: its signatures, and how to run one on NumPy inputs.

This is the only module that knows how a saved model is read
(``fluxion.saved_model.load``); the rest of the server sees ``Servable`` and
``Signature`` objects.  A signature function is called with keyword arrays and returns
a dict of output name -> tensor; its ``structured_input_signature`` is
``((), {input name: TensorSpec})``, its ``structured_outputs`` ``{output name: TensorSpec}``
and its ``method_name`` TensorFlow Serving's predict / classify / regress method.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

import numpy as np

from fluxion.serving.errors import ServingError, code_of_exception, invalid_argument

DEFAULT_SIGNATURE = "serving_default"
PREDICT_METHOD = "tensorflow/serving/predict"
CLASSIFY_METHOD = "tensorflow/serving/classify"
REGRESS_METHOD = "tensorflow/serving/regress"


@dataclass(frozen=True)
class TensorInfo:
    """A signature's input or output: dtype name and shape (None for unknown sizes)."""

    dtype: str
    shape: tuple | None  # None: unknown rank
    np_dtype: object


# A call that took less than this (on average, recently) runs on the event loop's own
# thread: handing it to a worker thread would cost more than the call itself.
INLINE_SECONDS = 0.002


@dataclass
class Signature:
    name: str
    method_name: str
    inputs: dict  # name -> TensorInfo
    outputs: dict  # name -> TensorInfo
    function: object
    recent_seconds: float = 1.0  # moving average of the call time; unknown = slow

    @property
    def is_quick(self) -> bool:
        """Whether recent calls were quick enough to run without a thread hand-off."""
        return self.recent_seconds < INLINE_SECONDS

    @property
    def input_dtypes(self) -> dict:
        """``{input name: (dtype name, numpy dtype)}`` for the request parser."""
        return {name: (info.dtype, info.np_dtype) for name, info in self.inputs.items()}


def _tensor_info(spec) -> TensorInfo:
    dtype = spec.dtype
    shape = spec.shape
    dims = None if getattr(shape, "rank", 0) is None else tuple(shape.as_list())
    return TensorInfo(dtype.name, dims, dtype.np_dtype)


def _as_numpy(value) -> np.ndarray:
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value)


class Servable:
    """A model version loaded from ``path``, ready to answer requests."""

    def __init__(self, name: str, version: int, path: str, loaded):
        self.name = name
        self.version = version
        self.path = path
        self._loaded = loaded  # keeps the loaded object (and its variables) alive
        self.signatures = {}
        for key, function in loaded.signatures.items():
            _, input_specs = function.structured_input_signature
            self.signatures[key] = Signature(
                key, getattr(function, "method_name", PREDICT_METHOD),
                {n: _tensor_info(s) for n, s in input_specs.items()},
                {n: _tensor_info(s) for n, s in function.structured_outputs.items()},
                function)
        # The compiled graph is not known to be safe to run from several threads at once.
        self._lock = threading.Lock()

    def signature(self, name: str) -> Signature:
        key = name or DEFAULT_SIGNATURE
        if key not in self.signatures:
            raise invalid_argument(f'Serving signature name: "{key}" not found in signature def')
        return self.signatures[key]

    def run(self, signature: Signature, inputs: dict) -> dict:
        """Runs ``signature`` on ``{input name: array}``; ``{output name: array}``."""
        for name, array in inputs.items():
            _check_shape(name, array, signature.inputs[name])
        try:
            with self._lock:
                started = time.perf_counter()
                result = signature.function(**inputs)
                took = time.perf_counter() - started
                signature.recent_seconds = took if signature.recent_seconds == 1.0 else \
                    0.8 * signature.recent_seconds + 0.2 * took
        except ServingError:
            raise
        except Exception as error:  # the model failed; the server stays up
            raise ServingError(code_of_exception(error), f"{type(error).__name__}: {error}") \
                from None
        return {name: _as_numpy(value) for name, value in result.items()}


def _check_shape(name: str, array: np.ndarray, info: TensorInfo) -> None:
    if info.shape is None:
        return
    expected = info.shape
    if array.ndim != len(expected) or any(
            want is not None and want != got for want, got in zip(expected, array.shape)):
        wanted = "[" + ",".join("-1" if d is None else str(d) for d in expected) + "]"
        raise invalid_argument(f"input tensor {name!r} has shape {list(array.shape)}; the "
                               f"signature expects {wanted} (-1: any size)")


def is_complete(path: str) -> bool:
    """Whether ``path`` holds a whole saved model (a version being written is not)."""
    from fluxion import saved_model

    return saved_model.contains_saved_model(path)


def load_servable(name: str, version: int, path: str) -> Servable:
    """Loads the saved model in ``path``; a ``ServingError`` says why it could not."""
    from fluxion import saved_model

    if not os.path.isdir(path):
        raise ServingError("NOT_FOUND", f"no model directory at {path}")
    try:
        loaded = saved_model.load(path)
        return Servable(name, version, path, loaded)
    except Exception as error:
        raise ServingError(code_of_exception(error, default="UNKNOWN"),
                           f"Failed to load version {version} of model {name} from {path}: "
                           f"{type(error).__name__}: {error}") from None
